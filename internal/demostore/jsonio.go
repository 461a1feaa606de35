package demostore

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// apiError is the body of every JSON error answer.
type apiError struct {
	Error string `json:"error"`
	// Reason is the store contract's reason code on a 409
	// (out_of_stock, coupon_conflict, conflict).
	Reason string `json:"reason,omitempty"`
}

// encodeJSON encodes v on one line ending in a newline, leaving <, > and &
// as they are so that messages stay readable.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, body)
}

// writeJSONBytes answers with an already encoded JSON body.
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers with {"error": message}.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, apiError{Error: message})
}

// authorized reports whether r carries the store's bearer token.
func (s *Store) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.APIToken)) == 1
}

// refuseUnauthorized answers 401 unless r carries the bearer token; it
// reports whether it answered.
func (s *Store) refuseUnauthorized(w http.ResponseWriter, r *http.Request) bool {
	if s.authorized(r) {
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="demo_store"`)
	writeError(w, http.StatusUnauthorized, "missing or wrong bearer token: send Authorization: Bearer <api_token>")
	return true
}

// requireToken guards a handler with the bearer token.
func (s *Store) requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.refuseUnauthorized(w, r) {
			next(w, r)
		}
	}
}

// dropIfDown aborts the connection without an answer while Faults.Down is
// set, as a crashed backend would. net/http (and Caddy) close the
// connection quietly on http.ErrAbortHandler.
func (s *Store) dropIfDown() {
	if s.faults.Load().Down {
		panic(http.ErrAbortHandler)
	}
}

// holdBack waits for an injected delay. It returns false, after counting
// the request in cancelled, when the client goes away first.
func holdBack(ctx context.Context, d time.Duration, cancelled *atomic.Int64) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		cancelled.Add(1)
		return false
	}
}

// writeInjectedStatus answers with a status chosen by a fault.
func writeInjectedStatus(w http.ResponseWriter, status int) {
	msg := injectedMessage(status) + " (injected by /_demo/faults)"
	if status == http.StatusConflict {
		writeJSON(w, status, apiError{Error: msg, Reason: "out_of_stock"})
		return
	}
	writeError(w, status, msg)
}

// injectedMessage says in plain words what a store means by a status.
func injectedMessage(status int) string {
	switch status {
	case http.StatusPaymentRequired:
		return "payment failed"
	case http.StatusConflict:
		return "out of stock"
	case http.StatusGone:
		return "the order can no longer be changed"
	}
	if text := http.StatusText(status); text != "" {
		return strings.ToLower(text)
	}
	return "store error"
}
