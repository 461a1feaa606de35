package demostore

import "slices"

// Product is one thing the demo store sells. Each product has a single
// variant; Kairo's offers name both ids, so both are part of the contract.
type Product struct {
	// ProductID identifies the product in the store contract and in image
	// paths (/images/{product_id}.svg).
	ProductID string `json:"product_id"`
	// VariantID identifies the product's default variant, the one its
	// pages sell.
	VariantID string `json:"variant_id"`
	// OtherVariants are the product's further variants (sizes), at the
	// same price; an accept may name any of them.
	OtherVariants []string `json:"other_variants,omitempty"`
	// Title is the name shown to customers.
	Title string `json:"title"`
	// Description is one line of copy for the product list.
	Description string `json:"description"`
	// UnitPrice is the catalog price in minor units of the store currency.
	UnitPrice int64 `json:"unit_price"`
	// Tags are reported with each line item so that offers can target them.
	Tags []string `json:"tags"`
	// Image is the path of the product's SVG image.
	Image string `json:"image"`
}

// catalog is the fixed assortment, in display order.
var catalog = []Product{
	{
		ProductID: "coffee-beans", VariantID: "coffee-beans-250g",
		Image:       "/images/coffee-beans.svg",
		Title:       "House Blend Coffee Beans, 250 g",
		Description: "Chocolatey, round, roasted on Mondays.",
		UnitPrice:   1499, Tags: []string{"coffee", "consumable"},
	},
	{
		ProductID: "mug", VariantID: "mug-white",
		Image:       "/images/mug.svg",
		Title:       "Stoneware Mug",
		Description: "Holds 350 ml and keeps its handle cool.",
		UnitPrice:   1999, Tags: []string{"kitchen"},
	},
	{
		ProductID: "thermos", VariantID: "thermos-500ml",
		Image:       "/images/thermos.svg",
		Title:       "Steel Thermos, 500 ml",
		Description: "Hot for 12 hours, cold for 24.",
		UnitPrice:   2999, Tags: []string{"kitchen", "travel"},
	},
	{
		ProductID: "tote-bag", VariantID: "tote-bag-natural",
		Image:       "/images/tote-bag.svg",
		Title:       "Canvas Tote Bag",
		Description: "Heavy cotton, fits two bags of beans and a thermos.",
		UnitPrice:   1299, Tags: []string{"accessories"},
	},
	{
		ProductID: "socks", VariantID: "socks-m", OtherVariants: []string{"socks-s", "socks-l"},
		Image:       "/images/socks.svg",
		Title:       "Coffee Bean Socks",
		Description: "Warm feet for early brews. Sizes S, M and L.",
		UnitPrice:   899, Tags: []string{"apparel"},
	},
	{
		ProductID: "gift-card", VariantID: "gift-card-25",
		Image:       "/images/gift-card.svg",
		Title:       "Gift Card, 25",
		Description: "Delivered by email, never expires.",
		UnitPrice:   2500, Tags: []string{"gift"},
	},
}

// Catalog returns the store's products in display order. The slice and its
// tags are copies: changing them does not change the store.
func Catalog() []Product {
	out := make([]Product, len(catalog))
	for i, p := range catalog {
		p.Tags = slices.Clone(p.Tags)
		p.OtherVariants = slices.Clone(p.OtherVariants)
		out[i] = p
	}
	return out
}

// productByID finds a catalog product; the pointer is read-only.
func productByID(id string) (*Product, bool) {
	for i := range catalog {
		if catalog[i].ProductID == id {
			return &catalog[i], true
		}
	}
	return nil, false
}

// hasVariant reports whether id is one of the product's variants.
func (p *Product) hasVariant(id string) bool {
	return id == p.VariantID || slices.Contains(p.OtherVariants, id)
}
