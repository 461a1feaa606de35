package demostore

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxFormBody bounds the store's form posts.
const maxFormBody = 16 << 10

// serveProducts renders the product list.
func (s *Store) serveProducts(w http.ResponseWriter, r *http.Request) {
	s.pages.render(w, http.StatusOK, pageData{
		Page: "products", Title: "Shop", Products: Catalog(), CartCount: s.cartCount(r),
	})
}

// serveCart renders the customer's cart, starting one on the first visit.
func (s *Store) serveCart(w http.ResponseWriter, r *http.Request) {
	if !s.holdPage(r) {
		return
	}
	id := s.cartIDOrNew(w, r)
	cart, _ := s.shop.cart(id, true)
	s.sendPageContext(w, r, cart)
	s.pages.render(w, http.StatusOK, pageData{
		Page: "cart", Title: "Your cart", Cart: cart, CartCount: unitsIn(cart.Items),
		Notice: cartNotice(r.URL.Query()),
	})
}

// holdPage holds a page back by the PageDelay fault; false when the
// customer left first.
func (s *Store) holdPage(r *http.Request) bool {
	d := s.faults.Load().PageDelay
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// cartNotice turns the redirect's query into a message for the cart page.
func cartNotice(q url.Values) string {
	if p, ok := productByID(q.Get("added")); ok {
		return "Added " + p.Title + " to your cart."
	}
	switch q.Get("notice") {
	case "limit":
		return "A cart line holds at most 99 units."
	case "empty":
		return "Your cart is empty: add something before placing an order."
	}
	return ""
}

// serveCartAdd handles the product list's "Add to cart" form.
func (s *Store) serveCartAdd(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	productID := r.PostFormValue("product_id")
	p, ok := productByID(productID)
	if !ok {
		s.serveProblem(w, http.StatusUnprocessableEntity, "No such product", "We do not sell that product.")
		return
	}
	quantity := 1
	if q := strings.TrimSpace(r.PostFormValue("quantity")); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > maxLineQuantity {
			s.serveProblem(w, http.StatusUnprocessableEntity, "Check the quantity", "Choose a quantity from 1 to 99.")
			return
		}
		quantity = n
	}
	id := s.cartIDOrNew(w, r)
	if _, err := s.shop.addToCart(id, []LineItem{newLine(p, quantity, p.UnitPrice, 0, "")}); errors.Is(err, errQuantityLimit) {
		http.Redirect(w, r, "/cart?notice=limit", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/cart?added="+url.QueryEscape(p.ProductID), http.StatusSeeOther)
}

// serveCartRemove handles a cart line's "Remove" form.
func (s *Store) serveCartRemove(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if id, ok := cartIDFromCookie(r); ok {
		s.shop.removeFromCart(id, r.PostFormValue("product_id"))
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
}

// serveCheckout turns the cart into a paid order and sends the customer
// to its thank-you page.
func (s *Store) serveCheckout(w http.ResponseWriter, r *http.Request) {
	id, ok := cartIDFromCookie(r)
	if !ok {
		http.Redirect(w, r, "/cart?notice=empty", http.StatusSeeOther)
		return
	}
	orderID, err := s.shop.checkout(id)
	if err != nil {
		http.Redirect(w, r, "/cart?notice=empty", http.StatusSeeOther)
		return
	}
	s.counters.ordersCreated.Add(1)
	http.Redirect(w, r, "/checkout/success/"+orderID, http.StatusSeeOther)
}

// serveThankYou renders an order's confirmation page. Anyone with the
// (unguessable) order id may see it, as with most stores' receipts.
func (s *Store) serveThankYou(w http.ResponseWriter, r *http.Request) {
	if !s.holdPage(r) {
		return
	}
	o, ok := s.shop.order(r.PathValue("order_id"))
	if !ok {
		s.serveProblem(w, http.StatusNotFound, "Order not found", "We could not find that order.")
		return
	}
	s.pages.render(w, http.StatusOK, pageData{
		Page: "thank-you", Title: "Thank you", Order: o, CartCount: s.cartCount(r),
	})
}

// serveNotFound answers an unknown path: JSON for API clients, a page for
// people.
func (s *Store) serveNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/_demo/") {
		writeError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	s.serveProblem(w, http.StatusNotFound, "Page not found", "There is nothing at this address.")
}

// serveProblem renders a short error page.
func (s *Store) serveProblem(w http.ResponseWriter, status int, title, message string) {
	s.pages.render(w, status, pageData{Page: "not-found", Title: title, Notice: message})
}

// cartCount is the number of units in the request's cart, for the header.
func (s *Store) cartCount(r *http.Request) int {
	id, ok := cartIDFromCookie(r)
	if !ok {
		return 0
	}
	cart, _ := s.shop.cart(id, false)
	return unitsIn(cart.Items)
}

// unitsIn adds up quantities.
func unitsIn(lines []LineItem) int {
	n := 0
	for _, l := range lines {
		n += l.Quantity
	}
	return n
}
