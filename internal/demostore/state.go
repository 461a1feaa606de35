package demostore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// Why a change to a cart or an order was refused.
var (
	errUnknownOrder  = errors.New("no such order")
	errNotEditable   = errors.New("the order can no longer be changed: its accept window has closed")
	errEmptyCart     = errors.New("the cart is empty")
	errQuantityLimit = errors.New("a line cannot hold more than 99 units")
)

// maxLineQuantity bounds the units on one line, in carts and requests.
const maxLineQuantity = 99

// maxCarts is when empty carts (one per cookie-less visit to the cart page)
// start being forgotten, so that a load test cannot fill the memory.
const maxCarts = 50_000

// newID returns prefix followed by 128 random bits in hex: unguessable and
// safe in URLs, cookies and path patterns.
func newID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + hex.EncodeToString(b[:])
}

// validID reports whether a cookie or path value could be one of our ids:
// short and made of URL-safe characters only.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// cartState is a customer's cart inside the store.
type cartState struct {
	id         string
	customerID string
	lines      []LineItem
}

// shop holds carts and orders, all behind one mutex.
type shop struct {
	currency string
	window   time.Duration
	now      func() time.Time

	mu          sync.Mutex
	carts       map[string]*cartState
	orders      map[string]*Order
	ordersCount map[string]int // by customer id
}

func newShop(currency string, window time.Duration, now func() time.Time) *shop {
	return &shop{
		currency:    currency,
		window:      window,
		now:         now,
		carts:       make(map[string]*cartState),
		orders:      make(map[string]*Order),
		ordersCount: make(map[string]int),
	}
}

// cartLocked returns the cart with this id, creating it when create is set.
func (s *shop) cartLocked(id string, create bool) *cartState {
	c, ok := s.carts[id]
	if !ok && create {
		if len(s.carts) >= maxCarts {
			s.forgetEmptyCartsLocked()
		}
		c = &cartState{id: id, customerID: newID("cus_")}
		s.carts[id] = c
	}
	return c
}

// forgetEmptyCartsLocked drops carts without lines; their customers have
// ordered nothing with them, so nothing is lost but the customer id.
func (s *shop) forgetEmptyCartsLocked() {
	for id, c := range s.carts {
		if len(c.lines) == 0 {
			delete(s.carts, id)
		}
	}
}

// cartSnapshotLocked copies a cart into its contract shape.
func (s *shop) cartSnapshotLocked(c *cartState) Cart {
	return Cart{
		ID:       c.id,
		Currency: s.currency,
		Subtotal: sumLines(c.lines),
		Items:    cloneLines(c.lines),
		Customer: &Customer{ID: c.customerID, OrdersCount: s.ordersCount[c.customerID]},
		Status:   StatusOpen,
	}
}

// cart returns the cart with this id, creating an empty one when asked to.
// ok is false only when the cart does not exist and create is false.
func (s *shop) cart(id string, create bool) (cart Cart, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cartLocked(id, create)
	if c == nil {
		return Cart{}, false
	}
	return s.cartSnapshotLocked(c), true
}

// addToCart adds lines to a cart (creating it), merging a line into an
// existing one with the same variant, price, discount and offer. Either all
// lines are added or none.
func (s *shop) addToCart(id string, lines []LineItem) (Cart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cartLocked(id, true)
	merged := cloneLines(c.lines)
	for _, l := range lines {
		i := indexOfSameLine(merged, l)
		if i < 0 {
			merged = append(merged, l)
			continue
		}
		if merged[i].Quantity+l.Quantity > maxLineQuantity {
			return Cart{}, errQuantityLimit
		}
		merged[i].Quantity += l.Quantity
		merged[i].LineTotal += l.LineTotal
	}
	c.lines = merged
	return s.cartSnapshotLocked(c), nil
}

// indexOfSameLine finds a line that l can be merged into, or -1.
func indexOfSameLine(lines []LineItem, l LineItem) int {
	for i, m := range lines {
		if m.VariantID == l.VariantID && m.UnitPrice == l.UnitPrice && m.Discount == l.Discount && m.OfferID == l.OfferID {
			return i
		}
	}
	return -1
}

// removeFromCart drops every line of a product from a cart.
func (s *shop) removeFromCart(id, productID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cartLocked(id, false)
	if c == nil {
		return
	}
	kept := c.lines[:0]
	for _, l := range c.lines {
		if l.ProductID != productID {
			kept = append(kept, l)
		}
	}
	c.lines = kept
}

// checkout turns a cart into a paid order and empties the cart.
func (s *shop) checkout(cartID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cartLocked(cartID, false)
	if c == nil || len(c.lines) == 0 {
		return "", errEmptyCart
	}
	id := s.placeOrderLocked(c.customerID, c.lines)
	c.lines = nil
	return id, nil
}

// placeOrder records a paid order for a customer.
func (s *shop) placeOrder(customerID string, lines []LineItem, placedAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.placeOrderAtLocked(customerID, lines, placedAt)
}

func (s *shop) placeOrderLocked(customerID string, lines []LineItem) string {
	return s.placeOrderAtLocked(customerID, lines, time.Time{})
}

// placeOrderAtLocked records a paid order placed at placedAt (now when
// zero); its accept window runs from then.
func (s *shop) placeOrderAtLocked(customerID string, lines []LineItem, placedAt time.Time) string {
	now := placedAt
	if now.IsZero() {
		now = s.now()
	}
	o := &Order{
		ID:            newID("ord_"),
		Currency:      s.currency,
		Items:         cloneLines(lines),
		Customer:      &Customer{ID: customerID, OrdersCount: s.ordersCount[customerID]},
		Status:        StatusPaid,
		CreatedAt:     now,
		PlacedAt:      now,
		EditableUntil: now.Add(s.window),
	}
	o.Subtotal = sumLines(o.Items)
	o.Total = o.Subtotal
	s.orders[o.ID] = o
	s.ordersCount[customerID]++
	return o.ID
}

// order returns a copy of an order, fulfilled once its window has closed.
func (s *shop) order(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	c := copyOrder(o)
	if !s.now().Before(o.EditableUntil) {
		c.Status = StatusFulfilled
	}
	return c, true
}

// copyOrder deep-copies an order.
func copyOrder(o *Order) Order {
	c := *o
	c.Items = cloneLines(o.Items)
	if o.Customer != nil {
		customer := *o.Customer
		c.Customer = &customer
	}
	return c
}

// appendToOrder adds post-purchase lines, and the shipping they come
// with, to a paid order inside its accept window and recomputes the total.
func (s *shop) appendToOrder(id string, lines []LineItem, shipping int64) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, errUnknownOrder
	}
	if !s.now().Before(o.EditableUntil) {
		return Order{}, errNotEditable
	}
	for _, l := range lines {
		l.AddedAfterCheckout = true
		o.Items = append(o.Items, l)
	}
	o.Shipping += shipping
	o.Subtotal = sumLines(o.Items)
	o.Total = o.Subtotal + o.Shipping
	return copyOrder(o), nil
}

// expireOrder closes an order's accept window now.
func (s *shop) expireOrder(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if ok {
		o.EditableUntil = s.now()
	}
	return ok
}
