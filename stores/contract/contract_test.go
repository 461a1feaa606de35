package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// recorded is what the test store saw of one request.
type recorded struct {
	path, key, cookie, auth, forwardedFor, forwarded string
	body                                             acceptBody
}

// testStore answers every accept with the given status and body, and
// records what it was sent.
func testStore(t *testing.T, status int, answer string) (*Store, *[]recorded) {
	t.Helper()
	var seen []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{
			path: r.URL.Path, key: r.Header.Get("Idempotency-Key"), cookie: r.Header.Get("Cookie"),
			auth: r.Header.Get("Authorization"), forwardedFor: r.Header.Get("X-Forwarded-For"),
			forwarded: r.Header.Get("Forwarded"),
		}
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&rec.body); err != nil {
				t.Errorf("accept body: %v", err)
			}
		}
		seen = append(seen, rec)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	s := &Store{Endpoint: stores.Endpoint{URL: srv.URL}, Headers: map[string]string{"Authorization": "Bearer k"}}
	if err := s.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Cleanup() })
	return s, &seen
}

var offerReq = stores.AcceptRequest{
	Key: "order-7/thermos", OrderID: "7", OfferID: "thermos", Currency: "USD",
	Items:   []stores.Line{{ProductID: "thermos", Quantity: 1, UnitPrice: 1499, Discount: 500}},
	Shopper: stores.Shopper{Cookie: "sid=abc", ClientAddr: "203.0.113.9"},
}

func TestOrderAcceptSendsTheKeyAndReadsTheAnswer(t *testing.T) {
	s, seen := testStore(t, 200, `{"order_id":"7","total":6098,"mode":"follow_up","follow_up_order_id":"8","follow_up_url":"/orders/8"}`)
	ans, err := s.OrderAccept(context.Background(), offerReq)
	if err != nil {
		t.Fatal(err)
	}
	want := stores.Answer{Status: 200, Total: 6098, Mode: stores.ModeFollowUp, FollowUpOrderID: "8", FollowUpURL: "/orders/8"}
	if ans != want {
		t.Errorf("answer %+v, want %+v", ans, want)
	}
	got := (*seen)[0]
	if got.path != "/api/orders/7/upsells" || got.key != offerReq.Key || got.auth != "Bearer k" || got.cookie != "" {
		t.Errorf("order accept sent %+v", got)
	}
	if got.body.OrderID != "7" || got.body.Items[0].UnitPrice != 1499 || got.body.Items[0].Discount != 500 {
		t.Errorf("order accept body %+v", got.body)
	}
}

// What the store says it charged comes from "charged", else from the
// "added" lines; without either the answer says nothing about it.
func TestOrderAcceptReadsWhatTheStoreCharged(t *testing.T) {
	tests := []struct {
		body string
		want offers.Money
	}{
		{`{"total":6098,"charged":1607}`, offers.Money{Amount: 1607, Currency: "USD"}},
		{`{"total":6098,"charged":1607,"currency":"EUR"}`, offers.Money{Amount: 1607, Currency: "EUR"}},
		{`{"total":6098,"charged":0}`, offers.Money{Amount: 0, Currency: "USD"}},
		{`{"total":6098,"added":[{"product_id":"thermos","quantity":2,"unit_price":1399},{"product_id":"lid","quantity":1,"unit_price":100}]}`, offers.Money{Amount: 2898, Currency: "USD"}},
		{`{"total":6098,"charged":1500,"added":[{"quantity":1,"unit_price":1499}]}`, offers.Money{Amount: 1500, Currency: "USD"}},
		{`{"total":6098,"added":[{"product_id":"thermos","quantity":1}]}`, offers.Money{}}, // a line without its price
		{`{"total":6098,"added":[]}`, offers.Money{}},
		{`{"total":6098}`, offers.Money{}},
		{`not json`, offers.Money{}},
	}
	for _, tt := range tests {
		s, _ := testStore(t, 200, tt.body)
		ans, err := s.OrderAccept(context.Background(), offerReq)
		if err != nil || !ans.Applied() || ans.Charged != tt.want {
			t.Errorf("%s: charged %+v %v, want %+v", tt.body, ans.Charged, err, tt.want)
		}
	}
	// A refusal charged nothing, whatever its body says.
	s, _ := testStore(t, http.StatusPaymentRequired, `{"charged":1499}`)
	if ans, _ := s.OrderAccept(context.Background(), offerReq); ans.Charged != (offers.Money{}) {
		t.Errorf("402 answer charged %+v", ans.Charged)
	}
}

