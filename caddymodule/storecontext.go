package caddymodule

import (
	"context"
	"net/url"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// contextResult is the store's answer to a context request.
type contextResult struct {
	sc  *offers.Context
	err error
	// product is a product page's product, nil elsewhere or when the store
	// has no product_context.
	product *offers.ProductContext
	// available is false when nothing may be offered on the page (a
	// product page whose product is out of stock).
	available bool
}

// fetchContext asks the store for the cart or order in the background. The
// channel receives exactly one result; ctx bounds the wait. page is the
// page's address, which an OrderPageStore checks for the order's key.
func (h *Handler) fetchContext(ctx context.Context, pl offers.Placement, orderID string, page *url.URL, who stores.Shopper) <-chan contextResult {
	ch := make(chan contextResult, 1)
	pageStore, byPage := h.store.(stores.OrderPageStore)
	key := h.contextCacheKey(pl, orderID, who)
	if key != "" {
		if sc, ok := h.contexts.get(key); ok {
			ch <- cachedResult(sc)
			return ch
		}
	}
	h.contextCalls.run(func() {
		start := time.Now()
		var res contextResult
		call := "cart_context"
		if pl == offers.PlacementThankYou {
			call = "order_context"
			if byPage {
				res.sc, res.err = pageStore.OrderContextFor(ctx, orderID, page)
			} else {
				res.sc, res.err = h.store.OrderContext(ctx, orderID, who)
			}
		} else {
			res.sc, res.err = h.store.CartContext(ctx, who)
		}
		h.metrics.storeLatency.WithLabelValues(call, resultLabel(res.err)).Observe(time.Since(start).Seconds())
		if key != "" && res.err == nil {
			h.contexts.setVisible(key, res.sc)
		}
		res.available = true
		ch <- res
	})
	return ch
}

// contextCacheKey is the key the page's context is cached under, or ""
// when it is not cached: a cart without cookies has no identity to cache
// it under; an order shown only with its page's key must not be served
// from the cache to a page without it.
func (h *Handler) contextCacheKey(pl offers.Placement, orderID string, who stores.Shopper) string {
	if h.contexts == nil {
		return ""
	}
	if _, byPage := h.store.(stores.OrderPageStore); pl == offers.PlacementThankYou && byPage || pl != offers.PlacementThankYou && who.Cookie == "" {
		return ""
	}
	return contextKey(pl, orderID, who.Cookie)
}

// cachedContext is the page's context from the cache, or nil.
func (h *Handler) cachedContext(pl offers.Placement, orderID string, who stores.Shopper) *offers.Context {
	if key := h.contextCacheKey(pl, orderID, who); key != "" {
		if sc, ok := h.contexts.get(key); ok {
			return sc
		}
	}
	return nil
}

// cachedResult is a context from the cache as a store's answer.
func cachedResult(sc *offers.Context) contextResult {
	return contextResult{sc: sc, available: true}
}

// resultLabel names a store call's result for the latency metric.
func resultLabel(err error) string {
	if err == nil {
		return "ok"
	}
	if reason := stores.FailureReason(err); reason != "" {
		return reason
	}
	return "error"
}
