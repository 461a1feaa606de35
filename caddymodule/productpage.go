package caddymodule

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// fetchProductPage asks the store, in the background, for what a product
// page's offers depend on: the customer's cart (as on the cart page, through
// the same cache) and, when the store describes its products
// (stores.ProductContexter), the page's product, both at once. The channel
// receives one result: the cart seen from the product page
// (offers.Context.WithProduct), or the cart's error. A product context that
// fails is not fatal: the product id from the path still targets and
// excludes the product.
func (h *Handler) fetchProductPage(ctx context.Context, productID string, who stores.Shopper) <-chan contextResult {
	cart := h.fetchContext(ctx, offers.PlacementProduct, "", nil, who)
	byID := &offers.ProductContext{ProductID: productID}
	pc, ok := h.store.(stores.ProductContexter)
	if !ok {
		return withProduct(cart, byID, nil)
	}
	product := make(chan *offers.ProductContext, 1)
	go func() {
		start := time.Now()
		p, err := pc.ProductContext(ctx, who, productID)
		if p != nil || err != nil {
			h.metrics.storeLatency.WithLabelValues("product_context", resultLabel(err)).Observe(time.Since(start).Seconds())
		}
		if err != nil || p == nil || p.ProductID != productID {
			if err != nil || p != nil {
				h.logger.Debug("product page targets by the id in its path: product_context failed or named another product",
					zap.String("product", productID), zap.Error(err))
			}
			p = byID
		}
		product <- p
	}()
	return withProduct(cart, nil, product)
}

// withProduct combines the cart's result with the page's product, known
// (fixed) or on its way (pending).
func withProduct(cart <-chan contextResult, fixed *offers.ProductContext, pending <-chan *offers.ProductContext) <-chan contextResult {
	out := make(chan contextResult, 1)
	go func() {
		res := <-cart
		p := fixed
		if pending != nil {
			p = <-pending
		}
		if res.err == nil {
			res.sc = res.sc.WithProduct(p)
			res.product = p
			res.available = p.Available()
		}
		out <- res
	}()
	return out
}

// productKey names the parts of a page's product that a widget layout
// shows, appended to the layout key (appendLayoutKey).
func productKey(p *offers.ProductContext) string {
	if p == nil {
		return ""
	}
	return "|p:" + p.ProductID + ":" + p.Currency + strconv.FormatInt(p.UnitPrice, 10) + ":" + p.Title + ":" + p.Image
}
