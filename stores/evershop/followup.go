package evershop

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// Order metafields that link a follow-up order and the order it follows,
// both ways.
const (
	linkNamespace = "kairo"
	followUpsKey  = "follow_ups"   // on the first order: "<key> <uuid> #<number>" per follow-up
	followUpOfKey = "follow_up_of" // on the follow-up: the first order's uuid
)

// markerPrefix starts the follow-up's shipping note, which carries the
// key: an accept that stopped before the link was written finds its order
// by it.
const markerPrefix = "kairo:"

// finishTimeout bounds linking a follow-up order once it was placed: it
// runs even when the accept's own time is up.
const finishTimeout = 10 * time.Second

// shippingRefused is why an accept of an offer that charges shipping is
// refused, for the log.
const shippingRefused = "the offer charges shipping, which EverShop's API cannot put on a follow-up order (its shipping method prices the shipping): nothing was changed; leave shipping out of offers for this store"

// ChargesShipping is false: the follow-up order's shipping is priced by
// the placed order's shipping method, and EverShop's API takes no amount
// to charge instead. Kairo does not show this store's buyers offers with
// shipping; OrderAccept refuses them all the same.
func (c *Connector) ChargesShipping() bool { return false }

// closedStatuses are order statuses that take no follow-up.
var closedStatuses = map[string]bool{"canceled": true, "cancelled": true, "closed": true}

// OrderAccept places the offer as a follow-up order linked to the placed
// one: same customer (the shopper's session signs it in when they are),
// email, addresses, shipping method and payment method, the offer's item
// at the offer's price. EverShop collects no payment through its API: the
// follow-up waits for payment like any order of its payment method (cash on
// delivery stays "pending").
func (c *Connector) OrderAccept(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	if len(req.Items) != 1 {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	if req.Shipping != 0 {
		// See ChargesShipping: the offer must not go out without its
		// shipping.
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict, Detail: shippingRefused}, nil
	}
	unlock := c.orders.Lock(req.OrderID)
	defer unlock()
	who := req.Shopper
	marker := markerPrefix + req.Key

	first, err := c.findOrder(ctx, who, req.OrderID)
	if err != nil {
		return stores.Answer{}, err
	}
	if first == nil || closedStatuses[first.Status.Code] {
		return stores.Answer{Status: http.StatusGone}, nil
	}
	if first.Currency != req.Currency {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	if uuid, ok := first.followUp(req.Key); ok {
		return c.followUpAnswer(ctx, who, uuid)
	}
	if err := c.ensureLinkFields(ctx, who); err != nil {
		return stores.Answer{}, err
	}
	// An earlier attempt may have placed the order and stopped before
	// linking it.
	placed, _, err := c.ordersOf(ctx, who, first.CustomerEmail)
	if err != nil {
		return stores.Answer{}, err
	}
	for _, o := range placed {
		if o.ShippingNote != nil && strings.HasPrefix(*o.ShippingNote, marker+" ") {
			return c.link(ctx, who, first, &o, req.Key)
		}
	}
	if first.ShippingAddress == nil || first.ShippingMethod == nil || first.PaymentMethod == "" {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict,
			Detail: "the order has no shipping address, shipping method or payment method to repeat"}, nil
	}

	item := req.Items[0]
	var made struct {
		CartID string `json:"cartId"`
	}
	body := map[string]any{
		"items":          []map[string]any{{"sku": item.ProductID, "qty": item.Quantity}},
		"customer_email": first.CustomerEmail,
	}
	if first.CustomerFullName != nil && *first.CustomerFullName != "" {
		body["customer_full_name"] = *first.CustomerFullName
	}
	err = c.do(ctx, caller{shopper: who}, http.MethodPost, "/api/carts", body, &made)
	if ae, ok := refused(err); ok {
		return stores.Answer{Status: http.StatusConflict, Reason: stockReason(ae), Detail: ae.Message}, nil
	}
	if err != nil {
		return stores.Answer{}, err
	}
	var got struct {
		Cart *cart `json:"cart"`
	}
	if err := c.query(ctx, caller{shopper: who}, `query($id: String!) { cart(id: $id) { `+cartFields+` } }`, map[string]any{"id": made.CartID}, &got); err != nil {
		return stores.Answer{}, err
	}
	if got.Cart == nil {
		return stores.Answer{}, stores.BadAnswer("evershop: the new cart %s cannot be read", made.CartID)
	}
	l, ok := got.Cart.line(item.ProductID)
	if !ok {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonOutOfStock}, nil
	}
	perUnit, err := c.discountPerUnit(ctx, who, l, item.UnitPrice, req.Currency)
	if err != nil {
		return stores.Answer{}, err
	}
	if perUnit > 0 {
		code := couponCode(req.Key)
		if err := c.ensureCoupon(ctx, who, code, item.ProductID, item.Quantity, perUnit, req.Currency, req.OfferID); err != nil {
			return stores.Answer{}, err
		}
		if err := c.applyCoupon(ctx, who, made.CartID, code); err != nil {
			return stores.Answer{}, err
		}
	}

	checkout := map[string]any{
		"cart_id":          made.CartID,
		"customer":         map[string]any{"email": first.CustomerEmail},
		"shippingAddress":  first.ShippingAddress.input(),
		"billingAddress":   first.billing().input(),
		"paymentMethod":    first.PaymentMethod,
		"shippingMethod":   first.ShippingMethod.MethodCode,
		"shippingProvider": first.ShippingMethod.ProviderCode,
		"note":             marker + " follow-up of order #" + first.OrderNumber,
	}
	var placedOrder struct {
		UUID string `json:"uuid"`
	}
	// The shopper's cookies go with the checkout, so a signed-in customer's
	// follow-up is theirs (EverShop takes the customer from the session).
	err = c.do(ctx, caller{shopper: who, cookie: true}, http.MethodPost, "/api/carts/"+made.CartID+"/checkout", checkout, &placedOrder)
	if ae, ok := refused(err); ok {
		return stores.Answer{Status: http.StatusConflict, Reason: stockReason(ae), Detail: ae.Message}, nil
	}
	if err != nil {
		return stores.Answer{}, err
	}
	return c.link(ctx, who, first, &order{UUID: placedOrder.UUID}, req.Key)
}

