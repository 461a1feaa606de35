package caddymodule_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// storePages is a store's cart page in the shapes that end a page in
// different ways: whole, with no place for the widget, broken off by
// the store, or slow enough for a client to leave.
func storePages(t *testing.T) *httptest.Server {
	page := "<!doctype html><html><head><title>Cart</title></head><body><h1>Your cart</h1>" +
		strings.Repeat("<p>Coffee beans</p>\n", 50)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=600")
		h.Set("CDN-Cache-Control", "max-age=600")
		h.Set("Surrogate-Control", "max-age=600")
		h.Set("ETag", `"cart-v1"`)
		switch r.URL.Query().Get("shape") {
		case "no_place": // ends inside a script: a browser would run the widget as script
			_, _ = io.WriteString(w, page+"<script>")
		case "reset": // the store resets the connection in the middle of the body
			h.Set("Content-Length", "100000")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, page)
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		case "slow": // the first half, then a long wait
			_, _ = io.WriteString(w, page)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			_, _ = io.WriteString(w, "</body></html>")
		default:
			if r.Method != http.MethodHead {
				_, _ = io.WriteString(w, page+"</body></html>")
			}
		}
	}))
}

// TestPageEnds checks that every way a cart page ends is counted, that a
// page without a place passes through byte for byte, and that HEAD gets
// the header GET gets.
func TestPageEnds(t *testing.T) {
	upstream := storePages(t)
	defer upstream.Close()
	start(t, setup{cart: strings.TrimPrefix(upstream.URL, "http://")})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	// Counters go on across config reloads: count from here.
	ends := []string{"injected", "no_place", "store_reset", "client_gone"}
	sample := func(outcome string) string {
		return `kairo_upsell_pages_total{outcome="` + outcome + `",placement="cart"}`
	}
	before := make(map[string]float64)
	for _, outcome := range ends {
		before[outcome] = metricValue(t, s, sample(outcome))
	}

	resp, page := s.get(kairoURL + "/cart")
	if !strings.Contains(page, "data-kairo-widget") {
		t.Fatalf("the whole page has no widget:\n%.300s", page)
	}
	for _, gone := range []string{"CDN-Cache-Control", "Surrogate-Control", "ETag"} {
		if v := resp.Header.Get(gone); v != "" {
			t.Errorf("GET: %s %q on a page with the widget", gone, v)
		}
	}
	if got := resp.Header.Get("Cache-Control"); got != "max-age=600, private" {
		t.Errorf("GET: Cache-Control %q", got)
	}
	if got := resp.Header.Get("Vary"); !strings.Contains(got, "Cookie") {
		t.Errorf("GET: Vary %q lacks Cookie", got)
	}
	req, _ := http.NewRequest(http.MethodHead, kairoURL+"/cart", nil)
	head, _ := s.do(req)
	// GET's length depends on the widget, which HEAD does not build: HEAD
	// sends none.
	if got := head.Header.Get("Content-Length"); got != "" {
		t.Errorf("HEAD: Content-Length %q", got)
	}
	for _, k := range []string{"Cache-Control", "Vary", "Content-Type", "Etag", "Cdn-Cache-Control", "Surrogate-Control"} {
		if head.Header.Get(k) != resp.Header.Get(k) {
			t.Errorf("%s: HEAD %q, GET %q", k, head.Header.Get(k), resp.Header.Get(k))
		}
	}

	plainResp, err := http.Get(upstream.URL + "/cart?shape=no_place")
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(plainResp.Body)
	plainResp.Body.Close()
	if _, got := s.get(kairoURL + "/cart?shape=no_place"); got != string(plain) {
		t.Errorf("a page with no place changed:\n%.300s", got)
	}

	req, _ = http.NewRequest(http.MethodGet, kairoURL+"/cart?shape=reset", nil)
	if resp, err := s.c.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	ctx, cancel := context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, kairoURL+"/cart?shape=slow", nil)
	if resp, err := s.c.Do(req); err == nil {
		_, _ = bufio.NewReader(resp.Body).ReadString('\n') // the first bytes came, then the client leaves
		cancel()
		resp.Body.Close()
	}
	cancel()

	deadline := time.Now().Add(5 * time.Second)
	for {
		_, metrics := s.get("http://localhost:2999/metrics")
		missing := ""
		for _, outcome := range ends {
			if metricValue(t, s, sample(outcome))-before[outcome] != 1 {
				missing += " " + outcome
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pages_total lacks%s:\n%s", missing, grepLines(metrics, "pages_total"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// grepLines returns the lines of s that hold sub.
func grepLines(s, sub string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			b.WriteString(line)
		}
	}
	return b.String()
}
