package caddymodule

import (
	"slices"
	"strings"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// The sentences a customer is given after acting on an offer (outcomes,
// outcome.go) are English. An operator words them in the store's language
// by result, with the text key "result_" and the result's status code
// (result_payment_failed, result_out_of_stock, ...; resultTextKeys):
//
//   - for one offer, in its catalog text, which comes first;
//   - on a thank-you page (the offer page or the inline box), in
//     post_purchase's text;
//   - on a product, checkout or pop-up placement, or the cart's inline box,
//     in the placement's text (beside the widget's own words).
//
// An accepted offer's sentence has three keys: result_accepted, and, when
// the store made a second order of it, result_follow_up, or result_pay_due
// when that order still has to be paid; {total} in them is the amount the
// English sentence names (the new order total, or the second order's).
//
// The ledger keeps the English outcome; the words are put in each answer
// as it goes out (worded), so a repeat of an accept reads the same as the
// first answer, and a change of words applies to old outcomes too.

// resultKeyPrefix starts the text key of a result's sentence.
const resultKeyPrefix = "result_"

// Result keys of an accept the store took as a second order.
const (
	resultFollowUp = resultKeyPrefix + "follow_up"
	resultPayDue   = resultKeyPrefix + "pay_due"
)

// resultTextKeys are the text keys of the results' sentences, sorted: one
// per status code of outcomes, and the two of an accepted second order.
var resultTextKeys = func() []string {
	keys := []string{resultFollowUp, resultPayDue}
	for code, out := range outcomes {
		if code == out.Status { // store_timeout words store_unavailable
			keys = append(keys, resultKeyPrefix+code)
		}
	}
	slices.Sort(keys)
	return keys
}()

// isResultTextKey reports whether key words a result's sentence.
func isResultTextKey(key string) bool {
	_, found := slices.BinarySearch(resultTextKeys, key)
	return found
}

// resultsOnlyOn are the results only the pages of some placements give: a
// text for one of them on other pages would word nothing, so it is refused
// there.
var resultsOnlyOn = map[string]func(offers.Placement) bool{
	resultKeyPrefix + "not_buyer":    isThankYou,
	resultFollowUp:                   isThankYou,
	resultPayDue:                     isThankYou,
	resultKeyPrefix + "other_cart":   offers.Placement.PrePurchase,
	resultKeyPrefix + "partly_added": func(pl offers.Placement) bool { return pl == offers.PlacementProduct }, // bundles
}

// isThankYou reports whether pl is the thank-you page's.
func isThankYou(pl offers.Placement) bool { return pl == offers.PlacementThankYou }

// resultWordsFit reports whether key, a result text key, words a result
// the pages of placement pl may give.
func resultWordsFit(key string, pl offers.Placement) bool {
	only, ok := resultsOnlyOn[key]
	return !ok || only(pl)
}

// resultKey is the text key that words out's sentence.
func resultKey(out Outcome) string {
	if out.Status == "accepted" && out.Mode == string(stores.ModeFollowUp) {
		if out.PaymentURL != "" {
			return resultPayDue
		}
		return resultFollowUp
	}
	return resultKeyPrefix + out.Status
}

// worded returns out with its sentence in the operator's words for an
// answer about offerID (or none, "") on a page of placement pl, when they
// gave any; else out as it is. Words that name {total} are passed over
// for an answer that has no amount to put there (a notice after a form
// post, a store that sent no total).
func (h *Handler) worded(out Outcome, pl offers.Placement, offerID string) Outcome {
	key, amount := resultKey(out), out.namedAmount()
	usable := func(texts map[string]string) (string, bool) {
		text, ok := texts[key]
		return text, ok && (amount != "" || !strings.Contains(text, "{total}"))
	}
	var text string
	ok := false
	if o := h.catalog.Offer(offerID); o != nil {
		text, ok = usable(o.Text)
	}
	if !ok {
		text, ok = usable(h.placementTexts(pl))
	}
	if ok {
		out.Message = strings.ReplaceAll(text, "{total}", amount)
	}
	return out
}

// placementTexts are the operator's texts of the pages of placement pl:
// post_purchase's for thank-you pages, the placement's own for the
// others.
func (h *Handler) placementTexts(pl offers.Placement) map[string]string {
	if pl == offers.PlacementThankYou {
		return h.PostPurchase.Texts
	}
	return h.placementOptions(pl).Text
}

// namedAmount is the amount out's English sentence names, for {total}: a
// second order's total, or the order's new total.
func (out Outcome) namedAmount() string {
	switch {
	case out.AmountDue != "":
		return out.AmountDue
	case out.FollowUpTotal != "":
		return out.FollowUpTotal
	}
	return out.Total
}