// The offer's shipping goes to the store as "shipping", and counts in what
// the added lines say was charged; an accept without shipping leaves the
// member out, as stores of contract v1 know the body.
func TestOrderAcceptSendsTheShipping(t *testing.T) {
	s, seen := testStore(t, 200, `{"total":6098,"added":[{"quantity":1,"unit_price":1499}]}`)
	req := offerReq
	req.Shipping = 499
	ans, err := s.OrderAccept(context.Background(), req)
	if err != nil || ans.Charged != (offers.Money{Amount: 1998, Currency: "USD"}) {
		t.Fatalf("answer %+v, %v; want charged 19.98 USD", ans, err)
	}
	if got := (*seen)[0].body.Shipping; got != 499 {
		t.Errorf("shipping sent %d, want 499", got)
	}

	raw := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		raw <- b
		w.WriteHeader(200)
	}))
	defer srv.Close()
	plain := &Store{Endpoint: stores.Endpoint{URL: srv.URL}}
	if err := plain.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	defer plain.Cleanup()
	if _, err := plain.OrderAccept(context.Background(), offerReq); err != nil {
		t.Fatal(err)
	}
	if b := <-raw; bytes.Contains(b, []byte("shipping")) {
		t.Errorf("an accept without shipping sent %s", b)
	}
}

func TestCartCallsCarryTheShopper(t *testing.T) {
	s, seen := testStore(t, 200, `{"total":3000}`)
	if _, err := s.CartAdd(context.Background(), offerReq); err != nil {
		t.Fatal(err)
	}
	s.CartContext(context.Background(), offerReq.Shopper)
	for _, got := range *seen {
		if got.cookie != "sid=abc" || got.auth != "" || got.forwardedFor != "203.0.113.9" || got.forwarded != "for=203.0.113.9" {
			t.Errorf("%s sent %+v", got.path, got)
		}
	}
	if (*seen)[0].body.OrderID != "" {
		t.Errorf("a cart add names an order: %+v", (*seen)[0].body)
	}
}

func TestConflictReasons(t *testing.T) {
	tests := []struct {
		body string
		want stores.Reason
	}{
		{`{"error":"coupon","reason":"coupon_conflict"}`, stores.ReasonCouponConflict},
		{`{"reason":"out_of_stock"}`, stores.ReasonOutOfStock},
		{`{"error":"no reason"}`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		s, _ := testStore(t, http.StatusConflict, tt.body)
		ans, err := s.OrderAccept(context.Background(), offerReq)
		if err != nil || ans.Status != 409 || ans.Reason != tt.want || ans.Applied() {
			t.Errorf("%s: %+v %v, want reason %q", tt.body, ans, err, tt.want)
		}
	}
}

func TestForwardedBracketsIPv6(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	stores.SetClientAddr(req.Header, "2001:db8::1")
	if got := req.Header.Get("Forwarded"); got != `for="[2001:db8::1]"` {
		t.Errorf("Forwarded %q", got)
	}
}

// A store that has answered 200 has applied the accept, even when the
// body after the status line stalls past the timeout or breaks off: the
// answer is applied, without the details the body would have given.
func TestAcceptAppliedWhenTheBodyStallsOrBreaks(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		cut    bool // the connection is closed mid-body, else the body stalls
	}{{"stalls", http.StatusOK, false}, {"breaks", http.StatusOK, true}, {"refusal stalls", http.StatusPaymentRequired, false}} {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(tt.status)
				w.Write([]byte(`{"total":`))
				w.(http.Flusher).Flush()
				if tt.cut {
					conn, _, _ := http.NewResponseController(w).Hijack()
					conn.Close()
					return
				}
				<-release
			}))
			defer srv.Close()
			defer close(release)
			s := &Store{Endpoint: stores.Endpoint{URL: srv.URL}}
			if err := s.Provision(caddy.Context{}); err != nil {
				t.Fatal(err)
			}
			defer s.Cleanup()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			ans, err := s.OrderAccept(ctx, offerReq)
			if err != nil || ans.Status != tt.status {
				t.Fatalf("answer %+v, %v; want status %d and no error", ans, err, tt.status)
			}
			if ans.Applied() != (tt.status == http.StatusOK) || ans.Total != 0 || ans.Charged != (offers.Money{}) {
				t.Errorf("answer %+v", ans)
			}
		})
	}
}
