package caddymodule

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStatusHookSeesTheFinalStatusOnce: whichever way a handler starts its
// answer, the hook runs once, with the final status, before it goes out;
// early hints pass without it; flushing and unwrapping reach the wrapped
// writer.
func TestStatusHookSeesTheFinalStatusOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }, http.StatusNotFound},
		{"early hints, then the answer", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusSeeOther)
		}, http.StatusSeeOther},
		{"body without a status", func(w http.ResponseWriter) { _, _ = w.Write([]byte("hi")) }, http.StatusOK},
		{"body by ReadFrom", func(w http.ResponseWriter) { _, _ = io.Copy(w, strings.NewReader("hi")) }, http.StatusOK},
		{"flush first", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("flush: %v", err)
			}
			_, _ = w.Write([]byte("hi"))
		}, http.StatusOK},
		{"a second status", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusTeapot)
		}, http.StatusAccepted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			var seen []int
			w := withStatusHook(rec, func(w http.ResponseWriter, status int) {
				seen = append(seen, status)
				w.Header().Set("X-Hooked", "yes")
			})
			tt.write(w)
			if len(seen) != 1 || seen[0] != tt.want {
				t.Errorf("the hook saw %v, want [%d]", seen, tt.want)
			}
			// The header as it went out (the recorder's copy at its first
			// status), not as changed later; the recorder takes an early
			// hint for the answer, so that case reads the live map.
			sent := rec.Result().Header
			if rec.Code == http.StatusEarlyHints {
				sent = rec.Header()
			}
			if sent.Get("X-Hooked") != "yes" {
				t.Errorf("the answer went out without the hook's header")
			}
		})
	}
	rec := httptest.NewRecorder()
	w := withStatusHook(rec, func(http.ResponseWriter, int) {})
	if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != rec {
		t.Errorf("the writer does not unwrap to the one it wraps")
	}
	w.(http.Flusher).Flush()
	if !rec.Flushed || rec.Code != http.StatusOK {
		t.Errorf("Flush: flushed %v with %d, want the wrapped writer flushed with 200", rec.Flushed, rec.Code)
	}
}
