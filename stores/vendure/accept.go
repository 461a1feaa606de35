package vendure

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// markerPrefix starts the note that records an accept on the order's
// modification (and the transaction id of its payment): the key, once
// recorded, is never applied again.
const markerPrefix = "kairo:"

// finishTimeout bounds the steps after the order was changed (payment,
// state back to paid): they run even when the accept's own time is up, so
// an order is not left half way.
const finishTimeout = 10 * time.Second

// States of a placed order that Kairo may add to.
var editableStates = map[string]bool{"PaymentAuthorized": true, "PaymentSettled": true}

const transitionMutation = `mutation($id: ID!, $state: String!) {
  transitionOrderToState(id: $id, state: $state) {
    __typename
    ... on Order { id state }
    ... on ErrorResult { errorCode message }
  }
}`

const modifyMutation = `mutation($input: ModifyOrderInput!) {
  modifyOrder(input: $input) {
    __typename
    ... on Order { id state totalWithTax }
    ... on ErrorResult { errorCode message }
  }
}`

const manualPaymentMutation = `mutation($input: ManualPaymentInput!) {
  addManualPaymentToOrder(input: $input) {
    __typename
    ... on Order { id state totalWithTax }
    ... on ErrorResult { errorCode message }
  }
}`

// orderResult is an Order or an ErrorResult.
type orderResult struct {
	resultError
	ID           string `json:"id"`
	State        string `json:"state"`
	TotalWithTax int64  `json:"totalWithTax"`
}

// err is the ErrorResult, or nil for an Order.
func (r *orderResult) err() error {
	if r.ErrorCode != "" {
		return &r.resultError
	}
	return nil
}

