package offers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Context is a cart or an order as the store describes it (store contract
// v1): what targeting looks at when choosing offers. The same shape serves
// both placements; ID is the cart id before payment and the order id after.
type Context struct {
	ID       string    `json:"id"`
	Currency string    `json:"currency"` // ISO 4217, upper case
	Subtotal int64     `json:"subtotal"` // minor units
	Items    []Item    `json:"items"`
	Customer *Customer `json:"customer,omitempty"` // nil for a guest
	Status   string    `json:"status,omitempty"`   // e.g. "open", "paid"
	// PlacedAt is when the order was placed (RFC 3339), or zero when the
	// store does not say; the post-purchase window counts from it.
	PlacedAt time.Time `json:"placed_at,omitzero"`
	// Payment says how an order is paid, when the store says (orders
	// only); nil is the default: an accepted offer is charged to the
	// payment method on file.
	Payment *Payment `json:"payment,omitempty"`
	// Locale is the buyer's BCP 47 language tag ("de-DE"), when the store
	// says: prices are written the way it does (see Locale). A tag that is
	// not well-formed is dropped.
	Locale string `json:"locale,omitempty"`
}

// How an accepted post-purchase offer gets paid (Payment.Collect). What the
// offer page promises the buyer depends on it.
const (
	// CollectCharge: the store charges the payment method on file; one
	// click ("Pay now"). The default.
	CollectCharge = "charge"
	// CollectOffline: the item is added to the placed order, and its new
	// total is paid the way the order is paid outside the store: on
	// delivery, by bank transfer, by cheque. Nothing is charged now.
	CollectOffline = "offline"
	// CollectPayLink: the store makes a second order linked to the placed
	// one, which the buyer pays on the store's own payment page
	// ("Complete payment").
	CollectPayLink = "pay_link"
)

// Payment is how a placed order is paid.
type Payment struct {
	// Method is the store's id of the payment method, e.g. "cod".
	Method string `json:"method,omitempty"`
	// Title is the method's name as the buyer chose it at checkout, e.g.
	// "Cash on delivery".
	Title string `json:"title,omitempty"`
	// Collect is how an accepted offer gets paid: "charge" (the default),
	// "offline" or "pay_link" (see CollectCharge, CollectOffline,
	// CollectPayLink).
	Collect string `json:"collect,omitempty"`
}

// Collect is how an accepted offer on this order gets paid: the store's
// Payment.Collect, or CollectCharge when it does not say.
func (c *Context) Collect() string {
	if c.Payment == nil || c.Payment.Collect == "" {
		return CollectCharge
	}
	return c.Payment.Collect
}

// changeableStatuses are the order statuses (lower case) under which a
// store contract order can still take post-purchase items: paid or
// authorised but not yet fulfilled. An order without a status counts as
// changeable; any other status (fulfilled, shipped, completed, cancelled,
// refunded, closed, ...) does not.
var changeableStatuses = []string{"", "paid", "authorized", "authorised", "pending", "processing", "new", "on-hold", "open"}

// ChangeableStatuses lists the order statuses that mean "still
// changeable" (see Changeable); "" stands for no status given.
func ChangeableStatuses() []string { return slices.Clone(changeableStatuses) }

// Changeable reports whether the order's status still lets post-purchase
// offers be added to it. The store has the last word (it answers 410 to
// an accept on a closed order); this keeps Kairo from showing an offer
// the store is bound to refuse.
func (c *Context) Changeable() bool {
	return slices.Contains(changeableStatuses, c.Status)
}

// Item is one line of a cart or order.
type Item struct {
	ProductID string   `json:"product_id"`
	VariantID string   `json:"variant_id,omitempty"`
	Quantity  int      `json:"quantity"`
	UnitPrice int64    `json:"unit_price"` // minor units
	Tags      []string `json:"tags,omitempty"`
}

// Customer is who the cart or order belongs to.
type Customer struct {
	ID   string   `json:"id,omitempty"`
	Tags []string `json:"tags,omitempty"`
	// OrdersCount is how many orders the customer placed before this cart
	// or order; 0 makes them a new customer.
	OrdersCount int `json:"orders_count"`
}

// NewCustomer reports whether the cart or order belongs to a new customer:
// a guest, or a customer without earlier orders.
func (c *Context) NewCustomer() bool {
	return c.Customer == nil || c.Customer.OrdersCount <= 0
}

// HasProduct reports whether some item of the cart or order is the product.
func (c *Context) HasProduct(productID string) bool {
	for i := range c.Items {
		if c.Items[i].ProductID == productID {
			return true
		}
	}
	return false
}

// Money turns an amount of the context's currency into Money.
func (c *Context) Money(amount int64) Money {
	return Money{Amount: amount, Currency: c.Currency}
}

// ParseContext decodes the store's cart or order JSON (store contract v1).
// Fields Kairo does not use are ignored, so a store can return its richer
// object as is. It checks what targeting relies on: an id, a known currency,
// amounts and quantities that are not negative, a product id on every item.
// It normalises as it goes: the currency to upper case, tags and status to
// lower case, so that matching does not depend on the store's spelling.
// Errors start with "context: " and name the field.
func ParseContext(data []byte) (*Context, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("context: want a JSON object, got %s", describeJSON(trimmed))
	}
	var c Context
	if !decodeContext(trimmed, &c) {
		c = Context{}
		if err := json.Unmarshal(trimmed, &c); err != nil {
			return nil, contextDecodeError(err)
		}
	}
	c.normalize()
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// contextDecodeError turns an encoding/json error into one that names the
// field in the contract's terms.
func contextDecodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var timeErr *time.ParseError
	if errors.As(err, &timeErr) {
		return fmt.Errorf("context: placed_at: want an RFC 3339 time such as \"2025-11-28T10:00:00Z\", got %q", timeErr.Value)
	}
	if strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		// placed_at is the only time of the contract.
		return errors.New("context: placed_at: want an RFC 3339 time such as \"2025-11-28T10:00:00Z\" in a string")
	}
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Errorf("context: %s: want %s, got %s", typeErr.Field, jsonKind(typeErr.Type.Kind()), typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("context: invalid JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	return fmt.Errorf("context: %v", err)
}

// normalize brings the spellings that matching compares to one case.
func (c *Context) normalize() {
	c.Currency = strings.ToUpper(c.Currency)
	c.Status = strings.ToLower(c.Status)
	if c.Locale != "" {
		l, _ := ParseLocale(c.Locale) // a malformed tag: the zero Locale, ""
		c.Locale = l.Tag()
	}
	if c.Payment != nil {
		c.Payment.Collect = strings.ToLower(c.Payment.Collect)
	}
	for i := range c.Items {
		lowerAll(c.Items[i].Tags)
	}
	if c.Customer != nil {
		lowerAll(c.Customer.Tags)
	}
}

// lowerAll lower-cases every string of the list in place.
func lowerAll(list []string) {
	for i, s := range list {
		list[i] = strings.ToLower(s)
	}
}

// check reports every broken rule of the contract, joined into one error.
func (c *Context) check() error {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	if c.ID == "" {
		add("id: missing")
	}
	if c.Currency == "" {
		add("currency: missing")
	} else if _, ok := CurrencyDigits(c.Currency); !ok {
		add("currency: %q is not an ISO 4217 code", c.Currency)
	}
	if c.Subtotal < 0 {
		add("subtotal: %d is negative", c.Subtotal)
	}
	for i, it := range c.Items {
		if it.ProductID == "" {
			add("items[%d].product_id: missing", i)
		}
		if it.Quantity < 0 {
			add("items[%d].quantity: %d is negative", i, it.Quantity)
		}
		if it.UnitPrice < 0 {
			add("items[%d].unit_price: %d is negative", i, it.UnitPrice)
		}
	}
	if p := c.Payment; p != nil && !slices.Contains([]string{"", CollectCharge, CollectOffline, CollectPayLink}, p.Collect) {
		add("payment.collect: %q is none of %q, %q, %q", p.Collect, CollectCharge, CollectOffline, CollectPayLink)
	}
	if c.Customer != nil && c.Customer.OrdersCount < 0 {
		add("customer.orders_count: %d is negative", c.Customer.OrdersCount)
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New("context: " + strings.Join(problems, "; "))
}