// link writes the metafields that tie the follow-up and the first order
// together, and answers the accept. It runs to the end even past the
// accept's deadline: the order exists, the link must too.
func (c *Connector) link(ctx context.Context, who stores.Shopper, first, second *order, key string) (stores.Answer, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	full, err := c.findOrder(ctx, who, second.UUID)
	if err != nil || full == nil {
		return stores.Answer{}, stores.BadAnswer("evershop: reading the follow-up order %s: %v", second.UUID, err)
	}
	firstFields := first.metafieldValues()
	ns := firstFields[linkNamespace]
	if ns == nil {
		ns = make(map[string]any)
		firstFields[linkNamespace] = ns
	}
	var list []string
	if prev, ok := ns[followUpsKey].([]any); ok {
		for _, v := range prev {
			if s, ok := v.(string); ok {
				list = append(list, s)
			}
		}
	}
	ns[followUpsKey] = append(list, key+" "+full.UUID+" #"+full.OrderNumber)
	admin := caller{shopper: who, admin: true}
	if err := c.do(ctx, admin, http.MethodPatch, "/api/orders/"+first.UUID+"/metafields", map[string]any{"metafields": firstFields}, nil); err != nil {
		return stores.Answer{}, err
	}
	secondFields := full.metafieldValues()
	if secondFields[linkNamespace] == nil {
		secondFields[linkNamespace] = make(map[string]any)
	}
	secondFields[linkNamespace][followUpOfKey] = first.UUID
	if err := c.do(ctx, admin, http.MethodPatch, "/api/orders/"+second.UUID+"/metafields", map[string]any{"metafields": secondFields}, nil); err != nil {
		return stores.Answer{}, err
	}
	return answerFor(full), nil
}

