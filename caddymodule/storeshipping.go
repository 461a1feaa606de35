package caddymodule

import (
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// withholdShipping keeps offers with shipping from the buyers of a store
// that cannot charge it (stores.ShippingCharger): the store would refuse
// their accept after the buyer chose to pay. Decided once per catalog load,
// for every page that shows offers, and said once.
func (h *Handler) withholdShipping() {
	if sc, ok := h.store.(stores.ShippingCharger); !ok || sc.ChargesShipping() {
		return
	}
	cat, ids := h.catalog.Withhold(func(o *offers.Offer) bool { return o.Shipping > 0 })
	h.catalog = cat
	if len(ids) > 0 {
		h.logger.Warn("offers with shipping are not shown: this store cannot charge an offer's shipping; set their shipping to 0 to show them",
			zap.Strings("offers", ids), zap.String("catalog", h.Catalog))
	}
}
