package demostore

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "test-token-123"

// testClock is a settable clock for accept-window tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startStore runs a store behind a real HTTP server.
func startStore(t *testing.T, cfg Config) (*Store, *httptest.Server) {
	t.Helper()
	if cfg.APIToken == "" {
		cfg.APIToken = testToken
	}
	s := New(cfg)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// browser is a customer: a cookie jar, redirects not followed.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: srv.URL, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request and returns the answer with its body read.
func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) postForm(path string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postJSON sends v as JSON with extra headers.
func (b *browser) postJSON(path string, v any, headers map[string]string) (*http.Response, string) {
	var body io.Reader
	switch v := v.(type) {
	case nil:
	case string:
		body = strings.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			b.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// addToCart posts the product list's form and expects the redirect.
func (b *browser) addToCart(productID string, quantity string) {
	b.t.Helper()
	resp, body := b.postForm("/cart/add", url.Values{"product_id": {productID}, "quantity": {quantity}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cart?added="+productID {
		b.t.Fatalf("add %s: %d Location %q %s", productID, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// checkout places the order and returns its id.
func (b *browser) checkout() string {
	b.t.Helper()
	resp, body := b.postForm("/checkout", nil)
	loc := resp.Header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/checkout/success/")
	if resp.StatusCode != http.StatusSeeOther || !ok {
		b.t.Fatalf("checkout: %d Location %q %s", resp.StatusCode, loc, body)
	}
	return id
}

// apiCall calls the store with or without its bearer token.
func apiCall(t *testing.T, srv *httptest.Server, method, path, token string, body any, headers map[string]string) (*http.Response, string) {
	t.Helper()
	b := newBrowser(t, srv)
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// decode parses a JSON answer or fails the test.
func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("answer is not the expected JSON: %v\n%s", err, body)
	}
	return v
}

// upsellBody is an accept request for one item.
func upsellBody(orderID, productID, variantID string, quantity int, unitPrice, discount int64) map[string]any {
	return map[string]any{
		"order_id": orderID, "offer_id": "offer-1", "currency": "USD",
		"items": []map[string]any{{"product_id": productID, "variant_id": variantID, "quantity": quantity, "unit_price": unitPrice, "discount": discount}},
	}
}

// jsonReader encodes v for a request body.
func jsonReader(t *testing.T, v any) io.Reader {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}
