package vendure

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// orderFields is what both contexts read of a Vendure order.
const orderFields = `
  id code state orderPlacedAt currencyCode subTotalWithTax totalWithTax couponCodes
  customer { id orders(options: { take: 0, filter: { active: { eq: false } } }) { totalItems } }
  lines { quantity unitPriceWithTax productVariant { id product { id facetValues { code } } } }`

// order is a Vendure order as the connector reads it.
type order struct {
	ID              string   `json:"id"`
	Code            string   `json:"code"`
	State           string   `json:"state"`
	OrderPlacedAt   *string  `json:"orderPlacedAt"`
	CurrencyCode    string   `json:"currencyCode"`
	SubTotalWithTax int64    `json:"subTotalWithTax"`
	TotalWithTax    int64    `json:"totalWithTax"`
	CouponCodes     []string `json:"couponCodes"`
	Customer        *struct {
		ID     string `json:"id"`
		Orders struct {
			TotalItems int `json:"totalItems"` // placed orders
		} `json:"orders"`
	} `json:"customer"`
	Lines []struct {
		Quantity         int   `json:"quantity"`
		UnitPriceWithTax int64 `json:"unitPriceWithTax"`
		ProductVariant   struct {
			ID      string `json:"id"`
			Product struct {
				ID          string `json:"id"`
				FacetValues []struct {
					Code string `json:"code"`
				} `json:"facetValues"`
			} `json:"product"`
		} `json:"productVariant"`
	} `json:"lines"`
	Modifications []struct {
		Note        string `json:"note"`
		PriceChange int64  `json:"priceChange"`
	} `json:"modifications"`
	Payments []struct {
		State         string `json:"state"`
		TransactionID string `json:"transactionId"`
	} `json:"payments"`
}

// context turns the order into Kairo's context: amounts with tax, as the
// shopper sees them; facet value codes as product tags.
// ordersBefore is how many of the customer's placed orders came before;
// thisPlaced says the order itself is one of them.
func (o *order) context(thisPlaced bool) (*offers.Context, error) {
	sc := offers.Context{ID: o.Code, Currency: o.CurrencyCode, Subtotal: o.SubTotalWithTax, Status: contractStatus(o.State)}
	if o.OrderPlacedAt != nil {
		if t, err := time.Parse(time.RFC3339, *o.OrderPlacedAt); err == nil {
			sc.PlacedAt = t
		}
	}
	for _, l := range o.Lines {
		it := offers.Item{
			ProductID: l.ProductVariant.Product.ID, VariantID: l.ProductVariant.ID,
			Quantity: l.Quantity, UnitPrice: l.UnitPriceWithTax,
		}
		for _, fv := range l.ProductVariant.Product.FacetValues {
			it.Tags = append(it.Tags, fv.Code)
		}
		sc.Items = append(sc.Items, it)
	}
	if o.Customer != nil {
		before := o.Customer.Orders.TotalItems
		if thisPlaced {
			before--
		}
		sc.Customer = &offers.Customer{ID: o.Customer.ID, OrdersCount: max(before, 0)}
	}
	// Through the contract's parser, so that a connector's context obeys
	// the same rules (and normalisation) as a store's JSON.
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

// contractStatus names a Vendure order state in the contract's words, so
// that Kairo tells an order it may still add to ("authorized", "paid")
// from one it may not (any other state, in lower case: "shipped",
// "cancelled", "modifying", ...).
func contractStatus(state string) string {
	switch state {
	case "PaymentAuthorized":
		return "authorized"
	case "PaymentSettled":
		return "paid"
	case "AddingItems", "ArrangingPayment":
		return "open"
	}
	return strings.ToLower(state)
}

// shopHeaders is the shopper's session for the shop API, and their
// address.
func (c *Connector) shopHeaders(shopper stores.Shopper) http.Header {
	h := make(http.Header)
	if shopper.Cookie != "" {
		h.Set("Cookie", shopper.Cookie)
		if c.TokenCookie != "" {
			req := http.Request{Header: http.Header{"Cookie": {shopper.Cookie}}}
			if ck, err := req.Cookie(c.TokenCookie); err == nil && ck.Value != "" {
				h.Set("Authorization", "Bearer "+ck.Value)
			}
		}
	}
	stores.SetClientAddr(h, shopper.ClientAddr)
	return h
}

const activeOrderQuery = `query { activeOrder {` + orderFields + ` } }`

// CartContext reads the shopper's active order through the shop API, in
// the shopper's own session. A shopper without one has no cart to offer
// to: the page passes through.
func (c *Connector) CartContext(ctx context.Context, shopper stores.Shopper) (*offers.Context, error) {
	if shopper.Cookie == "" {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoCart}
	}
	var out struct {
		ActiveOrder *order `json:"activeOrder"`
	}
	if _, err := c.call(ctx, c.shopURL, c.shopHeaders(shopper), activeOrderQuery, nil, &out); err != nil {
		return nil, err
	}
	if out.ActiveOrder == nil {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoCart}
	}
	return out.ActiveOrder.context(false)
}

const orderByCodeQuery = `query($code: String!) { orders(options: { take: 1, filter: { code: { eq: $code } } }) { items {` + orderFields + `
  modifications { note priceChange }
  payments { state transactionId } } } }`

// findOrder reads a placed order by its code through the admin API; nil
// when there is none.
func (c *Connector) findOrder(ctx context.Context, code string) (*order, error) {
	var out struct {
		Orders struct {
			Items []order `json:"items"`
		} `json:"orders"`
	}
	if err := c.adminCall(ctx, orderByCodeQuery, map[string]any{"code": code}, &out); err != nil {
		return nil, err
	}
	if len(out.Orders.Items) == 0 {
		return nil, nil
	}
	return &out.Orders.Items[0], nil
}

// OrderContext reads a placed order by its code (the id on Vendure
// storefronts' confirmation pages) through the admin API.
func (c *Connector) OrderContext(ctx context.Context, code string, _ stores.Shopper) (*offers.Context, error) {
	o, err := c.findOrder(ctx, code)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: http.StatusNotFound, Err: errNoOrder}
	}
	return o.context(true)
}

var (
	errNoCart  = errors.New("vendure: the shopper has no active order")
	errNoOrder = errors.New("vendure: no order with this code")
)
