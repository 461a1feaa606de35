package offers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ProductContext is the product of a product page as the store describes it
// (the optional product_context call of store contract v1):
//
//	{"product_id":"coffee-beans","title":"House Blend","image":"/img/beans.svg",
//	 "currency":"USD","unit_price":1499,"tags":["coffee"],"in_stock":true,
//	 "variants":[{"variant_id":"coffee-beans-250g","unit_price":1499,"in_stock":true}]}
//
// Everything but product_id is optional. A store without the call leaves
// Kairo with the product id from the page's address alone.
type ProductContext struct {
	ProductID string `json:"product_id"`
	// Title and Image show the page's product next to its add-ons.
	Title     string   `json:"title,omitempty"`
	Image     string   `json:"image,omitempty"`
	Currency  string   `json:"currency,omitempty"`
	UnitPrice int64    `json:"unit_price,omitempty"` // minor units
	Tags      []string `json:"tags,omitempty"`
	// InStock is nil when the store does not say; then the product counts as
	// in stock when any variant is, or when there are no variants.
	InStock  *bool            `json:"in_stock,omitempty"`
	Variants []ProductVariant `json:"variants,omitempty"`
}

// ProductVariant is one variant of a page's product.
type ProductVariant struct {
	VariantID string `json:"variant_id"`
	UnitPrice int64  `json:"unit_price,omitempty"`
	InStock   *bool  `json:"in_stock,omitempty"`
}

// Available reports whether the product can be bought: what in_stock says,
// else whether any variant is in stock (a variant that does not say counts
// as in stock).
func (p *ProductContext) Available() bool {
	if p.InStock != nil {
		return *p.InStock
	}
	if len(p.Variants) == 0 {
		return true
	}
	for _, v := range p.Variants {
		if v.InStock == nil || *v.InStock {
			return true
		}
	}
	return false
}

// ParseProductContext decodes the store's product JSON. Like ParseContext it
// ignores fields Kairo does not use, normalises the currency to upper case
// and tags to lower case, and names the broken field in its error, which
// starts with "product context: ".
func ParseProductContext(data []byte) (*ProductContext, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("product context: want a JSON object, got %s", describeJSON(trimmed))
	}
	var p ProductContext
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return nil, errors.New("product " + contextDecodeError(err).Error())
	}
	p.Currency = strings.ToUpper(p.Currency)
	lowerAll(p.Tags)
	var problems []string
	if p.ProductID == "" {
		problems = append(problems, "product_id: missing")
	}
	if p.Currency != "" {
		if _, ok := CurrencyDigits(p.Currency); !ok {
			problems = append(problems, fmt.Sprintf("currency: %q is not an ISO 4217 code", p.Currency))
		}
	}
	if p.UnitPrice < 0 {
		problems = append(problems, fmt.Sprintf("unit_price: %d is negative", p.UnitPrice))
	}
	for i, v := range p.Variants {
		if v.UnitPrice < 0 {
			problems = append(problems, fmt.Sprintf("variants[%d].unit_price: %d is negative", i, v.UnitPrice))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("product context: " + strings.Join(problems, "; "))
	}
	return &p, nil
}

// WithProduct returns the cart as a product page sees it: a copy of c with
// the page's product added as one more item (unless the cart holds it
// already). Targeting then treats the page's product like a cart item (its
// id, tags and price count towards product_ids, tags and the subtotal), and
// selection never offers the page's own product, nor anything in the cart.
// A product priced in another currency adds its id and tags, not its price.
// c is not changed.
func (c *Context) WithProduct(p *ProductContext) *Context {
	out := *c
	if p == nil || p.ProductID == "" || c.HasProduct(p.ProductID) {
		return &out
	}
	item := Item{ProductID: p.ProductID, Quantity: 1, Tags: p.Tags}
	if p.Currency == "" || p.Currency == c.Currency {
		item.UnitPrice = p.UnitPrice
		out.Subtotal += p.UnitPrice
	}
	out.Items = append(append(make([]Item, 0, len(c.Items)+1), c.Items...), item)
	return &out
}
