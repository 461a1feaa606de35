package demostore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultsJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Faults
		wantErr string
	}{
		{`{}`, Faults{}, ""},
		{`{"accept_status":402,"context_delay":"2s","accept_delay":"500ms","down":false}`,
			Faults{AcceptStatus: 402, ContextDelay: 2 * time.Second, AcceptDelay: 500 * time.Millisecond}, ""},
		{`{"cart_add_status":409,"context_status":503,"down":true}`, Faults{CartAddStatus: 409, ContextStatus: 503, Down: true}, ""},
		{`{"page_delay":"300ms"}`, Faults{PageDelay: 300 * time.Millisecond}, ""},
		{`{"page_delay":"later"}`, Faults{}, "page_delay"},
		{`{"context_delay":"soon"}`, Faults{}, "context_delay"},
		{`{"accept_delay":5}`, Faults{}, "cannot unmarshal"},
		{`{"acept_status":402}`, Faults{}, "unknown field"},
	}
	for _, tt := range tests {
		var got Faults
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		// What MarshalJSON writes reads back the same.
		raw, _ := json.Marshal(got)
		var back Faults
		if err := json.Unmarshal(raw, &back); err != nil || back != got {
			t.Errorf("round trip of %s: %s gives %+v, %v", tt.in, raw, back, err)
		}
	}
}

func TestFaultsValidate(t *testing.T) {
	tests := []struct {
		f       Faults
		wantErr string
	}{
		{Faults{AcceptStatus: 402, CartAddStatus: 599, ContextStatus: 400, ContextDelay: time.Hour}, ""},
		{Faults{AcceptStatus: 200}, "accept_status"},
		{Faults{CartAddStatus: 600}, "cart_add_status"},
		{Faults{ContextStatus: 302}, "context_status"},
		{Faults{ContextDelay: -time.Second}, "context_delay"},
		{Faults{AcceptDelay: 2 * time.Hour}, "accept_delay"},
		{Faults{PageDelay: -time.Millisecond}, "page_delay"},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%+v: %v, want %q", tt.f, err, tt.wantErr)
		}
	}
}

func TestFaultsEndpoints(t *testing.T) {
	s, srv := startStore(t, Config{})
	tests := []struct {
		name, method, token, body string
		status                    int
		want                      string
	}{
		{"set without token", http.MethodPost, "", `{"accept_status":402}`, http.StatusUnauthorized, "bearer"},
		{"set", http.MethodPost, testToken, `{"accept_status":402,"accept_delay":"1ms"}`, http.StatusOK, `"accept_status":402`},
		{"read", http.MethodGet, testToken, "", http.StatusOK, `"accept_delay":"1ms"`},
		{"replace", http.MethodPost, testToken, `{"down":true}`, http.StatusOK, `{"down":true}`},
		{"invalid", http.MethodPost, testToken, `{"accept_status":700}`, http.StatusUnprocessableEntity, "accept_status"},
		{"clear without token", http.MethodDelete, "wrong", "", http.StatusUnauthorized, "bearer"},
		{"clear", http.MethodDelete, testToken, "", http.StatusOK, `"down":false`},
	}
	for _, tt := range tests {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		resp, got := apiCall(t, srv, tt.method, "/_demo/faults", tt.token, body, nil)
		if resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, resp.StatusCode, got, tt.status, tt.want)
		}
	}
	if s.Faults() != (Faults{}) {
		t.Errorf("faults after clearing: %+v", s.Faults())
	}
}

func TestInjectedStatuses(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("coffee-beans")
	b := newBrowser(t, srv)
	b.addToCart("mug", "1")
	key := map[string]string{"Idempotency-Key": "k"}
	cartAdd := map[string]any{"currency": "USD", "items": []map[string]any{{"product_id": "socks", "quantity": 1, "unit_price": 899}}}

	tests := []struct {
		name   string
		faults Faults
		call   func() (*http.Response, string)
		status int
		want   string
	}{
		{"payment failed", Faults{AcceptStatus: 402}, func() (*http.Response, string) {
			return apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken, upsellBody(orderID, "thermos", "", 1, 1, 0), key)
		}, http.StatusPaymentRequired, "payment failed"},
		{"out of stock", Faults{AcceptStatus: 409}, func() (*http.Response, string) {
			return apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken, upsellBody(orderID, "thermos", "", 1, 1, 0), key)
		}, http.StatusConflict, "out of stock"},
		{"cart add refused", Faults{CartAddStatus: 409}, func() (*http.Response, string) {
			return b.postJSON("/api/cart/items", cartAdd, key)
		}, http.StatusConflict, "out of stock"},
		{"order context fails", Faults{ContextStatus: 503}, func() (*http.Response, string) {
			return apiCall(t, srv, http.MethodGet, "/api/orders/"+orderID, testToken, nil, nil)
		}, http.StatusServiceUnavailable, "injected"},
		{"cart context fails", Faults{ContextStatus: 500}, func() (*http.Response, string) {
			return b.get("/api/cart")
		}, http.StatusInternalServerError, "injected"},
		{"pages are never affected", Faults{ContextStatus: 500, AcceptStatus: 500, Down: true}, func() (*http.Response, string) {
			return b.get("/cart")
		}, http.StatusOK, "cart-summary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			defer s.ClearFaults()
			resp, body := tt.call()
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	o, _ := s.Order(orderID)
	c, _ := s.Cart(cartIDOf(t, b))
	if len(o.Items) != 1 || len(c.Items) != 1 || s.Stats().AcceptApplied+s.Stats().CartAddApplied != 0 {
		t.Errorf("a refused request changed something: order %+v, cart %+v", o.Items, c.Items)
	}
}

