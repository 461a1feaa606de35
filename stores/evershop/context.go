package evershop

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// cart is what the connector reads of an EverShop cart.
type cart struct {
	UUID            string `json:"uuid"`
	Currency        string `json:"currency"`
	Coupon          string `json:"coupon"`
	CustomerID      *int   `json:"customerId"`
	SubTotalInclTax price  `json:"subTotalInclTax"`
	GrandTotal      price  `json:"grandTotal"`
	Items           []line `json:"items"`
}

// line is one item of a cart or order.
type line struct {
	ProductSku        string `json:"productSku"`
	Qty               int    `json:"qty"`
	FinalPrice        price  `json:"finalPrice"`
	FinalPriceInclTax price  `json:"finalPriceInclTax"`
}

const cartFields = `uuid currency coupon customerId subTotalInclTax { value } grandTotal { value }
  items { productSku qty finalPrice { value } finalPriceInclTax { value } }`

// has reports whether the cart holds at least qty of a SKU.
func (c *cart) has(sku string, qty int) bool {
	for _, l := range c.Items {
		if l.ProductSku == sku && l.Qty >= qty {
			return true
		}
	}
	return false
}

// line returns the cart's line of a SKU.
func (c *cart) line(sku string) (line, bool) {
	for _, l := range c.Items {
		if l.ProductSku == sku {
			return l, true
		}
	}
	return line{}, false
}

// context turns a cart or order into Kairo's context (amounts with tax,
// as the shopper sees them; SKUs as product ids), through the contract's
// parser so that it obeys the same rules.
func toContext(id, currency, status string, subtotal price, items []line, customer *offers.Customer) (*offers.Context, error) {
	sc := offers.Context{ID: id, Currency: currency, Status: status, Customer: customer}
	var err error
	if sc.Subtotal, err = minor(subtotal.Value, currency); err != nil {
		return nil, stores.BadAnswer("evershop: subtotal: %v", err)
	}
	for _, l := range items {
		unit, err := minor(l.FinalPriceInclTax.Value, currency)
		if err != nil {
			return nil, stores.BadAnswer("evershop: item %s: %v", l.ProductSku, err)
		}
		sc.Items = append(sc.Items, offers.Item{ProductID: l.ProductSku, Quantity: l.Qty, UnitPrice: unit})
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	parsed, err := offers.ParseContext(raw)
	if err != nil {
		return nil, &stores.Failure{Reason: stores.FailBadAnswer, Err: err}
	}
	return parsed, nil
}

var (
	errNoCart  = errors.New("evershop: the shopper has no cart")
	errNoOrder = errors.New("evershop: no order with this id")
)

// myCart reads the shopper's cart in their session; nil when they have
// none.
func (c *Connector) myCart(ctx context.Context, shopper stores.Shopper) (*cart, error) {
	var out struct {
		MyCart *cart `json:"myCart"`
	}
	if err := c.query(ctx, caller{shopper: shopper, cookie: true}, `query { myCart { `+cartFields+` } }`, nil, &out); err != nil {
		return nil, err
	}
	return out.MyCart, nil
}

// CartContext reads the shopper's cart through the storefront GraphQL, in
// the shopper's session.
func (c *Connector) CartContext(ctx context.Context, shopper stores.Shopper) (*offers.Context, error) {
	if shopper.Cookie == "" {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoCart}
	}
	ct, err := c.myCart(ctx, shopper)
	if err != nil {
		return nil, err
	}
	if ct == nil {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoCart}
	}
	var customer *offers.Customer
	if ct.CustomerID != nil {
		// The storefront does not tell a customer's order count: a
		// signed-in customer counts as one who ordered before.
		customer = &offers.Customer{ID: itoa(*ct.CustomerID), OrdersCount: 1}
	}
	return toContext(ct.UUID, ct.Currency, "open", ct.SubTotalInclTax, ct.Items, customer)
}