// followUpAnswer answers a repeat of an accept that made its order already.
func (c *Connector) followUpAnswer(ctx context.Context, who stores.Shopper, uuid string) (stores.Answer, error) {
	o, err := c.findOrder(ctx, who, uuid)
	if err != nil {
		return stores.Answer{}, err
	}
	if o == nil {
		return stores.Answer{Status: http.StatusOK, Mode: stores.ModeFollowUp, FollowUpOrderID: uuid}, nil
	}
	return answerFor(o), nil
}

// answerFor is the answer for a follow-up order: its total is the new
// order's, and all of it is what the accept charges the buyer.
func answerFor(o *order) stores.Answer {
	ans := stores.Answer{Status: http.StatusOK, Mode: stores.ModeFollowUp, FollowUpOrderID: o.UUID}
	if total, err := minor(o.GrandTotal.Value, o.Currency); err == nil && o.GrandTotal.Value != "" {
		ans.Total, ans.Charged = total, offers.Money{Amount: total, Currency: o.Currency}
	}
	return ans
}

// followUp finds the follow-up order recorded for a key on the first order.
func (o *order) followUp(key string) (string, bool) {
	for _, m := range o.Metafields {
		if m.Namespace != linkNamespace || m.Key != followUpsKey {
			continue
		}
		var entries []string
		_ = json.Unmarshal(m.Value, &entries)
		for _, e := range entries {
			if k, rest, ok := strings.Cut(e, " "); ok && k == key {
				uuid, _, _ := strings.Cut(rest, " ")
				return uuid, true
			}
		}
	}
	return "", false
}

// metafieldValues is the order's metafields in the shape EverShop's PATCH
// takes: it replaces all of them, so every field goes back.
func (o *order) metafieldValues() map[string]map[string]any {
	out := make(map[string]map[string]any)
	for _, m := range o.Metafields {
		var v any
		if json.Unmarshal(m.Value, &v) != nil || v == nil {
			continue
		}
		if out[m.Namespace] == nil {
			out[m.Namespace] = make(map[string]any)
		}
		out[m.Namespace][m.Key] = v
	}
	return out
}

// billing is the order's billing address, or its shipping address.
func (o *order) billing() *address {
	if o.BillingAddress != nil && o.BillingAddress.Address1 != "" {
		return o.BillingAddress
	}
	return o.ShippingAddress
}

// input is the address as EverShop's checkout takes it.
func (a *address) input() map[string]any {
	m := map[string]any{"full_name": a.FullName, "address_1": a.Address1, "city": a.City, "postcode": a.Postcode}
	if a.Telephone != nil {
		m["telephone"] = *a.Telephone
	}
	if a.Address2 != nil {
		m["address_2"] = *a.Address2
	}
	if a.Country != nil {
		m["country"] = a.Country.Code
	}
	if a.Province != nil {
		m["province"] = a.Province.Code
	}
	return m
}

// linkFields remembers that the metafield definitions exist.
type linkFields struct {
	mu   sync.Mutex
	made bool
}

// ensureLinkFields makes the order metafield definitions the links are
// stored in, once per process (a definition that exists already is fine).
func (c *Connector) ensureLinkFields(ctx context.Context, who stores.Shopper) error {
	c.links.mu.Lock()
	defer c.links.mu.Unlock()
	if c.links.made {
		return nil
	}
	for _, def := range []map[string]any{
		{"fieldKey": followUpsKey, "name": "Kairo: follow-up orders", "isList": true},
		{"fieldKey": followUpOfKey, "name": "Kairo: follow-up of order", "isList": false},
	} {
		// Visible to the customer: EverShop's GraphQL shows the admin only
		// those (its resolvers see no admin user behind an API token), and
		// the link is the customer's own business.
		def["ownerType"], def["namespace"], def["fieldType"], def["visibleToCustomer"] = "order", linkNamespace, "short_text", true
		err := c.do(ctx, caller{shopper: who, admin: true}, http.MethodPost, "/api/metafield-definitions", def, nil)
		if ae, ok := refused(err); ok && strings.Contains(strings.ToLower(ae.Message), "exist") {
			err = nil
		}
		if err != nil {
			return err
		}
	}
	c.links.made = true
	return nil
}
