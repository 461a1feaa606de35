package caddymodule

import (
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/contract"
)

// TestSitePathSendsTheBuyerOnlyToThisSiteOrTheStore checks which pay links
// a browser may be sent to: paths on this site, and absolute URLs on this
// site or the store's configured origin (as paths on this site).
func TestSitePathSendsTheBuyerOnlyToThisSiteOrTheStore(t *testing.T) {
	const host, store = "shop.example.com", "http://127.0.0.1:8080/"
	for _, tt := range []struct {
		raw, want string
		ok        bool
	}{
		{"/checkout/order-pay/42/?pay_for_order=true&key=wc_order_x", "/checkout/order-pay/42/?pay_for_order=true&key=wc_order_x", true},
		{"https://shop.example.com/checkout/order-pay/42/?key=k", "/checkout/order-pay/42/?key=k", true},
		{"http://SHOP.example.com/pay/42", "/pay/42", true},
		{"http://127.0.0.1:8080/checkout/order-pay/42/?key=k", "/checkout/order-pay/42/?key=k", true},
		{"https://shop.example.com", "/", true},
		{"", "", false},
		{"https://evil.example/checkout/order-pay/42/", "", false},
		{"//evil.example/pay", "", false},
		{"/\\evil.example/pay", "", false},
		{"https://127.0.0.1:8080/pay", "", false}, // the store's host on another scheme
		{"http://127.0.0.1:8081/pay", "", false},  // and on another port
		{"https://user@shop.example.com/pay", "", false},
		{"javascript:alert(1)", "", false},
		{"mailto:a@example.com", "", false},
		{"checkout/order-pay/42/", "", false},
		{"/pay\r\nSet-Cookie: a=b", "", false},
		{"https://shop.example.com//evil.example/pay", "/evil.example/pay", true},
	} {
		got, ok := sitePath(tt.raw, host, store)
		if got != tt.want || ok != tt.ok {
			t.Errorf("sitePath(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

// TestWithPayLinkComesFromTheStoresAnswer checks the accept's answer when
// the store made a follow-up order to pay: the link and amount due, or no
// link when the store's link leads elsewhere.
func TestWithPayLinkComesFromTheStoresAnswer(t *testing.T) {
	st := &contract.Store{Endpoint: stores.Endpoint{URL: "http://127.0.0.1:8080"}}
	h := &Handler{logger: zap.NewNop(), store: st}
	cl := offers.Claims{Placement: offers.PlacementThankYou, Currency: "USD", OfferID: "thermos"}
	r := httptest.NewRequest("POST", "http://shop.example.com/_upsell/page/accept", nil)
	due := stores.Answer{Status: 201, Mode: stores.ModeFollowUp, Total: 1500, FollowUpOrderID: "43",
		FollowUpURL: "http://127.0.0.1:8080/checkout/order-pay/43/?pay_for_order=true&key=wc_order_k"}

	out, _ := acceptOutcome(cl, due, nil)
	out = h.withPayLink(r, cl, due, out)
	if out.PaymentURL != "/checkout/order-pay/43/?pay_for_order=true&key=wc_order_k" || out.AmountDue != "$15.00" ||
		out.Message != payDueMessage+" Its total is $15.00." || out.Mode != "follow_up" || out.Total != "" {
		t.Errorf("payment due: %+v", out)
	}

	elsewhere := due
	elsewhere.FollowUpURL = "https://pay.evil.example/43"
	out, _ = acceptOutcome(cl, elsewhere, nil)
	if out = h.withPayLink(r, cl, elsewhere, out); out.PaymentURL != "" || out.Message != followUpMessage+" Its total is $15.00." {
		t.Errorf("a link elsewhere: %+v", out)
	}

	edited := stores.Answer{Status: 200, Mode: stores.ModeEdited, Total: 2750, FollowUpURL: "/pay/1"}
	out, _ = acceptOutcome(cl, edited, nil)
	if out = h.withPayLink(r, cl, edited, out); out.PaymentURL != "" || out.Total != "$27.50" {
		t.Errorf("an edited order: %+v", out)
	}
}
