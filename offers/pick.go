package offers

import "time"

// abSeed starts the hash that assigns variants, so that assignment does not
// correlate with any other use of the same hash.
const abSeed uint64 = fnvOffset ^ 0xab

// Pick is an offer as one customer sees it: the variant they are assigned
// to, with its title, image and discount applied, and the prices that follow.
// It carries everything needed to render the offer and to sign its token.
type Pick struct {
	OfferID string
	Variant string // "" when the offer has no variants
	// ProductID and ProductVariantID are the store's ids of what is added.
	ProductID, ProductVariantID string
	Title, Image                string
	Quantity                    int
	UnitPrice                   Money // regular price of one unit
	Discount                    Money // taken off each unit, >= 0
	FinalUnitPrice              Money // UnitPrice - Discount, never negative
	// Shipping is charged once with a post-purchase accept (Offer.Shipping).
	Shipping Money
	// ExpiresAfter is how long the shown offer stays acceptable.
	ExpiresAfter time.Duration
}

// Resolve turns the offer into what the customer identified by subjectID
// (the cart id before payment, the order id after) sees. With variants, the
// customer is assigned one by a stable hash of the offer id and subjectID,
// weighted by the variants' weights: the same customer always gets the same
// variant, in every process, and the shares of a large crowd follow the
// weights. The variant's title, image and discount replace the offer's.
func (o *Offer) Resolve(subjectID string) Pick {
	title, image, discount := o.Product.Title, o.Product.Image, o.Discount
	variantID := ""
	if v := o.assignVariant(subjectID); v != nil {
		variantID = v.ID
		if v.Title != "" {
			title = v.Title
		}
		if v.Image != "" {
			image = v.Image
		}
		if v.Discount != nil {
			discount = *v.Discount
		}
	}
	unit := max(o.Product.UnitPrice, 0)
	off := discount.PerUnit(unit)
	currency := o.Product.Currency
	expires := o.ExpiresAfter
	if expires <= 0 {
		expires = DefaultExpiresAfter
	}
	return Pick{
		OfferID:          o.ID,
		Variant:          variantID,
		ProductID:        o.Product.ProductID,
		ProductVariantID: o.Product.VariantAdded(),
		Title:            title,
		Image:            image,
		Quantity:         max(o.Quantity, 1),
		UnitPrice:        Money{Amount: unit, Currency: currency},
		Discount:         Money{Amount: off, Currency: currency},
		FinalUnitPrice:   Money{Amount: unit - off, Currency: currency},
		Shipping:         Money{Amount: max(o.Shipping, 0), Currency: currency},
		ExpiresAfter:     expires,
	}
}

// assignVariant picks the subject's variant: a point in [0, total weight)
// from a stable hash of (offer id, subject), then the variant whose share of
// the line holds it. Variants with weight 0 are never picked; nil when the
// offer has no variants.
func (o *Offer) assignVariant(subjectID string) *Variant {
	if len(o.Variants) == 0 {
		return nil
	}
	total := 0
	for _, v := range o.Variants {
		total += max(v.Weight, 0)
	}
	if total <= 0 {
		return &o.Variants[0]
	}
	point := int(mix64(hashString(hashString(abSeed, o.ID), subjectID)) % uint64(total))
	for i := range o.Variants {
		w := max(o.Variants[i].Weight, 0)
		if point < w {
			return &o.Variants[i]
		}
		point -= w
	}
	return &o.Variants[len(o.Variants)-1]
}

// Total is what the customer pays for the pick: the final unit price times
// the quantity.
func (p Pick) Total() Money {
	return Money{Amount: p.FinalUnitPrice.Amount * int64(p.Quantity), Currency: p.FinalUnitPrice.Currency}
}

// Due is what an accept of the pick on placement pl charges: the items,
// and after purchase the offer's shipping.
func (p Pick) Due(pl Placement) Money {
	due := p.Total()
	if pl == PlacementThankYou {
		due.Amount += p.Shipping.Amount
	}
	return due
}

// Claims are the token claims for showing the pick on placement pl to the
// cart or order subject, expiring ExpiresAfter from now (to the second,
// as tokens keep it). Sign fills in the nonce. Shipping is claimed after
// purchase only: before it, the store's checkout charges shipping.
func (p Pick) Claims(pl Placement, subject string, now time.Time) Claims {
	var shipping int64
	if pl == PlacementThankYou {
		shipping = p.Shipping.Amount
	}
	return Claims{
		OfferID:          p.OfferID,
		Variant:          p.Variant,
		Placement:        pl,
		Subject:          subject,
		ProductID:        p.ProductID,
		ProductVariantID: p.ProductVariantID,
		Quantity:         p.Quantity,
		UnitPrice:        p.FinalUnitPrice.Amount,
		Discount:         p.Discount.Amount,
		Shipping:         shipping,
		Currency:         p.FinalUnitPrice.Currency,
		ExpiresAt:        now.Add(p.ExpiresAfter).Truncate(time.Second),
	}
}