// cartIDOf reads a browser's cart cookie.
func cartIDOf(t *testing.T, b *browser) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+"/", nil)
	for _, c := range b.c.Jar.Cookies(req.URL) {
		if c.Name == CartCookie {
			return c.Value
		}
	}
	t.Fatal("the browser has no cart cookie")
	return ""
}

func TestDownDropsAPIConnections(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("mug")
	if err := s.SetFaults(Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/cart", "/api/orders/" + orderID} {
		resp, err := http.Get(srv.URL + path)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s answered %d while down", path, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/orders/"+orderID+"/upsells", jsonReader(t, upsellBody(orderID, "thermos", "", 1, 1, 0)))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Idempotency-Key", "k")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("accept answered %d while down", resp.StatusCode)
	}
	if st := s.Stats(); st.ContextCalls != 2 || st.AcceptCalls != 1 || st.AcceptApplied != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestSlowContextRequestsCountCancellation(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("mug")
	tests := []struct {
		name, path string
		token      bool
	}{
		{"cart", "/api/cart", false},
		{"order", "/api/orders/" + orderID, true},
	}
	if err := s.SetFaults(Faults{ContextDelay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+tt.path, nil)
			if tt.token {
				req.Header.Set("Authorization", "Bearer "+testToken)
			}
			done := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			waitFor(t, "the request to arrive", func() bool { return s.Stats().ContextCalls == int64(i+1) })
			if got := s.Stats().ContextCancelled; got != int64(i) {
				t.Fatalf("context_cancelled = %d before cancelling", got)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("request ended with %v", err)
			}
			waitFor(t, "the store to count the cancellation", func() bool { return s.Stats().ContextCancelled == int64(i+1) })
		})
	}
}

func TestStatsEndpoint(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("mug")
	apiCall(t, srv, http.MethodGet, "/api/orders/"+orderID, testToken, nil, nil)
	apiCall(t, srv, http.MethodGet, "/api/orders/"+orderID, "", nil, nil) // refused, still a call
	apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken, upsellBody(orderID, "socks", "", 1, 899, 0), map[string]string{"Idempotency-Key": "a"})
	apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken, upsellBody(orderID, "socks", "", 1, 899, 0), map[string]string{"Idempotency-Key": "a"})

	if resp, _ := apiCall(t, srv, http.MethodGet, "/_demo/stats", "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("stats without token: %d", resp.StatusCode)
	}
	_, body := apiCall(t, srv, http.MethodGet, "/_demo/stats", testToken, nil, nil)
	want := Stats{AcceptCalls: 2, AcceptApplied: 1, AcceptReplayed: 1, ContextCalls: 2, OrdersCreated: 1}
	if got := decode[Stats](t, body); got != want {
		t.Errorf("stats = %s, want %+v", body, want)
	}
	for _, field := range []string{"accept_calls", "accept_applied", "context_calls", "context_cancelled"} {
		if !strings.Contains(body, `"`+field+`":`) {
			t.Errorf("stats lack %s", field)
		}
	}
	_, body = apiCall(t, srv, http.MethodDelete, "/_demo/stats", testToken, nil, nil)
	if got := decode[Stats](t, body); got != (Stats{}) || s.Stats() != (Stats{}) {
		t.Errorf("stats after reset = %s", body)
	}
}

// TestPageDelayHoldsPagesNotTheAPI: page_delay holds the cart page back
// (here for an hour: the client gives up) while the JSON API answers.
func TestPageDelayHoldsPagesNotTheAPI(t *testing.T) {
	s, srv := startStore(t, Config{})
	if err := s.SetFaults(Faults{PageDelay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := client.Get(srv.URL + "/cart"); err == nil {
		resp.Body.Close()
		t.Fatalf("the cart page answered %d despite an hour's page_delay", resp.StatusCode)
	}
	resp, err := client.Get(srv.URL + "/api/cart")
	if err != nil {
		t.Fatalf("the cart context was held back too: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("cart context: %d", resp.StatusCode)
	}
}
