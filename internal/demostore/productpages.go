package demostore

import (
	"net/http"
)

// productContext is the answer of GET /api/products/{product_id}, the
// optional product_context of store contract v1.
type productContext struct {
	ProductID string           `json:"product_id"`
	Title     string           `json:"title"`
	Image     string           `json:"image"`
	Currency  string           `json:"currency"`
	UnitPrice int64            `json:"unit_price"`
	Tags      []string         `json:"tags"`
	InStock   bool             `json:"in_stock"`
	Variants  []productVariant `json:"variants"`
}

// productVariant is one variant in a product context.
type productVariant struct {
	VariantID string `json:"variant_id"`
	UnitPrice int64  `json:"unit_price"`
	InStock   bool   `json:"in_stock"`
}

// serveProduct renders one product's page, with its own "Add to cart",
// and starts the customer's cart as the cart page does.
func (s *Store) serveProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := productByID(r.PathValue("product_id"))
	if !ok {
		s.serveProblem(w, http.StatusNotFound, "Product not found", "We do not sell that product.")
		return
	}
	s.cartIDOrNew(w, r) // a store starts the customer's session anywhere
	s.pages.render(w, http.StatusOK, pageData{
		Page: "product", Title: p.Title, Products: []Product{*p}, CartCount: s.cartCount(r),
	})
}

// serveProductContext answers GET /api/products/{product_id}. Every demo
// product is in stock; the context faults apply as to the cart context.
func (s *Store) serveProductContext(w http.ResponseWriter, r *http.Request) {
	s.counters.contextCalls.Add(1)
	s.dropIfDown()
	f := s.faults.Load()
	if !holdBack(r.Context(), f.ContextDelay, &s.counters.contextCancelled) {
		return
	}
	if f.ContextStatus != 0 {
		writeInjectedStatus(w, f.ContextStatus)
		return
	}
	p, ok := productByID(r.PathValue("product_id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such product")
		return
	}
	writeJSON(w, http.StatusOK, productContext{
		ProductID: p.ProductID, Title: p.Title, Image: p.Image, Currency: s.cfg.Currency,
		UnitPrice: p.UnitPrice, Tags: p.Tags, InStock: true,
		Variants: []productVariant{{VariantID: p.VariantID, UnitPrice: p.UnitPrice, InStock: true}},
	})
}

// serveCheckoutPage renders the checkout: the cart's lines and total, and
// the pay button (mount point #checkout-pay, next to it).
func (s *Store) serveCheckoutPage(w http.ResponseWriter, r *http.Request) {
	id, ok := cartIDFromCookie(r)
	if !ok {
		http.Redirect(w, r, "/cart?notice=empty", http.StatusSeeOther)
		return
	}
	cart, _ := s.shop.cart(id, false)
	if len(cart.Items) == 0 {
		http.Redirect(w, r, "/cart?notice=empty", http.StatusSeeOther)
		return
	}
	s.sendPageContext(w, r, cart)
	s.pages.render(w, http.StatusOK, pageData{
		Page: "checkout", Title: "Checkout", Cart: cart, CartCount: unitsIn(cart.Items),
	})
}
