package contract

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/stores"
)

// TestContextRevalidation runs a store that sends its cart context with
// an ETag and the given Cache-Control, answers If-None-Match with 304
// while the cart is unchanged, and checks what the client asked and got.
func TestContextRevalidation(t *testing.T) {
	const cartV1 = `{"id":"c1","currency":"USD","subtotal":1499,"items":[{"product_id":"mug","quantity":1,"unit_price":1499}]}`
	const cartV2 = `{"id":"c1","currency":"USD","subtotal":2998,"items":[{"product_id":"mug","quantity":2,"unit_price":1499}]}`
	tests := []struct {
		name         string
		cacheControl string
		cookie2      string // the second call's cookie
		change       bool   // the cart changes before the second call
		wantRequests int    // the store sees this many for two calls
		wantIfNone   string // If-None-Match of the second call
		wantSubtotal int64  // of the second call's context
	}{
		{"unchanged: 304, the kept context", "private, no-cache", "sid=a", false, 2, `"v1"`, 1499},
		{"changed: the new one", "private, no-cache", "sid=a", true, 2, `"v1"`, 2998},
		{"another customer: asked afresh", "private, no-cache", "sid=b", false, 2, "", 1499},
		{"max-age: not asked again", "private, max-age=60", "sid=a", false, 1, "", 1499},
		{"no-store: nothing kept", "no-store", "sid=a", false, 2, "", 1499},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			cart, etag := cartV1, `"v1"`
			var requests int
			var ifNone []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				requests++
				ifNone = append(ifNone, r.Header.Get("If-None-Match"))
				w.Header().Set("Cache-Control", tt.cacheControl)
				w.Header().Set("ETag", etag)
				if r.Header.Get("If-None-Match") == etag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(cart))
			}))
			defer srv.Close()
			s := &Store{Endpoint: stores.Endpoint{URL: srv.URL}}
			if err := s.Provision(caddy.Context{}); err != nil {
				t.Fatal(err)
			}
			defer s.Cleanup()

			first, err := s.CartContext(context.Background(), stores.Shopper{Cookie: "sid=a"})
			if err != nil || first.Subtotal != 1499 {
				t.Fatalf("first call: %+v, %v", first, err)
			}
			if tt.change {
				mu.Lock()
				cart, etag = cartV2, `"v2"`
				mu.Unlock()
			}
			second, err := s.CartContext(context.Background(), stores.Shopper{Cookie: tt.cookie2})
			if err != nil {
				t.Fatalf("second call: %v", err)
			}
			if second.Subtotal != tt.wantSubtotal {
				t.Errorf("second call's subtotal %d, want %d", second.Subtotal, tt.wantSubtotal)
			}
			if requests != tt.wantRequests {
				t.Errorf("the store saw %d requests, want %d", requests, tt.wantRequests)
			}
			if got := ""; len(ifNone) > 1 {
				if got = ifNone[1]; got != tt.wantIfNone {
					t.Errorf("second call's If-None-Match %q, want %q", got, tt.wantIfNone)
				}
			}
			if ifNone[0] != "" {
				t.Errorf("first call sent If-None-Match %q", ifNone[0])
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	tests := []struct {
		in      []string
		maxAge  string
		noStore bool
	}{
		{nil, "0s", false},
		{[]string{"private, max-age=30"}, "30s", false},
		{[]string{"max-age=30, no-cache"}, "0s", false},
		{[]string{"no-store"}, "0s", true},
		{[]string{"max-age=99999"}, "10m0s", false},
		{[]string{"public", `max-age="5"`}, "5s", false},
		{[]string{"max-age=-3"}, "0s", false},
	}
	for _, tt := range tests {
		maxAge, noStore := cacheControl(tt.in)
		if maxAge.String() != tt.maxAge || noStore != tt.noStore {
			t.Errorf("cacheControl(%q) = %s, %v; want %s, %v", tt.in, maxAge, noStore, tt.maxAge, tt.noStore)
		}
	}
}
