package demostore

import (
	"errors"
	"net/http"
	"sync/atomic"
)

// orderAddedAnswer is the 200 answer of POST /api/orders/{order_id}/upsells.
type orderAddedAnswer struct {
	OrderID  string     `json:"order_id"`
	Total    int64      `json:"total"`
	Currency string     `json:"currency"`
	Added    []LineItem `json:"added"`
}

// cartAddedAnswer is the 200 answer of POST /api/cart/items.
type cartAddedAnswer struct {
	CartID   string     `json:"cart_id"`
	Subtotal int64      `json:"subtotal"`
	Currency string     `json:"currency"`
	Added    []LineItem `json:"added"`
}

// serveCartContext answers GET /api/cart with the cart named by the
// customer's cookie. A request without one gets an empty cart under a new
// id that is not kept (the customer has no cart yet).
func (s *Store) serveCartContext(w http.ResponseWriter, r *http.Request) {
	s.counters.contextCalls.Add(1)
	s.dropIfDown()
	f := s.faults.Load()
	if !holdBack(r.Context(), f.ContextDelay, &s.counters.contextCancelled) {
		return
	}
	if f.ContextStatus != 0 {
		writeInjectedStatus(w, f.ContextStatus)
		return
	}
	id, ok := cartIDFromCookie(r)
	if !ok {
		writeJSON(w, http.StatusOK, Cart{ID: newID("cart_"), Currency: s.cfg.Currency, Items: []LineItem{}, Status: StatusOpen})
		return
	}
	cart, _ := s.shop.cart(id, true)
	writeJSON(w, http.StatusOK, cart)
}

// serveOrderContext answers GET /api/orders/{order_id}.
func (s *Store) serveOrderContext(w http.ResponseWriter, r *http.Request) {
	s.counters.contextCalls.Add(1)
	s.dropIfDown()
	if s.refuseUnauthorized(w, r) {
		return
	}
	f := s.faults.Load()
	if !holdBack(r.Context(), f.ContextDelay, &s.counters.contextCancelled) {
		return
	}
	if f.ContextStatus != 0 {
		writeInjectedStatus(w, f.ContextStatus)
		return
	}
	o, ok := s.shop.order(r.PathValue("order_id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// serveOrderUpsells answers POST /api/orders/{order_id}/upsells: it appends
// accepted post-purchase items to a paid order, exactly once per
// Idempotency-Key.
func (s *Store) serveOrderUpsells(w http.ResponseWriter, r *http.Request) {
	s.counters.acceptCalls.Add(1)
	s.dropIfDown()
	if s.refuseUnauthorized(w, r) {
		return
	}
	orderID := r.PathValue("order_id")
	if _, ok := s.shop.order(orderID); !ok {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	s.serveAddition(w, r, addition{
		scope:   "order:" + orderID,
		orderID: orderID,
		status:  func(f *Faults) int { return f.AcceptStatus },
		applied: &s.counters.acceptApplied,
		apply: func(lines []LineItem, shipping int64) (any, error) {
			for i := range lines {
				lines[i].AddedAfterCheckout = true
			}
			o, err := s.shop.appendToOrder(orderID, lines, shipping)
			if err != nil {
				return nil, err
			}
			return orderAddedAnswer{OrderID: o.ID, Total: o.Total, Currency: o.Currency, Added: lines}, nil
		},
	})
}

// serveCartItems answers POST /api/cart/items: it adds accepted cart
// offers to the customer's cart (named by the cookie; a request without
// one starts a cart and sets the cookie), exactly once per Idempotency-Key.
func (s *Store) serveCartItems(w http.ResponseWriter, r *http.Request) {
	s.counters.cartAddCalls.Add(1)
	s.dropIfDown()
	cartID := s.cartIDOrNew(w, r)
	s.serveAddition(w, r, addition{
		scope:   "cart:" + cartID,
		status:  func(f *Faults) int { return f.CartAddStatus },
		applied: &s.counters.cartAddApplied,
		apply: func(lines []LineItem, _ int64) (any, error) {
			c, err := s.shop.addToCart(cartID, lines)
			if err != nil {
				return nil, err
			}
			return cartAddedAnswer{CartID: c.ID, Subtotal: c.Subtotal, Currency: c.Currency, Added: lines}, nil
		},
	})
}

// addition is what differs between adding to an order and to a cart.
type addition struct {
	scope   string // idempotency scope
	orderID string // "" for a cart
	status  func(*Faults) int
	applied *atomic.Int64
	apply   func(lines []LineItem, shipping int64) (answer any, err error)
}

// serveAddition runs the shared add-items flow: key and body checks, the
// exactly-once claim, injected faults, then the change itself.
func (s *Store) serveAddition(w http.ResponseWriter, r *http.Request, a addition) {
	key, err := idempotencyKey(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	req, err := decodeAddItems(w, r)
	if errors.Is(err, errBodyTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	lines, err := req.linesFor(s.cfg.Currency, a.orderID)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}

	k := replayKey{scope: a.scope, key: key}
	entry, owned, err := s.ledger.claim(r.Context(), k, req.fingerprint())
	switch {
	case errors.Is(err, errKeyReused):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	case err != nil:
		return // the client went away while an earlier request with its key ran
	case !owned:
		s.counters.acceptReplayed.Add(1)
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSONBytes(w, entry.status, entry.body)
		return
	}
	settled := false
	defer func() {
		if !settled {
			s.ledger.forget(k, entry)
		}
	}()

	f := s.faults.Load()
	if !holdBack(r.Context(), f.AcceptDelay, &s.counters.acceptCancelled) {
		return
	}
	if status := a.status(f); status != 0 {
		writeInjectedStatus(w, status)
		return
	}
	answer, err := a.apply(lines, req.Shipping)
	switch {
	case errors.Is(err, errNotEditable):
		writeError(w, http.StatusGone, err.Error())
		return
	case errors.Is(err, errUnknownOrder):
		writeError(w, http.StatusNotFound, "no such order")
		return
	case err != nil:
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	a.applied.Add(1)
	body, _ := encodeJSON(answer) // plain structs: cannot fail
	s.ledger.keep(k, entry, http.StatusOK, body)
	settled = true
	writeJSONBytes(w, http.StatusOK, body)
}
