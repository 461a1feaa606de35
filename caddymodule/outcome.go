package caddymodule

import (
	"net/http"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// Outcome is the answer Kairo gave to an accept. Every repeat of an accept
// of the same offer for the same order (or cart) gets the same Outcome
// again, from the ledger, so a double click, a second tab, a retry, a
// restart or another instance never reaches the store twice.
type Outcome struct {
	// HTTPStatus is the status of the JSON answer.
	HTTPStatus int `json:"http_status"`
	// Status is a short machine code: accepted, payment_failed, ...
	Status string `json:"status"`
	// Message is the plain-words sentence shown to the customer.
	Message string `json:"message"`
	// Total is the formatted order or cart total after an accept, if known.
	Total string `json:"total,omitempty"`
	// Mode says how the store applied an accept: "edited" (the order or
	// cart now holds the item) or "follow_up" (a separate, linked order).
	Mode string `json:"mode,omitempty"`
	// PaymentURL is the store's payment page of the follow-up order, a
	// path on this site, when the buyer must still pay for it there; from
	// the store's answer only (payurl.go). AmountDue is what it asks.
	PaymentURL string `json:"payment_url,omitempty"`
	AmountDue  string `json:"amount_due,omitempty"`
	// FollowUpTotal is the follow-up order's total, as its sentence
	// names it (Message), for the operator's words of it (resultwords.go).
	FollowUpTotal string `json:"follow_up_total,omitempty"`
}

// outcomeForbiddenOrigin answers a cross-site post (crossOrigin).
var outcomeForbiddenOrigin = Outcome{HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This request did not come from the store's own page."}

// outcomes by status code, the answers a customer can be given. The
// notice shown after a plain form post is looked up here too, so a crafted
// link can only show one of these fixed sentences.
//
// A failed store call answers as a gateway does (acceptOutcome): 502 when
// the store answered with a 5xx ("store_unavailable" as written here), 503
// when it could not be reached at all (the same sentence, its status
// changed there), 504 past accept_timeout ("store_timeout"). The README's
// failure table promises these three.
var outcomes = map[string]Outcome{
	"accepted":          {HTTPStatus: http.StatusOK, Status: "accepted", Message: "Added to your order."},
	"payment_failed":    {HTTPStatus: http.StatusPaymentRequired, Status: "payment_failed", Message: "Your payment method was declined for this item, so nothing was added and you were not charged."},
	"out_of_stock":      {HTTPStatus: http.StatusConflict, Status: "out_of_stock", Message: "Sorry, this item just sold out. Nothing was added."},
	"coupon_conflict":   {HTTPStatus: http.StatusConflict, Status: "coupon_conflict", Message: "This offer cannot be combined with the coupon already in your cart, so nothing was added."},
	"conflict":          {HTTPStatus: http.StatusConflict, Status: "conflict", Message: "The store could not add this item right now. Nothing was added or charged."},
	"order_closed":      {HTTPStatus: http.StatusGone, Status: "order_closed", Message: "This order can no longer be changed, so the offer could not be added."},
	"store_unavailable": {HTTPStatus: http.StatusBadGateway, Status: "store_unavailable", Message: "The store could not be reached. Nothing was added; please try again in a moment."},
	"store_timeout":     {HTTPStatus: http.StatusGatewayTimeout, Status: "store_unavailable", Message: "The store took too long to answer. Nothing was added; please try again in a moment."},
	"error":             {HTTPStatus: http.StatusBadGateway, Status: "error", Message: "The store could not add this item. Nothing was charged."},
	"in_progress":       {HTTPStatus: http.StatusConflict, Status: "in_progress", Message: "This offer is already being added. Please wait a moment."},
	"expired":           {HTTPStatus: http.StatusGone, Status: "expired", Message: "This offer has expired."},
	"invalid":           {HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "This offer is not valid."},
	"forbidden":         {HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This offer could not be added from here."},
	"other_cart":        {HTTPStatus: http.StatusForbidden, Status: "other_cart", Message: "This offer belongs to another cart."},
	"not_buyer":         {HTTPStatus: http.StatusForbidden, Status: "not_buyer", Message: "This offer can only be added from the order's own page, in the browser it was shown in."},
	"changed":           {HTTPStatus: http.StatusGone, Status: "changed", Message: "This offer has changed. Nothing was added; please reload the page to see the current offer."},
	"unavailable":       {HTTPStatus: http.StatusServiceUnavailable, Status: "unavailable", Message: "We could not take this just now. Nothing was added; please try again in a moment."},
	"declined":          {HTTPStatus: http.StatusOK, Status: "declined", Message: "No problem, we won't show that offer again."},
	"partly_added":      {HTTPStatus: http.StatusConflict, Status: "partly_added", Message: "Some of the items were added to your cart, others could not be. Please check your cart."},
}

// outcomeByStatus returns the fixed outcome for a status code, worded for
// the placement.
func outcomeByStatus(code string, pl offers.Placement) (Outcome, bool) {
	out, ok := outcomes[code]
	if ok && code == "accepted" && pl.PrePurchase() {
		out.Message = "Added to your cart."
	}
	return out, ok
}

// followUpMessage is the accepted message when the store took a
// post-purchase offer as a linked follow-up order, not an edit.
const followUpMessage = "Added to your order, as a second order linked to the first."

// acceptOutcome turns the store's answer into the customer's answer, and
// says whether the accept may be tried again (the store did not apply it).
// A 409's reason code picks the sentence; a 409 without a known reason is
// a conflict, never claimed to be a sell-out.
func acceptOutcome(cl offers.Claims, ans stores.Answer, err error) (Outcome, bool) {
	if err != nil {
		if stores.FailureReason(err) == stores.FailTimeout {
			return outcomes["store_timeout"], true
		}
		// Not reached at all: 503, where a 5xx the store sent is 502.
		out := outcomes["store_unavailable"]
		out.HTTPStatus = http.StatusServiceUnavailable
		return out, true
	}
	switch {
	case ans.Applied():
		out, _ := outcomeByStatus("accepted", cl.Placement)
		out.Mode = string(stores.ModeEdited)
		switch {
		case ans.Mode == stores.ModeFollowUp:
			out.Mode = string(stores.ModeFollowUp)
			// The total is the second order's, not a new total of the
			// first: it goes in the sentence, not where "new total" shows.
			out.Message = followUpMessage
			if ans.Total > 0 {
				out.FollowUpTotal = amountIn(cl, ans.Total)
				out.Message += " Its total is " + out.FollowUpTotal + "."
			}
		case ans.Total > 0:
			out.Total = amountIn(cl, ans.Total)
		}
		return out, false
	case ans.Status == http.StatusPaymentRequired:
		return outcomes["payment_failed"], false
	case ans.Status == http.StatusConflict:
		switch ans.Reason {
		case stores.ReasonOutOfStock, stores.ReasonCouponConflict:
			return outcomes[string(ans.Reason)], false
		}
		return outcomes["conflict"], false
	case ans.Status == http.StatusGone:
		return outcomes["order_closed"], false
	case ans.Status >= 500 || stores.Busy(ans.Status): // not applied: free for a retry
		return outcomes["store_unavailable"], true
	case ans.Status == http.StatusUnauthorized || ans.Status == http.StatusForbidden:
		// Kairo's credential refused: the operator's to put right, and
		// the buyer may try again once it is (nothing was applied).
		return outcomes["error"], true
	}
	return outcomes["error"], false
}

// noticeParam is the query parameter that carries the result of a plain
// form post back to the page (see respond).
const noticeParam = "kairo"
