package demostore

import (
	"slices"
	"time"
)

// Statuses reported in the store contract's status field.
const (
	// StatusOpen is the status of a cart.
	StatusOpen = "open"
	// StatusPaid is the status of an order while it can still take
	// post-purchase items: checkout takes payment.
	StatusPaid = "paid"
	// StatusFulfilled is the status of an order once its accept window
	// has closed: it can no longer be changed.
	StatusFulfilled = "fulfilled"
)

// LineItem is one line of a cart or an order, in the shape of the store
// contract's items (with a few extra fields that Kairo tolerates).
type LineItem struct {
	// ProductID and VariantID name the catalog product.
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id"`
	// Title is the product's title, for pages and receipts.
	Title string `json:"title"`
	// Quantity is the number of units, at least 1.
	Quantity int `json:"quantity"`
	// UnitPrice is what one unit costs the customer, discount already
	// taken off, in minor units (Kairo sends the offer's final price here).
	UnitPrice int64 `json:"unit_price"`
	// Discount is how much was taken off each unit's regular price, in
	// minor units; it is shown, not subtracted again.
	Discount int64 `json:"discount,omitempty"`
	// LineTotal is Quantity × UnitPrice.
	LineTotal int64 `json:"line_total"`
	// Tags are the product's tags.
	Tags []string `json:"tags,omitempty"`
	// OfferID is the offer that added this line, if any.
	OfferID string `json:"offer_id,omitempty"`
	// AddedAfterCheckout marks lines appended to a paid order by a
	// post-purchase accept.
	AddedAfterCheckout bool `json:"added_after_checkout,omitempty"`
}

// Customer is who placed a cart or an order. The demo has no accounts: a
// customer is a browser, known by its cart cookie.
type Customer struct {
	// ID is random and stable for one browser.
	ID string `json:"id"`
	// Tags are always empty in the demo; the field exists for the contract.
	Tags []string `json:"tags,omitempty"`
	// OrdersCount is how many orders the customer placed before this cart
	// or order; 0 makes them a new customer.
	OrdersCount int `json:"orders_count"`
}

// Cart is a customer's open cart, as GET /api/cart reports it.
type Cart struct {
	// ID is the value of the demo_cart cookie.
	ID string `json:"id"`
	// Currency is the store currency (ISO 4217).
	Currency string `json:"currency"`
	// Subtotal is the sum of the line totals, in minor units.
	Subtotal int64 `json:"subtotal"`
	// Items are the cart's lines, oldest first.
	Items []LineItem `json:"items"`
	// Customer is the browser that owns the cart; absent when the request
	// carried no cart cookie.
	Customer *Customer `json:"customer,omitempty"`
	// Status is always StatusOpen.
	Status string `json:"status"`
}

// Order is a paid order, as GET /api/orders/{order_id} reports it.
type Order struct {
	// ID is random and URL-safe; it is the {order_id} of the thank-you page.
	ID string `json:"id"`
	// Currency is the store currency (ISO 4217).
	Currency string `json:"currency"`
	// Subtotal is the sum of the line totals, in minor units.
	Subtotal int64 `json:"subtotal"`
	// Shipping is the shipping charged by post-purchase accepts, in minor
	// units; checkout itself ships free.
	Shipping int64 `json:"shipping,omitempty"`
	// Total is what the customer paid, in minor units: Subtotal plus
	// Shipping (the demo has no tax).
	Total int64 `json:"total"`
	// Items are the order's lines in the order they were added; lines from
	// post-purchase accepts come last, marked AddedAfterCheckout.
	Items []LineItem `json:"items"`
	// Customer is who placed the order.
	Customer *Customer `json:"customer,omitempty"`
	// Status is StatusPaid, and StatusFulfilled once the accept window
	// has closed.
	Status string `json:"status"`
	// CreatedAt is when the order was paid.
	CreatedAt time.Time `json:"created_at"`
	// PlacedAt is CreatedAt under the store contract's name: Kairo counts
	// the offer page's window from it.
	PlacedAt time.Time `json:"placed_at"`
	// EditableUntil is when the accept window closes; after it the upsell
	// endpoint answers 410.
	EditableUntil time.Time `json:"editable_until"`
}

// newLine builds a line for a catalog product.
func newLine(p *Product, quantity int, unitPrice, discount int64, offerID string) LineItem {
	return LineItem{
		ProductID: p.ProductID,
		VariantID: p.VariantID,
		Title:     p.Title,
		Quantity:  quantity,
		UnitPrice: unitPrice,
		Discount:  discount,
		LineTotal: int64(quantity) * unitPrice,
		Tags:      slices.Clone(p.Tags),
		OfferID:   offerID,
	}
}

// sumLines adds up line totals.
func sumLines(lines []LineItem) int64 {
	var sum int64
	for _, l := range lines {
		sum += l.LineTotal
	}
	return sum
}

// cloneLines deep-copies lines so that callers cannot reach store state.
func cloneLines(lines []LineItem) []LineItem {
	out := make([]LineItem, len(lines))
	for i, l := range lines {
		l.Tags = slices.Clone(l.Tags)
		out[i] = l
	}
	return out
}

// RegularUnitPrice is what one unit costs without the discount, shown
// struck through next to UnitPrice.
func (l LineItem) RegularUnitPrice() int64 { return l.UnitPrice + l.Discount }
