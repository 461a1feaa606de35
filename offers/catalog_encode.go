package offers

import (
	"encoding/json"
	"time"
)

// The JSON shapes of catalog v1, for writing. Reading goes through the
// field-by-field decoder of catalog_decode.go, which reports every problem;
// writing has none to report.
type (
	catalogJSON struct {
		Version int      `json:"version"`
		Offers  []*Offer `json:"offers"`
	}
	offerJSON struct {
		ID           string        `json:"id"`
		Placements   []Placement   `json:"placements"`
		Trigger      *triggerJSON  `json:"trigger,omitempty"`
		Product      productJSON   `json:"product"`
		Discount     *discountJSON `json:"discount,omitempty"`
		Quantity     int           `json:"quantity"`
		Priority     int           `json:"priority,omitempty"`
		StartsAt     *time.Time    `json:"starts_at,omitempty"`
		EndsAt       *time.Time    `json:"ends_at,omitempty"`
		ExpiresAfter string        `json:"expires_after,omitempty"`
		Variants     []variantJSON `json:"variants,omitempty"`
		OnDecline    string        `json:"on_decline,omitempty"`
		Shadow       bool          `json:"shadow,omitempty"`
		OnAccept     string        `json:"on_accept,omitempty"`
		MaxQuantity  int           `json:"max_quantity,omitempty"`
		MaxPerCust   int           `json:"max_per_customer,omitempty"`
		CapPeriod    string        `json:"cap_period,omitempty"`
	}
	triggerJSON struct {
		ProductIDs       []string `json:"product_ids,omitempty"`
		Tags             []string `json:"tags,omitempty"`
		MinSubtotal      int64    `json:"min_subtotal,omitempty"`
		MaxSubtotal      int64    `json:"max_subtotal,omitempty"`
		Currencies       []string `json:"currencies,omitempty"`
		CustomerTags     []string `json:"customer_tags,omitempty"`
		NewCustomersOnly bool     `json:"new_customers_only,omitempty"`
		Statuses         []string `json:"statuses,omitempty"`
	}
	productJSON struct {
		ProductID   string       `json:"product_id"`
		VariantID   string       `json:"variant_id,omitempty"`
		Title       string       `json:"title"`
		Description string       `json:"description,omitempty"`
		Options     []optionJSON `json:"options,omitempty"`
		OptionLabel string       `json:"option_label,omitempty"`
		Image       string       `json:"image,omitempty"`
		UnitPrice   int64        `json:"unit_price"`
		Currency    string       `json:"currency"`
	}
	optionJSON struct {
		VariantID string `json:"variant_id"`
		Label     string `json:"label"`
	}
	discountJSON struct {
		Percent *int   `json:"percent,omitempty"`
		Amount  *int64 `json:"amount,omitempty"`
	}
	variantJSON struct {
		ID       string        `json:"id"`
		Weight   int           `json:"weight"`
		Title    string        `json:"title,omitempty"`
		Image    string        `json:"image,omitempty"`
		Discount *discountJSON `json:"discount,omitempty"`
	}
)

// MarshalJSON writes the offer in the shape of catalog v1, so that what an
// admin endpoint lists can be pasted back into a catalog file.
func (o Offer) MarshalJSON() ([]byte, error) {
	out := offerJSON{
		ID:         o.ID,
		Placements: o.Placements,
		Product: productJSON{
			ProductID:   o.Product.ProductID,
			VariantID:   o.Product.VariantID,
			Title:       o.Product.Title,
			Description: o.Product.Description,
			OptionLabel: o.Product.OptionLabel,
			Image:       o.Product.Image,
			UnitPrice:   o.Product.UnitPrice,
			Currency:    o.Product.Currency,
		},
		Quantity:    o.Quantity,
		Priority:    o.Priority,
		OnDecline:   o.OnDecline,
		Shadow:      o.Shadow,
		OnAccept:    o.OnAccept,
		MaxQuantity: o.MaxQuantity,
		MaxPerCust:  o.Cap.MaxPerCustomer,
	}
	if o.Cap.MaxPerCustomer > 0 {
		out.CapPeriod = o.Cap.Period.String()
	}
	for _, op := range o.Product.Options {
		out.Product.Options = append(out.Product.Options, optionJSON{VariantID: op.VariantID, Label: op.Label})
	}
	if t := o.Trigger; !t.empty() {
		out.Trigger = &triggerJSON{
			ProductIDs: t.ProductIDs, Tags: t.Tags,
			MinSubtotal: t.MinSubtotal, MaxSubtotal: t.MaxSubtotal,
			Currencies: t.Currencies, CustomerTags: t.CustomerTags,
			NewCustomersOnly: t.NewCustomersOnly, Statuses: t.Statuses,
		}
	}
	if o.Discount != (Discount{}) {
		out.Discount = encodeDiscount(o.Discount)
	}
	if !o.StartsAt.IsZero() {
		out.StartsAt = &o.StartsAt
	}
	if !o.EndsAt.IsZero() {
		out.EndsAt = &o.EndsAt
	}
	if o.ExpiresAfter > 0 {
		out.ExpiresAfter = o.ExpiresAfter.String()
	}
	for _, v := range o.Variants {
		vj := variantJSON{ID: v.ID, Weight: v.Weight, Title: v.Title, Image: v.Image}
		if v.Discount != nil {
			vj.Discount = encodeDiscount(*v.Discount)
		}
		out.Variants = append(out.Variants, vj)
	}
	return json.Marshal(out)
}

// encodeDiscount writes a discount as exactly one of percent and amount.
func encodeDiscount(d Discount) *discountJSON {
	if d.Percent != 0 {
		return &discountJSON{Percent: &d.Percent}
	}
	return &discountJSON{Amount: &d.Amount}
}

// empty reports whether the trigger sets no condition.
func (t *Trigger) empty() bool {
	return len(t.ProductIDs) == 0 && len(t.Tags) == 0 && t.MinSubtotal == 0 && t.MaxSubtotal == 0 &&
		len(t.Currencies) == 0 && len(t.CustomerTags) == 0 && !t.NewCustomersOnly && len(t.Statuses) == 0
}

// MarshalJSON writes the whole catalog in the format ParseCatalog reads.
func (c *Catalog) MarshalJSON() ([]byte, error) {
	offers := c.offers
	if offers == nil {
		offers = []*Offer{}
	}
	return json.Marshal(catalogJSON{Version: catalogVersion, Offers: offers})
}