// OrderAccept edits the placed order: the offer's items are added with a
// surcharge that brings them to the offer's price, the difference is
// recorded as an additional payment under PaymentMethod, and the order
// goes back to its paid state. The key is written on the modification's
// note; an accept whose key is there already answers as applied (and
// finishes the payment steps if an earlier attempt stopped before them).
func (c *Connector) OrderAccept(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	unlock := c.orders.Lock(req.OrderID)
	defer unlock()
	marker := markerPrefix + req.Key

	o, err := c.findOrder(ctx, req.OrderID)
	if err != nil {
		return stores.Answer{}, err
	}
	if o == nil {
		return stores.Answer{Status: http.StatusGone}, nil
	}
	if o.CurrencyCode != req.Currency {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	if o.recorded(marker) {
		return c.finish(ctx, o, marker)
	}
	paidState := o.paidState()
	switch {
	case o.State == "Modifying":
		// Someone else's change is under way (or one of ours stopped before
		// it changed anything): not now, the shopper may try again.
		return stores.Answer{Status: http.StatusServiceUnavailable, Detail: "the order is being modified already"}, nil
	case editableStates[o.State]:
		if err := c.transition(ctx, o.ID, "Modifying"); err != nil {
			return conflictOr(err)
		}
	default:
		return stores.Answer{Status: http.StatusGone}, nil
	}

	answer, err := c.modify(ctx, o, req, marker)
	if err != nil || !answer.Applied() {
		// Nothing changed: the order goes back to where it was.
		back, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		if terr := c.transition(back, o.ID, paidState); terr != nil && err == nil {
			err = terr
		}
		return answer, err
	}
	// The order holds the items now: what is left (the payment, back to
	// the paid state) must not be cut short by the accept's deadline,
	// which would leave it in Modifying with nothing paid and tell the
	// buyer nothing was added.
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	o, err = c.findOrder(fin, req.OrderID)
	if err != nil || o == nil {
		return stores.Answer{}, fmt.Errorf("vendure: reading the order after its change: %w", err)
	}
	return c.finish(fin, o, marker)
}

// modify adds the request's items to an order in Modifying at the offer's
// price: a dry run tells what the store would charge, a surcharge (with
// tax included, at a zero tax rate) makes up the difference; the offer's
// shipping is one more surcharge.
func (c *Connector) modify(ctx context.Context, o *order, req stores.AcceptRequest, marker string) (stores.Answer, error) {
	var want int64
	var items []map[string]any
	for _, l := range req.Items {
		variant := l.VariantID
		if variant == "" {
			// The catalog must name a ProductVariant id: nothing to add.
			return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
		}
		items = append(items, map[string]any{"productVariantId": variant, "quantity": l.Quantity})
		want += l.UnitPrice * int64(l.Quantity)
	}
	input := map[string]any{
		"orderId": o.ID, "addItems": items, "dryRun": true,
		"options": map[string]any{"recalculateShipping": false},
	}
	var dry struct {
		ModifyOrder orderResult `json:"modifyOrder"`
	}
	if err := c.adminCall(ctx, modifyMutation, map[string]any{"input": input}, &dry); err != nil {
		return stores.Answer{}, err
	}
	if err := dry.ModifyOrder.err(); err != nil {
		return refusal(&dry.ModifyOrder.resultError), nil
	}
	var surcharges []map[string]any
	if adjust := want - (dry.ModifyOrder.TotalWithTax - o.TotalWithTax); adjust != 0 {
		surcharges = append(surcharges, map[string]any{
			"description": "Offer " + req.OfferID, "sku": req.OfferID,
			"price": adjust, "priceIncludesTax": true, "taxRate": 0,
		})
	}
	if req.Shipping > 0 {
		// The offer's shipping is a surcharge of its own, so the order
		// shows it as shipping; it is part of the modification's price
		// change, which the additional payment collects.
		surcharges = append(surcharges, map[string]any{
			"description": "Shipping, offer " + req.OfferID, "sku": req.OfferID + "-shipping",
			"price": req.Shipping, "priceIncludesTax": true, "taxRate": 0,
		})
	}
	if len(surcharges) > 0 {
		input["surcharges"] = surcharges
	}
	input["dryRun"] = false
	input["note"] = marker + " offer " + req.OfferID
	var done struct {
		ModifyOrder orderResult `json:"modifyOrder"`
	}
	if err := c.adminCall(ctx, modifyMutation, map[string]any{"input": input}, &done); err != nil {
		return stores.Answer{}, err
	}
	if err := done.ModifyOrder.err(); err != nil {
		return refusal(&done.ModifyOrder.resultError), nil
	}
	return stores.Answer{Status: http.StatusOK, Total: done.ModifyOrder.TotalWithTax, Mode: stores.ModeEdited}, nil
}

// finish takes an order whose modification carries the marker back to its
// paid state, collecting the additional payment on the way if it is not
// recorded yet. It runs to the end even past the accept's deadline.
func (c *Connector) finish(ctx context.Context, o *order, marker string) (stores.Answer, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	state := o.State
	if state == "Modifying" {
		next := o.paidState()
		if o.priceChange(marker) > 0 {
			next = "ArrangingAdditionalPayment"
		}
		if err := c.transition(ctx, o.ID, next); err != nil {
			return stores.Answer{}, err
		}
		state = next
	}
	if state == "ArrangingAdditionalPayment" {
		if !o.paid(marker) {
			var out struct {
				Pay orderResult `json:"addManualPaymentToOrder"`
			}
			input := map[string]any{
				"orderId": o.ID, "method": c.PaymentMethod, "transactionId": marker,
				"metadata": map[string]any{"source": "kairo", "key": strings.TrimPrefix(marker, markerPrefix)},
			}
			if err := c.adminCall(ctx, manualPaymentMutation, map[string]any{"input": input}, &out); err != nil {
				return stores.Answer{}, err
			}
			if err := out.Pay.err(); err != nil {
				return stores.Answer{Status: http.StatusPaymentRequired}, nil
			}
		}
		if err := c.transition(ctx, o.ID, o.paidState()); err != nil {
			return stores.Answer{}, err
		}
	}
	// The order is read again for its state after the payment; the total
	// and the price change do not move with a payment or a state, so when
	// that read fails (a busy store) the order as read before still says
	// what the buyer was charged: the change is applied either way.
	if after, err := c.findOrder(ctx, o.Code); err == nil && after != nil {
		o = after
	}
	ans := stores.Answer{Status: http.StatusOK, Total: o.TotalWithTax, Mode: stores.ModeEdited}
	if o.recorded(marker) {
		// The modification's price change is what the buyer was charged
		// for the accept (the additional payment collected above).
		ans.Charged = offers.Money{Amount: o.priceChange(marker), Currency: o.CurrencyCode}
	}
	return ans, nil
}

// transition moves an order to a state.
func (c *Connector) transition(ctx context.Context, id, state string) error {
	var out struct {
		T orderResult `json:"transitionOrderToState"`
	}
	if err := c.adminCall(ctx, transitionMutation, map[string]any{"id": id, "state": state}, &out); err != nil {
		return err
	}
	return out.T.err()
}

// recorded reports whether a modification of the order carries the marker.
func (o *order) recorded(marker string) bool {
	return o.priceChange(marker) != 0 || o.hasNote(marker)
}

func (o *order) hasNote(marker string) bool {
	for _, m := range o.Modifications {
		if strings.HasPrefix(m.Note, marker+" ") || m.Note == marker {
			return true
		}
	}
	return false
}

// priceChange is the price change of the modification with the marker.
func (o *order) priceChange(marker string) int64 {
	for _, m := range o.Modifications {
		if strings.HasPrefix(m.Note, marker+" ") || m.Note == marker {
			return m.PriceChange
		}
	}
	return 0
}

// paid reports whether a payment with the marker as transaction id exists.
func (o *order) paid(marker string) bool {
	for _, p := range o.Payments {
		if p.TransactionID == marker && p.State != "Declined" && p.State != "Error" && p.State != "Cancelled" {
			return true
		}
	}
	return false
}

// paidState is the state an order goes back to: PaymentAuthorized while a
// payment is only authorised, else PaymentSettled.
func (o *order) paidState() string {
	for _, p := range o.Payments {
		if p.State == "Authorized" {
			return "PaymentAuthorized"
		}
	}
	return "PaymentSettled"
}

// refusal maps a Vendure ErrorResult to the store contract's answer.
func refusal(e *resultError) stores.Answer {
	switch e.ErrorCode {
	case "INSUFFICIENT_STOCK_ERROR", "OUT_OF_STOCK_ERROR":
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonOutOfStock}
	case "COUPON_CODE_INVALID_ERROR", "COUPON_CODE_EXPIRED_ERROR", "COUPON_CODE_LIMIT_ERROR":
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonCouponConflict}
	case "ORDER_MODIFICATION_STATE_ERROR":
		return stores.Answer{Status: http.StatusGone}
	}
	return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}
}

// conflictOr answers a refused state change as a conflict, and passes any
// other error on.
func conflictOr(err error) (stores.Answer, error) {
	if re, ok := err.(*resultError); ok {
		return refusal(re), nil
	}
	return stores.Answer{}, err
}
