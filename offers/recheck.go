package offers

import (
	"errors"
	"fmt"
	"time"
)

// ErrOfferChanged is wrapped by every error of Recheck: the offer a token
// was signed for no longer stands as signed.
var ErrOfferChanged = errors.New("offers: the offer has changed since it was shown")

// Recheck reports whether the offer a token vouches for still stands in
// this catalog at now, exactly as signed: the offer is still there, on
// that placement, scheduled, and resolves for the token's subject to the
// same variant, product, quantity, price, discount, shipping and
// currency. A token
// signed before the catalog was edited (the offer ended, was removed or
// re-priced) fails with an error wrapping ErrOfferChanged that says what
// changed.
func (c *Catalog) Recheck(cl Claims, now time.Time) error {
	o := c.Offer(cl.OfferID)
	switch {
	case o == nil:
		return fmt.Errorf("%w: offer %q was removed", ErrOfferChanged, cl.OfferID)
	case !o.hasPlacement(cl.Placement):
		return fmt.Errorf("%w: offer %q is no longer shown on %s pages", ErrOfferChanged, cl.OfferID, cl.Placement)
	case !o.scheduledAt(now):
		return fmt.Errorf("%w: offer %q is not running now", ErrOfferChanged, cl.OfferID)
	}
	pk := o.Resolve(cl.Subject)
	switch {
	case pk.Variant != cl.Variant:
		return fmt.Errorf("%w: offer %q: variant %q, token %q", ErrOfferChanged, cl.OfferID, pk.Variant, cl.Variant)
	case pk.ProductID != cl.ProductID || !o.addsVariant(pk, cl.ProductVariantID):
		return fmt.Errorf("%w: offer %q: product %s/%s, token %s/%s", ErrOfferChanged, cl.OfferID,
			pk.ProductID, pk.ProductVariantID, cl.ProductID, cl.ProductVariantID)
	case pk.Quantity != cl.Quantity:
		return fmt.Errorf("%w: offer %q: quantity %d, token %d", ErrOfferChanged, cl.OfferID, pk.Quantity, cl.Quantity)
	case pk.FinalUnitPrice.Currency != cl.Currency || pk.FinalUnitPrice.Amount != cl.UnitPrice || pk.Discount.Amount != cl.Discount:
		return fmt.Errorf("%w: offer %q: price %d %s (discount %d), token %d %s (discount %d)", ErrOfferChanged, cl.OfferID,
			pk.FinalUnitPrice.Amount, pk.FinalUnitPrice.Currency, pk.Discount.Amount, cl.UnitPrice, cl.Currency, cl.Discount)
	}
	if shipping := pk.Claims(cl.Placement, cl.Subject, now).Shipping; shipping != cl.Shipping {
		return fmt.Errorf("%w: offer %q: shipping %d, token %d", ErrOfferChanged, cl.OfferID, shipping, cl.Shipping)
	}
	return nil
}

// addsVariant reports whether the offer, resolved as pk, may add the
// store variant v: pk's own, or one of the options the buyer may choose
// between on the offer page (all at the offer's price), which the page
// signs its first choice with even when the offer names no variant_id.
func (o *Offer) addsVariant(pk Pick, v string) bool {
	if v == pk.ProductVariantID || v == o.Product.VariantID {
		// The second: a token signed before an offer of options that
		// names no variant_id was signed with its first option's.
		return true
	}
	_, ok := o.Product.Option(v)
	return ok
}
