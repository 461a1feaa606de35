package woocommerce

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// storeCart is what Kairo reads of the Store API's cart.
type storeCart struct {
	Items []struct {
		Key      string `json:"key"`
		ID       int64  `json:"id"`
		Type     string `json:"type"`
		Quantity int    `json:"quantity"`
		Prices   struct {
			Price string `json:"price"` // minor units
		} `json:"prices"`
	} `json:"items"`
	Coupons []struct {
		Code string `json:"code"`
	} `json:"coupons"`
	Totals struct {
		TotalItems   string `json:"total_items"` // minor units, before discounts
		TotalPrice   string `json:"total_price"`
		CurrencyCode string `json:"currency_code"`
		MinorUnit    int    `json:"currency_minor_unit"`
	} `json:"totals"`
}

// cartSession is the shopper's cart and what the Store API handed out with
// it: the nonce its writes need and the session's customer id.
type cartSession struct {
	cart     storeCart
	nonce    string
	customer string
}

// fetchCart reads the shopper's cart through the Store API, as the shopper.
func (c *Connector) fetchCart(ctx context.Context, who stores.Shopper) (cartSession, error) {
	var s cartSession
	rp, err := c.do(ctx, request{method: http.MethodGet, path: storeAPI + "/cart", as: &who}, &s.cart)
	if err != nil {
		return s, err
	}
	if !rp.ok() {
		return s, rp.failure("store API cart")
	}
	s.nonce = rp.header.Get("Nonce")
	s.customer = cartTokenCustomer(rp.header.Get("Cart-Token"))
	return s, nil
}

// cartTokenCustomer is the session's customer id inside the Cart-Token the
// Store API answered with (a JWT it signed; the connector only reads it).
func cartTokenCustomer(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		UserID json.RawMessage `json:"user_id"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return strings.Trim(string(claims.UserID), `"`)
}

// CartContext describes the shopper's cart, read through the Store API
// with the shopper's own cookies.
func (c *Connector) CartContext(ctx context.Context, who stores.Shopper) (*offers.Context, error) {
	s, err := c.fetchCart(ctx, who)
	if err != nil {
		return nil, err
	}
	sc := &offers.Context{ID: s.customer, Currency: strings.ToUpper(s.cart.Totals.CurrencyCode), Status: "open"}
	if sc.ID == "" {
		// No session id in the answer: the cookies still name the cart.
		sum := sha256.Sum256([]byte(who.Cookie))
		sc.ID = "cookie-" + hex.EncodeToString(sum[:8])
	}
	if sc.Subtotal, err = minorUnits(s.cart.Totals.TotalItems); err != nil {
		return nil, stores.BadAnswer("cart totals.total_items: %v", err)
	}
	for _, it := range s.cart.Items {
		price, err := minorUnits(it.Prices.Price)
		if err != nil {
			return nil, stores.BadAnswer("cart item %d price: %v", it.ID, err)
		}
		item := offers.Item{ProductID: strconv.FormatInt(it.ID, 10), Quantity: it.Quantity, UnitPrice: price}
		if it.Type == "variation" {
			parent, err := c.parentOf(ctx, it.ID)
			if err != nil {
				return nil, err
			}
			item.ProductID, item.VariantID = strconv.FormatInt(parent, 10), strconv.FormatInt(it.ID, 10)
		}
		sc.Items = append(sc.Items, item)
	}
	return sc, nil
}

// minorUnits reads a Store API amount, already in minor units.
func minorUnits(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// parentOf is the product a variation belongs to (REST v3), remembered:
// it never changes.
func (c *Connector) parentOf(ctx context.Context, variationID int64) (int64, error) {
	if p, ok := c.parents.Load(variationID); ok {
		return p.(int64), nil
	}
	var v struct {
		ParentID int64 `json:"parent_id"`
	}
	rp, err := c.do(ctx, request{method: http.MethodGet, path: restV3 + "/products/" + strconv.FormatInt(variationID, 10), admin: true}, &v)
	if err != nil {
		return 0, err
	}
	if !rp.ok() {
		return 0, rp.failure("variation's product")
	}
	c.parents.Store(variationID, v.ParentID)
	return v.ParentID, nil
}

// restOrder is what Kairo reads of a REST v3 order.
type restOrder struct {
	ID            int64          `json:"id"`
	ParentID      int64          `json:"parent_id"`
	Status        string         `json:"status"`
	Currency      string         `json:"currency"`
	Total         string         `json:"total"`
	OrderKey      string         `json:"order_key"`
	CustomerID    int64          `json:"customer_id"`
	PaymentMethod string         `json:"payment_method"`
	PaymentTitle  string         `json:"payment_method_title"`
	PaymentURL    string         `json:"payment_url"`
	NeedsPayment  bool           `json:"needs_payment"`
	Billing       map[string]any `json:"billing"`
	Shipping      map[string]any `json:"shipping"`
	MetaData      []restMeta     `json:"meta_data"`
	LineItems     []struct {
		ProductID   int64      `json:"product_id"`
		VariationID int64      `json:"variation_id"`
		Quantity    int        `json:"quantity"`
		Subtotal    string     `json:"subtotal"` // the line before discounts
		Total       string     `json:"total"`    // after discounts, before tax
		TotalTax    string     `json:"total_tax"`
		MetaData    []restMeta `json:"meta_data"`
	} `json:"line_items"`
	ShippingLines []struct {
		Total    string     `json:"total"`
		TotalTax string     `json:"total_tax"`
		MetaData []restMeta `json:"meta_data"`
	} `json:"shipping_lines"`
}

// restMeta is one meta entry of an order or of one of its lines.
type restMeta struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// errNoOrder is a REST 404 for an order.
var errNoOrder = errors.New("no such order")

// fetchOrder reads an order through REST v3.
func (c *Connector) fetchOrder(ctx context.Context, orderID string) (*restOrder, error) {
	if _, err := strconv.ParseUint(orderID, 10, 63); err != nil {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoOrder}
	}
	var o restOrder
	rp, err := c.do(ctx, request{method: http.MethodGet, path: restV3 + "/orders/" + orderID, admin: true}, &o)
	if err != nil {
		return nil, err
	}
	if rp.status == http.StatusNotFound {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoOrder}
	}
	if !rp.ok() {
		return nil, rp.failure("REST order")
	}
	return &o, nil
}

