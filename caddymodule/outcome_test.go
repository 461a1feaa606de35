package caddymodule

import (
	"errors"
	"net/http"
	"testing"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// TestAcceptOutcomeByStoreAnswer checks that each store answer reaches the
// shopper as its own sentence, and which ones may be retried.
func TestAcceptOutcomeByStoreAnswer(t *testing.T) {
	order := offers.Claims{Placement: offers.PlacementThankYou, Currency: "USD"}
	tests := []struct {
		name       string
		ans        stores.Answer
		err        error
		httpStatus int
		status     string
		message    string
		retryable  bool
	}{
		{"edited", stores.Answer{Status: 200, Total: 6098, Mode: stores.ModeEdited}, nil, http.StatusOK, "accepted", "Added to your order.", false},
		{"follow-up", stores.Answer{Status: 201, Mode: stores.ModeFollowUp}, nil, http.StatusOK, "accepted", followUpMessage, false},
		{"follow-up with its total", stores.Answer{Status: 200, Mode: stores.ModeFollowUp, Total: 3000}, nil, http.StatusOK, "accepted", followUpMessage + " Its total is $30.00.", false},
		{"sold out", stores.Answer{Status: 409, Reason: stores.ReasonOutOfStock}, nil, http.StatusConflict, "out_of_stock", outcomes["out_of_stock"].Message, false},
		{"coupon", stores.Answer{Status: 409, Reason: stores.ReasonCouponConflict}, nil, http.StatusConflict, "coupon_conflict", outcomes["coupon_conflict"].Message, false},
		{"409 without reason", stores.Answer{Status: 409}, nil, http.StatusConflict, "conflict", outcomes["conflict"].Message, false},
		{"unknown reason", stores.Answer{Status: 409, Reason: "tuesday"}, nil, http.StatusConflict, "conflict", outcomes["conflict"].Message, false},
		{"payment", stores.Answer{Status: 402}, nil, http.StatusPaymentRequired, "payment_failed", outcomes["payment_failed"].Message, false},
		{"closed", stores.Answer{Status: 410}, nil, http.StatusGone, "order_closed", outcomes["order_closed"].Message, false},
		{"5xx", stores.Answer{Status: 503}, nil, http.StatusBadGateway, "store_unavailable", outcomes["store_unavailable"].Message, true},
		{"rate-limited", stores.Answer{Status: 429}, nil, http.StatusBadGateway, "store_unavailable", outcomes["store_unavailable"].Message, true},
		{"request timeout", stores.Answer{Status: 408}, nil, http.StatusBadGateway, "store_unavailable", outcomes["store_unavailable"].Message, true},
		{"too early", stores.Answer{Status: 425}, nil, http.StatusBadGateway, "store_unavailable", outcomes["store_unavailable"].Message, true},
		{"credential refused", stores.Answer{Status: 401}, nil, http.StatusBadGateway, "error", outcomes["error"].Message, true},
		{"forbidden", stores.Answer{Status: 403}, nil, http.StatusBadGateway, "error", outcomes["error"].Message, true},
		{"bad request", stores.Answer{Status: 400}, nil, http.StatusBadGateway, "error", outcomes["error"].Message, false},
		{"timeout", stores.Answer{}, &stores.Failure{Reason: stores.FailTimeout, Err: errors.New("slow")}, http.StatusGatewayTimeout, "store_unavailable", outcomes["store_timeout"].Message, true},
		{"unreachable", stores.Answer{}, &stores.Failure{Reason: stores.FailUnreachable, Err: errors.New("refused")}, http.StatusServiceUnavailable, "store_unavailable", outcomes["store_unavailable"].Message, true},
	}
	for _, tt := range tests {
		out, retry := acceptOutcome(order, tt.ans, tt.err)
		if out.HTTPStatus != tt.httpStatus || out.Status != tt.status || out.Message != tt.message || retry != tt.retryable {
			t.Errorf("%s: got %+v retry=%v, want %d %s %q retry=%v", tt.name, out, retry, tt.httpStatus, tt.status, tt.message, tt.retryable)
		}
	}
	if out, _ := acceptOutcome(order, stores.Answer{Status: 200, Total: 6098}, nil); out.Total != "$60.98" {
		t.Errorf("total %q, want $60.98", out.Total)
	}
	if out, _ := acceptOutcome(order, stores.Answer{Status: 200, Total: 3000, Mode: stores.ModeFollowUp}, nil); out.Total != "" {
		t.Errorf("a follow-up order's total %q is given as the order's new total", out.Total)
	}
	// The answer writes amounts the way the offer's prices were shown.
	german := order
	german.Locale = "de-DE"
	if out, _ := acceptOutcome(german, stores.Answer{Status: 200, Total: 609800}, nil); out.Total != "6.098,00\u00a0$" {
		t.Errorf("total for de-DE %q, want 6.098,00 $", out.Total)
	}
	if out, _ := acceptOutcome(german, stores.Answer{Status: 200, Total: 3000, Mode: stores.ModeFollowUp}, nil); out.Message != followUpMessage+" Its total is 30,00\u00a0$." {
		t.Errorf("follow-up message for de-DE %q", out.Message)
	}
}
