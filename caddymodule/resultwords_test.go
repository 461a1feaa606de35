package caddymodule

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// TestResultTextKeys checks that every sentence a customer can be given
// has a key to word it by, and that none stands for two.
func TestResultTextKeys(t *testing.T) {
	for code, out := range outcomes {
		if !isResultTextKey(resultKey(out)) {
			t.Errorf("outcome %s (status %s) has no text key", code, out.Status)
		}
	}
	for _, key := range []string{"result_follow_up", "result_pay_due", "result_payment_failed", "result_declined"} {
		if !isResultTextKey(key) {
			t.Errorf("%s is not a result text key", key)
		}
	}
	for _, key := range []string{"result_store_timeout", "result_", "payment_failed", "headline"} {
		if isResultTextKey(key) {
			t.Errorf("%s is a result text key", key)
		}
	}
	if !slices.IsSorted(resultTextKeys) || len(slices.Compact(slices.Clone(resultTextKeys))) != len(resultTextKeys) {
		t.Errorf("resultTextKeys is not sorted without repeats: %v", resultTextKeys)
	}
}

// TestWordedResults checks where an answer's words come from: the offer's
// own catalog text, else the texts of the page's placement, else the
// English sentence; and that {total} names the amount.
func TestWordedResults(t *testing.T) {
	h := provisioned(t, contractStore(t, http.StatusOK, cartWithBeans).URL)
	h.PostPurchase.Texts = map[string]string{
		"result_payment_failed": "Ihre Zahlung wurde abgelehnt. Nichts wurde hinzugefügt.",
		"result_accepted":       "Zu Ihrer Bestellung hinzugefügt. Neue Summe: {total}.",
		"result_follow_up":      "Als zweite Bestellung hinzugefügt ({total}).",
		"result_pay_due":        "Noch zu bezahlen: {total}.",
	}
	h.Placements = map[string]*PlacementOptions{
		"checkout": {Text: map[string]string{"result_out_of_stock": "Leider ausverkauft."}},
		"cart":     {Text: map[string]string{"result_declined": "Kein Problem."}},
	}
	thermos := h.catalog.Offer("thermos-20")
	if thermos == nil {
		t.Fatal("the demo catalog has no thermos-20")
	}
	thermos.Text = map[string]string{"result_payment_failed": "Der Thermobecher konnte nicht bezahlt werden."}

	german := offers.Claims{Placement: offers.PlacementThankYou, Currency: "EUR", Locale: "de-DE"}
	edited, _ := acceptOutcome(german, stores.Answer{Status: 200, Total: 6098, Mode: stores.ModeEdited}, nil)
	followUp, _ := acceptOutcome(german, stores.Answer{Status: 200, Total: 3000, Mode: stores.ModeFollowUp}, nil)
	payDue := followUp
	payDue.PaymentURL, payDue.AmountDue = "/pay/2", "30,00\u00a0€"
	tests := []struct {
		name    string
		out     Outcome
		pl      offers.Placement
		offerID string
		want    string
	}{
		{"the offer page's words", outcomes["payment_failed"], offers.PlacementThankYou, "", "Ihre Zahlung wurde abgelehnt. Nichts wurde hinzugefügt."},
		{"the offer's own words first", outcomes["payment_failed"], offers.PlacementThankYou, "thermos-20", "Der Thermobecher konnte nicht bezahlt werden."},
		{"another offer: the page's", outcomes["payment_failed"], offers.PlacementThankYou, "socks-half", "Ihre Zahlung wurde abgelehnt. Nichts wurde hinzugefügt."},
		{"a new total", edited, offers.PlacementThankYou, "", "Zu Ihrer Bestellung hinzugefügt. Neue Summe: 60,98\u00a0€."},
		{"a second order", followUp, offers.PlacementThankYou, "", "Als zweite Bestellung hinzugefügt (30,00\u00a0€)."},
		{"a second order to pay", payDue, offers.PlacementThankYou, "", "Noch zu bezahlen: 30,00\u00a0€."},
		{"a placement's words", outcomes["out_of_stock"], offers.PlacementCheckout, "", "Leider ausverkauft."},
		{"the cart box's words", outcomes["declined"], offers.PlacementCart, "", "Kein Problem."},
		{"{total} without an amount: passed over", outcomes["accepted"], offers.PlacementThankYou, "", outcomes["accepted"].Message},
		{"not worded: English", outcomes["out_of_stock"], offers.PlacementThankYou, "", outcomes["out_of_stock"].Message},
		{"another placement: English", outcomes["out_of_stock"], offers.PlacementProduct, "", outcomes["out_of_stock"].Message},
		{"no placement: English", outcomes["payment_failed"], "", "", outcomes["payment_failed"].Message},
	}
	for _, tt := range tests {
		if got := h.worded(tt.out, tt.pl, tt.offerID); got.Message != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got.Message, tt.want)
		} else if got.Status != tt.out.Status || got.HTTPStatus != tt.out.HTTPStatus {
			t.Errorf("%s: the words changed the result: %+v", tt.name, got)
		}
	}
	if outcomes["payment_failed"].Message == "Ihre Zahlung wurde abgelehnt. Nichts wurde hinzugefügt." {
		t.Errorf("wording changed the English outcome itself")
	}
}

// TestResultWordsAreChecked checks that a result's text key is taken where
// it words something, and a misspelt one stops the config with the keys
// it may be.
func TestResultWordsAreChecked(t *testing.T) {
	c := PostPurchaseConfig{Mode: PostPurchasePage, Window: caddy.Duration(15 * time.Minute), MaxSteps: 2,
		Texts: map[string]string{"result_payment_failed": "x"}}
	if err := c.validate(); err != nil {
		t.Errorf("post_purchase text result_payment_failed: %v", err)
	}
	c.Texts = map[string]string{"result_paymentfailed": "x"}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), `"result_paymentfailed"`) || !strings.Contains(err.Error(), "result_payment_failed") {
		t.Errorf("a misspelt result key: %v", err)
	}
	for name, o := range map[string]PlacementOptions{
		"product": {Text: map[string]string{"result_out_of_stock": "x", "result_partly_added": "z", "heading": "y"}},
		"cart":    {Text: map[string]string{"result_declined": "x"}},
	} {
		if err := o.validate(name); err != nil {
			t.Errorf("placement %s: %v", name, err)
		}
	}
	for name, key := range map[string]string{"checkout": "result_pay_due", "cart": "result_partly_added", "popup": "result_not_buyer"} {
		if err := (&PlacementOptions{Text: map[string]string{key: "x"}}).validate(name); err == nil || !strings.Contains(err.Error(), "never give") {
			t.Errorf("placement %s with %s, a result it never gives: %v", name, key, err)
		}
	}
	c.Texts = map[string]string{"result_other_cart": "x"}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "only pages before purchase give") {
		t.Errorf("post_purchase with result_other_cart: %v", err)
	}
	if err := (&PlacementOptions{Text: map[string]string{"result_declined": "x"}}).validate("thank_you"); err == nil || !strings.Contains(err.Error(), "post_purchase") {
		t.Errorf("placement thank_you with a result text: %v, want to be sent to post_purchase", err)
	}
}
