package caddymodule

import (
	"slices"
	"time"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

// fragment signs one token per offer and appends the widget to dst from a
// cached layout, so a page view costs the signatures and a copy. Pre-purchase
// tokens carry the browser's binding (cartcookie.go). product is a
// product page's product, else nil. A thank-you page's tokens end at the
// order's deadline when it is known. Prices are written for loc.
func (h *Handler) fragment(dst []byte, pl offers.Placement, subject, binding string, picked []offers.Pick, loc offers.Locale, returnTo, noticeCode string, product *offers.ProductContext, deadline time.Time) ([]byte, error) {
	now := h.now()
	vals := widget.Values{
		ReturnTo:  returnTo,
		Now:       now,
		Tokens:    make([]string, len(picked)),
		ExpiresAt: make([]time.Time, len(picked)),
	}
	for i, pk := range picked {
		cl := pk.Claims(pl, subject, now)
		cl.Locale = loc.Tag()
		switch {
		case pl.PrePurchase() || pk.ExpiresAfter <= 0:
			cl.ExpiresAt = now.Add(time.Duration(h.CartTokenTTL)).Truncate(time.Second)
		case !deadline.IsZero():
			cl.ExpiresAt = deadline
		}
		if pl.PrePurchase() {
			cl.Binding = binding
		}
		token, err := h.signer.Sign(cl)
		if err != nil {
			return nil, err
		}
		vals.Tokens[i] = token
		if pl == offers.PlacementThankYou {
			vals.ExpiresAt[i] = cl.ExpiresAt
		}
	}
	var keyBuf [256]byte // a key this long or shorter needs no allocation
	key := append(appendLayoutKey(keyBuf[:0], pl, noticeCode, loc.Tag(), picked), productKey(product)...)
	layout, ok := h.layouts.get(key)
	if !ok {
		layout = widget.NewLayout(h.layoutFragment(pl, noticeCode, picked, loc, product))
		// A key this long holds a product id from a page's address that no
		// store product has: built for the page, not kept, so that such
		// addresses cannot fill memory (the cache counts entries).
		if len(key) <= maxLayoutKey {
			h.layouts.set(key, layout)
		}
	}
	return layout.Append(slices.Grow(dst, layout.SizeHint(vals)), vals), nil
}

// maxLayoutKey bounds the keys of the layouts kept: a catalog's picks, a
// locale and a store product's title and image fit in far less.
const maxLayoutKey = 2048

// layoutFragment is the page-independent part of a widget.
func (h *Handler) layoutFragment(pl offers.Placement, noticeCode string, picked []offers.Pick, loc offers.Locale, product *offers.ProductContext) widget.Fragment {
	f := widget.Fragment{
		Prefix:    h.Prefix,
		Placement: string(pl),
		Mount:     h.mountFor(pl),
		Offers:    make([]widget.Offer, 0, len(picked)),
	}
	opts := h.placementOptions(pl)
	f.AfterAdd = opts.AfterAdd
	if pl.PrePurchase() {
		f.Text = h.withCartURL(opts.Text)
	} else {
		f.Text = opts.Text // the thank-you box's words
	}
	if pl == offers.PlacementProduct {
		f.Product, f.Totals = bundleView(picked, product, loc)
	}
	if out, ok := outcomeByStatus(noticeCode, pl); ok {
		f.Notice = &widget.Notice{OK: out.HTTPStatus < 300, Message: h.worded(out, pl, "").Message}
	}
	for _, pk := range picked {
		wo := widget.Offer{
			OfferID:  pk.OfferID,
			Title:    pk.Title,
			Image:    pk.Image,
			Quantity: pk.Quantity,
			Price:    pk.FinalUnitPrice.FormatIn(loc),
			Due:      pk.Due(pl).FormatIn(loc),
		}
		if pk.Discount.Amount > 0 {
			wo.OriginalPrice = pk.UnitPrice.FormatIn(loc)
			wo.Saving = offers.Money{Amount: pk.Discount.Amount * int64(pk.Quantity), Currency: pk.Discount.Currency}.FormatIn(loc)
		}
		if pl == offers.PlacementThankYou && pk.Shipping.Amount > 0 {
			wo.Shipping = pk.Shipping.FormatIn(loc)
		}
		if o := h.catalog.Offer(pk.OfferID); o != nil {
			wo.Text = o.Text
		}
		f.Offers = append(f.Offers, wo)
	}
	return f
}