// order is what the connector reads of an EverShop order.
type order struct {
	UUID        string `json:"uuid"`
	OrderNumber string `json:"orderNumber"`
	Status      struct {
		Code string `json:"code"`
	} `json:"status"`
	CreatedAt *struct {
		Value string `json:"value"` // milliseconds since 1970
	} `json:"createdAt"`
	Currency         string  `json:"currency"`
	CustomerID       *int    `json:"customerId"`
	CustomerEmail    string  `json:"customerEmail"`
	CustomerFullName *string `json:"customerFullName"`
	PaymentMethod    string  `json:"paymentMethod"`
	ShippingNote     *string `json:"shippingNote"`
	ShippingMethod   *struct {
		ProviderCode string `json:"providerCode"`
		MethodCode   string `json:"methodCode"`
	} `json:"shippingMethodData"`
	ShippingAddress *address    `json:"shippingAddress"`
	BillingAddress  *address    `json:"billingAddress"`
	SubTotalInclTax price       `json:"subTotalInclTax"`
	GrandTotal      price       `json:"grandTotal"`
	Items           []line      `json:"items"`
	Metafields      []metafield `json:"metafields"`
}

// address is an order's address as GraphQL gives it.
type address struct {
	FullName  string  `json:"fullName"`
	Telephone *string `json:"telephone"`
	Address1  string  `json:"address1"`
	Address2  *string `json:"address2"`
	City      string  `json:"city"`
	Postcode  string  `json:"postcode"`
	Country   *struct {
		Code string `json:"code"`
	} `json:"country"`
	Province *struct {
		Code string `json:"code"`
	} `json:"province"`
}

// metafield is one custom field of an order.
type metafield struct {
	Namespace string          `json:"namespace"`
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
}

const addressFields = `fullName telephone address1 address2 city postcode country { code } province { code }`

const orderQuery = `query($uuid: String!) { order(uuid: $uuid) {
  uuid orderNumber status { code } createdAt { value } currency customerId customerEmail customerFullName
  paymentMethod shippingNote shippingMethodData { providerCode methodCode }
  shippingAddress { ` + addressFields + ` } billingAddress { ` + addressFields + ` }
  subTotalInclTax { value } grandTotal { value }
  items { productSku qty finalPrice { value } finalPriceInclTax { value } }
  metafields { namespace key value } } }`

// findOrder reads an order by uuid through the admin GraphQL; nil when
// there is none.
func (c *Connector) findOrder(ctx context.Context, shopper stores.Shopper, uuid string) (*order, error) {
	var out struct {
		Order *order `json:"order"`
	}
	if err := c.query(ctx, caller{shopper: shopper, admin: true}, orderQuery, map[string]any{"uuid": uuid}, &out); err != nil {
		return nil, err
	}
	return out.Order, nil
}

// ordersOf lists the orders placed with an email address, newest first.
func (c *Connector) ordersOf(ctx context.Context, shopper stores.Shopper, email string) ([]order, int, error) {
	var out struct {
		Orders struct {
			Total int     `json:"total"`
			Items []order `json:"items"`
		} `json:"orders"`
	}
	q := `query($email: ID) { orders(filters: [{ key: "email", operation: eq, value: $email }, { key: "limit", operation: eq, value: "100" }]) {
  total items { uuid orderNumber shippingNote grandTotal { value } currency } } }`
	if err := c.query(ctx, caller{shopper: shopper, admin: true}, q, map[string]any{"email": email}, &out); err != nil {
		return nil, 0, err
	}
	return out.Orders.Items, out.Orders.Total, nil
}

// OrderContext reads a placed order by its uuid through the admin
// GraphQL, on behalf of the shopper (whose address goes with the calls:
// EverShop limits API calls per client address).
func (c *Connector) OrderContext(ctx context.Context, uuid string, shopper stores.Shopper) (*offers.Context, error) {
	o, err := c.findOrder(ctx, shopper, uuid)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoOrder}
	}
	var customer *offers.Customer
	if o.CustomerEmail != "" {
		_, total, err := c.ordersOf(ctx, shopper, o.CustomerEmail)
		if err != nil {
			return nil, err
		}
		id := strings.ToLower(o.CustomerEmail)
		if o.CustomerID != nil {
			id = itoa(*o.CustomerID)
		}
		customer = &offers.Customer{ID: id, OrdersCount: max(total-1, 0)}
	}
	sc, err := toContext(o.UUID, o.Currency, o.Status.Code, o.SubTotalInclTax, o.Items, customer)
	if err == nil && o.CreatedAt != nil {
		if ms, perr := strconv.ParseInt(o.CreatedAt.Value, 10, 64); perr == nil {
			sc.PlacedAt = time.UnixMilli(ms).UTC()
		}
	}
	return sc, err
}
