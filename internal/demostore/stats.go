package demostore

import "sync/atomic"

// Stats counts what reached the store's JSON API, so that tests can prove
// what Kairo did or did not send. Every request to an endpoint counts as a
// call, whatever its answer.
type Stats struct {
	// AcceptCalls counts requests to POST /api/orders/{order_id}/upsells.
	AcceptCalls int64 `json:"accept_calls"`
	// AcceptApplied counts accepts that changed an order.
	AcceptApplied int64 `json:"accept_applied"`
	// AcceptReplayed counts accepts and cart adds answered from an earlier
	// request with the same Idempotency-Key.
	AcceptReplayed int64 `json:"accept_replayed"`
	// AcceptCancelled counts accepts and cart adds whose client went away
	// during Faults.AcceptDelay; nothing was added for them.
	AcceptCancelled int64 `json:"accept_cancelled"`
	// CartAddCalls counts requests to POST /api/cart/items.
	CartAddCalls int64 `json:"cart_add_calls"`
	// CartAddApplied counts cart adds that changed a cart.
	CartAddApplied int64 `json:"cart_add_applied"`
	// ContextCalls counts requests to GET /api/cart and
	// GET /api/orders/{order_id}.
	ContextCalls int64 `json:"context_calls"`
	// ContextCancelled counts context requests whose client went away (the
	// request context ended) during Faults.ContextDelay.
	ContextCancelled int64 `json:"context_cancelled"`
	// PageContexts counts cart and checkout pages that brought their own
	// cart context in their Kairo-Context header, because Kairo asked.
	PageContexts int64 `json:"page_contexts"`
	// OrdersCreated counts orders from checkout, CreateOrder and
	// POST /_demo/orders.
	OrdersCreated int64 `json:"orders_created"`
}

// counters is the live, lock-free form of Stats.
type counters struct {
	acceptCalls, acceptApplied, acceptReplayed, acceptCancelled atomic.Int64
	cartAddCalls, cartAddApplied                                atomic.Int64
	contextCalls, contextCancelled, pageContexts                atomic.Int64
	ordersCreated                                               atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		AcceptCalls:      c.acceptCalls.Load(),
		AcceptApplied:    c.acceptApplied.Load(),
		AcceptReplayed:   c.acceptReplayed.Load(),
		AcceptCancelled:  c.acceptCancelled.Load(),
		CartAddCalls:     c.cartAddCalls.Load(),
		CartAddApplied:   c.cartAddApplied.Load(),
		ContextCalls:     c.contextCalls.Load(),
		ContextCancelled: c.contextCancelled.Load(),
		PageContexts:     c.pageContexts.Load(),
		OrdersCreated:    c.ordersCreated.Load(),
	}
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{
		&c.acceptCalls, &c.acceptApplied, &c.acceptReplayed, &c.acceptCancelled,
		&c.cartAddCalls, &c.cartAddApplied, &c.contextCalls, &c.contextCancelled, &c.pageContexts, &c.ordersCreated,
	} {
		v.Store(0)
	}
}
