package offers

import (
	"slices"
	"strings"
	"time"
)

// DefaultExpiresAfter is how long a customer has to accept a post-purchase
// offer when the catalog does not say otherwise.
const DefaultExpiresAfter = 15 * time.Minute

// Offer is one upsell offer of a catalog: what is offered (Product, Quantity,
// Discount), where (Placements), to whom (Trigger), when (StartsAt, EndsAt)
// and how it ranks against other offers (Priority). Offers come from
// LoadCatalog or ParseCatalog, which validate them; treat them as read-only,
// a Catalog shares them between all callers. The json tags of Offer and the
// types it holds are the catalog file's schema (see catalog_schema.go).
type Offer struct {
	// ID names the offer in the catalog, in tokens, logs and metrics.
	ID string `json:"id"`
	// Placements are the pages the offer may appear on.
	Placements []Placement `json:"placements"`
	// Trigger says which carts and orders the offer is for.
	Trigger Trigger `json:"trigger,omitzero"`
	// Product is what the customer gets when accepting.
	Product Product `json:"product"`
	// Discount is taken off Product.UnitPrice, per unit.
	Discount Discount `json:"discount,omitzero"`
	// Quantity is how many units are added on accept (at least 1).
	Quantity int `json:"quantity"`
	// Priority orders offers: higher first; equal priorities go by ID.
	Priority int `json:"priority,omitzero"`
	// StartsAt and EndsAt bound when the offer is shown: from StartsAt
	// (inclusive) until EndsAt (exclusive). A zero time is no bound.
	StartsAt time.Time `json:"starts_at,omitzero"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
	// ExpiresAfter is how long a shown offer stays acceptable, which after
	// payment is the customer's window to add it to the order.
	ExpiresAfter time.Duration `json:"expires_after,omitzero"`
	// Variants, when present, split customers between versions of the offer
	// for A/B testing; see Resolve.
	Variants []Variant `json:"variants,omitzero"`
	// OnDecline is the id of the offer to show instead when this one is
	// declined (a downsell), or "".
	OnDecline string `json:"on_decline,omitzero"`
	// Shadow offers are selected and counted as if live but never shown,
	// so an operator sees an offer's reach before it goes live.
	Shadow bool `json:"shadow,omitzero"`
	// OnAccept is the id of the offer to show next when this one is
	// accepted (the next step of a funnel), or "".
	OnAccept string `json:"on_accept,omitzero"`
	// MaxQuantity, when above Quantity, lets the customer choose how many
	// units to add, from Quantity up to MaxQuantity. 0 is no choice.
	MaxQuantity int `json:"max_quantity,omitzero"`
	// Shipping is charged once with a post-purchase accept, on top of the
	// items, in minor units of the product's currency; 0 charges none.
	Shipping int64 `json:"shipping,omitzero"`
	// Text words this offer its own way: customer-facing texts by key,
	// over the operator's and the defaults (see WithTextKeys for the keys).
	Text map[string]string `json:"text,omitzero"`
	// Cap limits how often one customer is shown the offer.
	Cap FrequencyCap `json:",inline"`

	// rank is the offer's position in the catalog's selection order
	// (priority desc, id asc); set by the catalog.
	rank int32
	// productHash is productHash(Product.ProductID); set by the catalog.
	productHash uint64
}

// Trigger is the targeting of an offer: the conditions a cart or order must
// meet for the offer to be shown. Every condition that is set must hold;
// unset conditions (empty lists, zero values) do not restrict.
type Trigger struct {
	// ProductIDs and Tags form one condition: some item of the cart or order
	// has one of these product ids, or carries one of these tags.
	ProductIDs []string `json:"product_ids,omitzero"`
	Tags       []string `json:"tags,omitzero"`
	// MinSubtotal and MaxSubtotal bound the subtotal, both inclusive, in
	// minor units of the offer's currency. MaxSubtotal 0 is no upper bound.
	MinSubtotal int64 `json:"min_subtotal,omitzero"`
	MaxSubtotal int64 `json:"max_subtotal,omitzero"`
	// Currencies, when set, lists the currencies the offer is shown in. An
	// offer is never shown in a currency other than its product's.
	Currencies []string `json:"currencies,omitzero"`
	// CustomerTags: the customer carries at least one of these tags.
	CustomerTags []string `json:"customer_tags,omitzero"`
	// NewCustomersOnly: the customer has no earlier orders, or is a guest.
	NewCustomersOnly bool `json:"new_customers_only,omitzero"`
	// Statuses, when set, lists the cart or order statuses (as the store
	// names them, e.g. "paid") the offer is shown for.
	Statuses []string `json:"statuses,omitzero"`
}

// Product is the item an offer adds to the cart or order.
type Product struct {
	ProductID string `json:"product_id"`          // the store's product id
	VariantID string `json:"variant_id,omitzero"` // the store's variant id, or ""
	Title     string `json:"title"`               // shown to the customer
	// Description is a sentence or two about the product, shown on the
	// post-purchase offer page, or "".
	Description string `json:"description,omitzero"`
	// Options are the store variants the buyer may choose between on the
	// offer page (sizes, colours), all at the offer's price; VariantID, when
	// set, is one of them and the one chosen at first. Empty: no choice.
	Options []ProductOption `json:"options,omitzero"`
	// OptionLabel names the choice ("Size"); "" for the page's default.
	OptionLabel string `json:"option_label,omitzero"`
	Image       string `json:"image,omitzero"` // image URL shown to the customer, or ""
	UnitPrice   int64  `json:"unit_price"`     // regular price of one unit, minor units, > 0
	Currency    string `json:"currency"`       // ISO 4217 code of UnitPrice
}

// ProductOption is one store variant of an offer's product.
type ProductOption struct {
	VariantID string `json:"variant_id"` // the store's variant id
	Label     string `json:"label"`      // shown to the customer, e.g. "Large"
}

// Option returns the product option with the variant id, if the product
// offers a choice and it is one of them.
func (p Product) Option(variantID string) (ProductOption, bool) {
	for _, o := range p.Options {
		if o.VariantID == variantID {
			return o, true
		}
	}
	return ProductOption{}, false
}

// DefaultOption is the option chosen at first: VariantID's, else the first.
func (p Product) DefaultOption() ProductOption {
	if o, ok := p.Option(p.VariantID); ok || len(p.Options) == 0 {
		return o
	}
	return p.Options[0]
}

// VariantAdded is the store variant an offer adds unless the buyer chooses
// another: VariantID, else, for an offer of options that names none, the
// first option's (an offer of options is never sent without a variant).
func (p Product) VariantAdded() string {
	if p.VariantID != "" || len(p.Options) == 0 {
		return p.VariantID
	}
	return p.Options[0].VariantID
}

// Price is the product's regular unit price as Money.
func (p Product) Price() Money {
	return Money{Amount: p.UnitPrice, Currency: p.Currency}
}

// Discount is a reduction of the unit price: either Percent (0 to 100,
// rounded half-up to the minor unit) or Amount (minor units). The zero
// Discount takes nothing off.
type Discount struct {
	Percent int   `json:"percent,omitzero"` // percent off the unit price
	Amount  int64 `json:"amount,omitzero"`  // minor units off the unit price
}

// PerUnit is the discount on one unit of the given price, in minor units:
// never negative and never more than the price, so the discounted price is
// never below zero.
func (d Discount) PerUnit(unitPrice int64) int64 {
	off := PercentOff(unitPrice, d.Percent)
	if d.Percent == 0 {
		off = min(max(d.Amount, 0), max(unitPrice, 0))
	}
	return off
}

// Variant is one arm of an A/B test of an offer. Weight is its share of
// customers (the weights of an offer add up to 100); Title, Image and
// Discount, when set, replace the offer's own for customers assigned to it.
type Variant struct {
	ID       string    `json:"id"`
	Weight   int       `json:"weight"`
	Title    string    `json:"title,omitzero"`    // "" keeps the offer's title
	Image    string    `json:"image,omitzero"`    // "" keeps the offer's image
	Discount *Discount `json:"discount,omitzero"` // nil keeps the offer's discount
}

// Matches reports whether the offer applies to a cart or order on its own
// terms: the placement is one of its placements, it is scheduled at now, the
// context is in the product's currency, the product is not already in the
// cart or order, and every trigger condition holds. Select applies exactly
// this test to every offer it returns; Matches is for checking one offer,
// such as a downsell reached through OnDecline.
func (o *Offer) Matches(p Placement, ctx *Context, now time.Time) bool {
	return o.eligible(p, ctx, now) && !ctx.HasProduct(o.Product.ProductID) && o.Trigger.itemsMatch(ctx)
}

// eligible is Matches without the two tests that look at every item (the
// product ids and tags condition, and whether the product is in the cart),
// which Select does its own, faster way.
func (o *Offer) eligible(p Placement, ctx *Context, now time.Time) bool {
	if ctx == nil || ctx.Currency != o.Product.Currency {
		return false
	}
	if !o.hasPlacement(p) || !o.scheduledAt(now) {
		return false
	}
	return o.Trigger.contextMatches(ctx)
}

// scheduledAt reports whether now falls within [StartsAt, EndsAt).
func (o *Offer) scheduledAt(now time.Time) bool {
	if !o.StartsAt.IsZero() && now.Before(o.StartsAt) {
		return false
	}
	return o.EndsAt.IsZero() || now.Before(o.EndsAt)
}

// itemsMatch checks the product id and tag condition against the items.
func (t *Trigger) itemsMatch(ctx *Context) bool {
	if len(t.ProductIDs) == 0 && len(t.Tags) == 0 {
		return true
	}
	for i := range ctx.Items {
		it := &ctx.Items[i]
		if slices.Contains(t.ProductIDs, it.ProductID) || anyFold(t.Tags, it.Tags) {
			return true
		}
	}
	return false
}

// contextMatches checks every condition except product ids and tags.
func (t *Trigger) contextMatches(ctx *Context) bool {
	if ctx.Subtotal < t.MinSubtotal || (t.MaxSubtotal > 0 && ctx.Subtotal > t.MaxSubtotal) {
		return false
	}
	if len(t.Currencies) > 0 && !slices.Contains(t.Currencies, ctx.Currency) {
		return false
	}
	if len(t.CustomerTags) > 0 && (ctx.Customer == nil || !anyFold(t.CustomerTags, ctx.Customer.Tags)) {
		return false
	}
	if t.NewCustomersOnly && !ctx.NewCustomer() {
		return false
	}
	if len(t.Statuses) > 0 && !containsFold(t.Statuses, ctx.Status) {
		return false
	}
	return true
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// anyFold reports whether the two tag lists share a tag, ignoring case.
func anyFold(want, have []string) bool {
	for _, h := range have {
		if containsFold(want, h) {
			return true
		}
	}
	return false
}

// hasPlacement reports whether the offer may appear on placement p.
func (o *Offer) hasPlacement(p Placement) bool {
	return slices.Contains(o.Placements, p)
}
