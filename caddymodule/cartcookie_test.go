package caddymodule

import (
	"net/http/httptest"
	"testing"
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