// errNeedsKey is why OrderContext alone shows nothing.
var errNeedsKey = errors.New("a WooCommerce order is shown only with its key, from its thank-you page (OrderContextFor)")

// errWrongKey is why a thank-you page without the order's key shows nothing.
var errWrongKey = errors.New("the page's key is not the order's key")

// OrderContext shows no order: WooCommerce orders are shown only to the
// page that holds the order's key (see OrderContextFor). The store is still
// asked for the order with the credential, so that a check of the
// credential (Kairo's store check at start, which asks for a made-up
// order) hears the store's verdict: 404 for an order it does not have, 401
// for a credential it refuses.
func (c *Connector) OrderContext(ctx context.Context, orderID string, _ stores.Shopper) (*offers.Context, error) {
	if _, err := strconv.ParseUint(orderID, 10, 63); err != nil {
		orderID = "0" // no order has it; a made-up id is not put in a path
	}
	if _, err := c.fetchOrder(ctx, orderID); err != nil {
		return nil, err
	}
	return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusForbidden, Err: errNeedsKey}
}

// OrderContextFor describes the order on a thank-you page
// (/checkout/order-received/{order_id}/?key=wc_order_…), and only when the
// page's key is the order's: WooCommerce's own page shows an order on the
// same condition.
func (c *Connector) OrderContextFor(ctx context.Context, orderID string, page *url.URL) (*offers.Context, error) {
	key := ""
	if page != nil {
		key = page.Query().Get("key")
	}
	if key == "" {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusForbidden, Err: errWrongKey}
	}
	o, err := c.fetchOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(o.OrderKey)) != 1 {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusForbidden, Err: errWrongKey}
	}
	return c.orderContext(ctx, o)
}

// orderContext turns a REST order into an order context.
func (c *Connector) orderContext(ctx context.Context, o *restOrder) (*offers.Context, error) {
	digits, err := currencyDigits(o.Currency)
	if err != nil {
		return nil, stores.BadAnswer("order %d: %v", o.ID, err)
	}
	sc := &offers.Context{ID: strconv.FormatInt(o.ID, 10), Currency: strings.ToUpper(o.Currency), Status: o.Status, Payment: c.payment(o)}
	for _, l := range o.LineItems {
		sub, err := parseAmount(l.Subtotal, digits)
		if err != nil {
			return nil, stores.BadAnswer("order %d line subtotal: %v", o.ID, err)
		}
		item := offers.Item{ProductID: strconv.FormatInt(l.ProductID, 10), Quantity: l.Quantity}
		if l.VariationID != 0 {
			item.VariantID = strconv.FormatInt(l.VariationID, 10)
		}
		if l.Quantity > 0 {
			item.UnitPrice = sub / int64(l.Quantity)
		}
		sc.Subtotal += sub
		sc.Items = append(sc.Items, item)
	}
	if o.CustomerID != 0 {
		earlier, err := c.earlierOrders(ctx, o.CustomerID)
		if err != nil {
			return nil, err
		}
		sc.Customer = &offers.Customer{ID: strconv.FormatInt(o.CustomerID, 10), OrdersCount: earlier}
	}
	return sc, nil
}

// payment is how an accepted offer on the order gets paid, as OrderAccept
// will take it: added to the order and paid with it (an offline method),
// else a follow-up order paid on the store's pay page.
func (c *Connector) payment(o *restOrder) *offers.Payment {
	p := &offers.Payment{Method: o.PaymentMethod, Title: o.PaymentTitle, Collect: offers.CollectPayLink}
	if c.offline[o.PaymentMethod] {
		p.Collect = offers.CollectOffline
	}
	return p
}

// earlierOrders counts a registered customer's orders before this one
// (REST v3 gives the count in X-WP-Total).
func (c *Connector) earlierOrders(ctx context.Context, customerID int64) (int, error) {
	q := url.Values{"customer": {strconv.FormatInt(customerID, 10)}, "per_page": {"1"}, "_fields": {"id"}}
	rp, err := c.do(ctx, request{method: http.MethodGet, path: restV3 + "/orders", query: q, admin: true}, nil)
	if err != nil {
		return 0, err
	}
	if !rp.ok() {
		return 0, rp.failure("customer's orders")
	}
	n, err := strconv.Atoi(rp.header.Get("X-WP-Total"))
	if err != nil {
		return 0, stores.BadAnswer("customer's orders: X-WP-Total %q", rp.header.Get("X-WP-Total"))
	}
	return max(n-1, 0), nil
}
