package caddymodule

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// TestStoreCookies checks that the store gets the customer's cookies
// without Kairo's own, in their order, and that a request that carries
// the browser's id costs one allocation at most.
func TestStoreCookies(t *testing.T) {
	const id = "kairo_cart=AAAAAAAAAAAAAAAAAAAAAA"
	tests := []struct{ header, want string }{
		{"", ""},
		{"cart=1; session=2", "cart=1; session=2"},
		{id, ""},
		{id + "; cart=1", "cart=1"},
		{"cart=1; " + id + "; session=2", "cart=1; session=2"},
		{"cart=1;" + id, "cart=1"},
		{"cart=1; kairo_buyer_abc=x; " + id + ";  ; session=2 ", "cart=1; session=2"},
		{"kairo_other=1; cart=1", "kairo_other=1; cart=1"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/cart", nil)
		if tc.header != "" {
			r.Header.Set("Cookie", tc.header)
		}
		if got := storeCookies(r); got != tc.want {
			t.Errorf("storeCookies(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	r := httptest.NewRequest("GET", "/cart", nil)
	r.Header.Set("Cookie", "cart=1; "+id+"; session=2")
	if n := testing.AllocsPerRun(100, func() { _ = storeCookies(r) }); n > 1 {
		t.Errorf("%v allocations for a request with the browser's id, want at most 1", n)
	}
}

// A page that gives a browser its first id keeps out of shared caches
// even when it passes through unchanged: a cache in front would otherwise
// hand that one id, and with it the right to each other's cart tokens, to
// every browser it served the page to. A page for a browser that has its
// id keeps the store's caching.
func TestNewBrowserIDKeepsThePageFromSharedCaches(t *testing.T) {
	h := provisionedWith(t, "http://127.0.0.1:1", "1s", 0)
	// An answer Kairo does not rewrite (not HTML) passes through as the
	// store sent it, header and all, but for the id.
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, s-maxage=600, max-age=60")
		w.Header().Set("CDN-Cache-Control", "max-age=600")
		w.Header().Set("Surrogate-Control", "max-age=600")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write([]byte(`{"cart":[]}`))
		return err
	})
	serve := func(cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/cart", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
		rec := httptest.NewRecorder()
		if err := h.ServeHTTP(rec, req, next); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	first := serve("session=S1")
	if !strings.Contains(first.Header().Get("Set-Cookie"), cartCookieName+"=") {
		t.Fatalf("no browser id set: %v", first.Header())
	}
	if cc := first.Header().Get("Cache-Control"); cc != "max-age=60, private" || first.Header().Get("CDN-Cache-Control") != "" || first.Header().Get("Surrogate-Control") != "" {
		t.Errorf("the page that set an id: Cache-Control %q, CDN %q, Surrogate %q; want max-age=60, private and neither",
			cc, first.Header().Get("CDN-Cache-Control"), first.Header().Get("Surrogate-Control"))
	}
	again := serve("session=S1; " + cartCookieName + "=YmVuY2gtYnJvd3Nlci0wMQ")
	if again.Header().Get("Set-Cookie") != "" {
		t.Errorf("a browser with an id was given another: %s", again.Header().Get("Set-Cookie"))
	}
	if cc := again.Header().Get("Cache-Control"); !strings.Contains(cc, "public") {
		t.Errorf("a page passed through for a browser with its id: Cache-Control %q, want the store's", cc)
	}
}
