package woocommerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// acceptMetaPrefix starts the order meta key that records an accept. The
// leading underscore keeps it out of the order screen's custom fields.
const acceptMetaPrefix = "_kairo_upsell_"

// acceptLineMeta is the meta key, on each line an accept adds (its items
// and its shipping), of the accept's order meta key: the order then says
// what the accept added, with the tax the store put on it, however often
// the accept is repeated and whatever else changed on the order since.
const acceptLineMeta = "_kairo_accept"

// acceptMetaKey is the order meta key of one accept: a hash of its key, so
// any key fits in a meta key, and the same key finds the same record.
func acceptMetaKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return acceptMetaPrefix + hex.EncodeToString(sum[:12])
}

// closedStatuses are order statuses that take no more items.
var closedStatuses = map[string]bool{
	"cancelled": true, "refunded": true, "failed": true, "trash": true, "checkout-draft": true,
}

// OrderAccept adds an accepted post-purchase offer to a placed order. An
// order paid offline (OfflineMethods) is edited: a line at the offer price
// and an order note; the buyer pays the new total as they pay the rest.
// Any other order gets a linked pending follow-up order for the same
// customer and addresses, which the buyer pays at its FollowUpURL. The
// accept's key is kept in the meta of the order that holds the item and
// looked up first, so a key is applied once; within this process one
// order's accepts also run one at a time.
func (c *Connector) OrderAccept(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	defer c.locks.Lock("order\x00" + req.OrderID)()
	o, err := c.fetchOrder(ctx, req.OrderID)
	if errors.Is(err, errNoOrder) {
		return stores.Answer{Status: http.StatusGone}, nil
	}
	if err != nil {
		return stores.Answer{}, err
	}
	digits, err := currencyDigits(o.Currency)
	if err != nil {
		return stores.Answer{}, stores.BadAnswer("order %d: %v", o.ID, err)
	}
	metaKey := acceptMetaKey(req.Key)
	if o.hasMeta(metaKey) {
		return c.editedAnswer(o, digits, metaKey)
	}
	offline := c.offline[o.PaymentMethod]
	if !offline {
		if f, err := c.findFollowUp(ctx, o.ID, metaKey); err != nil || f != nil {
			if err != nil {
				return stores.Answer{}, err
			}
			return c.answerFor(f, stores.ModeFollowUp, digits)
		}
	}
	if closedStatuses[o.Status] {
		return stores.Answer{Status: http.StatusGone}, nil
	}
	if !strings.EqualFold(o.Currency, req.Currency) {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	lines, ans, err := c.orderLines(ctx, req, digits, metaKey)
	if err != nil || ans.Status != 0 {
		return ans, err
	}
	change := map[string]any{"line_items": lines, "meta_data": []map[string]string{{"key": metaKey, "value": req.OfferID}}}
	if req.Shipping > 0 {
		change["shipping_lines"] = shippingLines(req, digits, metaKey)
	}
	if offline {
		return c.editOrder(ctx, o, req, change, digits, metaKey)
	}
	return c.followUp(ctx, o, change, digits)
}

// shippingLines is the offer's shipping as a REST v3 shipping line of its
// own, so the order shows it as shipping and counts it in its total.
func shippingLines(req stores.AcceptRequest, digits int, metaKey string) []map[string]any {
	return []map[string]any{{
		"method_id":    "kairo_offer",
		"method_title": "Shipping (offer " + req.OfferID + ")",
		"total":        formatAmount(req.Shipping, digits),
		"meta_data":    lineMeta(metaKey),
	}}
}

// lineMeta marks a line as added by the accept whose order meta key is
// metaKey (acceptLineMeta).
func lineMeta(metaKey string) []map[string]string {
	return []map[string]string{{"key": acceptLineMeta, "value": metaKey}}
}

// hasMeta reports whether the order has a meta entry under key.
func (o *restOrder) hasMeta(key string) bool {
	for _, m := range o.MetaData {
		if m.Key == key {
			return true
		}
	}
	return false
}

// addedBy is what the lines (items and shipping) that the accept with
// order meta key metaKey added come to, tax included, in minor units;
// false when the order holds no such line or an amount cannot be read.
func (o *restOrder) addedBy(metaKey string, digits int) (int64, bool) {
	var sum int64
	var found bool
	add := func(meta []restMeta, total, tax string) bool {
		if !slices.ContainsFunc(meta, func(m restMeta) bool { return m.Key == acceptLineMeta && m.Value == metaKey }) {
			return true
		}
		found = true
		t, err := parseAmount(total, digits)
		x, taxErr := parseAmount(tax, digits)
		sum += t + x
		return err == nil && taxErr == nil
	}
	for _, l := range o.LineItems {
		if !add(l.MetaData, l.Total, l.TotalTax) {
			return 0, false
		}
	}
	for _, l := range o.ShippingLines {
		if !add(l.MetaData, l.Total, l.TotalTax) {
			return 0, false
		}
	}
	return sum, found
}

// editedAnswer is the Answer for a placed order the accept with order meta
// key metaKey edited: its charge is what the lines the accept added come
// to in the order as it stands, tax included; an accept made before the
// lines were marked says none (counted as not confirmed).
func (c *Connector) editedAnswer(o *restOrder, digits int, metaKey string) (stores.Answer, error) {
	ans, err := c.answerFor(o, stores.ModeEdited, digits)
	if added, ok := o.addedBy(metaKey, digits); ok && err == nil {
		ans.Charged = offers.Money{Amount: added, Currency: strings.ToUpper(o.Currency)}
	}
	return ans, err
}

// answerFor is the Answer for the order that holds the accepted item. The
// item is in it whatever its total says: a total it cannot read (a store
// that writes more decimals than its currency has, such as JPY at two)
// leaves the answer without its total and charge (its Detail, which the
// accept's log line carries, says why), rather than telling the buyer
// nothing was added (and failing every repeat the same way).
func (c *Connector) answerFor(o *restOrder, mode stores.Mode, digits int) (stores.Answer, error) {
	ans := stores.Answer{Status: http.StatusOK, Mode: mode}
	total, err := parseAmount(o.Total, digits)
	if err != nil {
		ans.Detail = fmt.Sprintf("order %d holds the item, but its total %q cannot be read: %v", o.ID, o.Total, err)
	}
	ans.Total = total
	if mode == stores.ModeFollowUp {
		ans.FollowUpOrderID = strconv.FormatInt(o.ID, 10)
		if o.NeedsPayment {
			ans.FollowUpURL = o.PaymentURL
		}
	}
	if err == nil && mode == stores.ModeFollowUp {
		// The follow-up order holds only the accept: its total is the charge.
		ans.Charged = offers.Money{Amount: total, Currency: strings.ToUpper(o.Currency)}
	}
	return ans, nil
}

// orderLines are the REST v3 line items of an accept, each at the offer
// price (total) with the store's price before the discount (subtotal), so
// the order shows the discount. A product that cannot be had refuses the
// accept with 409 out_of_stock: REST v3 would add it and drive the stock
// below zero.
func (c *Connector) orderLines(ctx context.Context, req stores.AcceptRequest, digits int, metaKey string) ([]map[string]any, stores.Answer, error) {
	lines := make([]map[string]any, 0, len(req.Items))
	for _, l := range req.Items {
		product, err := strconv.ParseInt(l.ProductID, 10, 64)
		if err != nil || product <= 0 {
			return nil, stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
		}
		id, _ := lineProductID(l)
		if ok, err := c.inStock(ctx, id, l.Quantity); err != nil || !ok {
			return nil, stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonOutOfStock}, err
		}
		line := map[string]any{
			"product_id": product,
			"quantity":   l.Quantity,
			"subtotal":   formatAmount((l.UnitPrice+l.Discount)*int64(l.Quantity), digits),
			"total":      formatAmount(l.UnitPrice*int64(l.Quantity), digits),
			"meta_data":  lineMeta(metaKey),
		}
		if id != product {
			line["variation_id"] = id
		}
		lines = append(lines, line)
	}
	return lines, stores.Answer{}, nil
}

// inStock reports whether qty of a product (or variation) can be had.
func (c *Connector) inStock(ctx context.Context, id int64, qty int) (bool, error) {
	var p struct {
		Status        string `json:"status"`
		Purchasable   bool   `json:"purchasable"`
		StockStatus   string `json:"stock_status"`
		ManageStock   any    `json:"manage_stock"` // a variation may say "parent"
		StockQuantity *int   `json:"stock_quantity"`
		Backorders    string `json:"backorders"`
	}
	rp, err := c.do(ctx, request{method: http.MethodGet, path: restV3 + "/products/" + strconv.FormatInt(id, 10), admin: true}, &p)
	if err != nil {
		return false, err
	}
	if rp.status == http.StatusNotFound {
		return false, nil
	}
	if !rp.ok() {
		return false, rp.failure("offered product")
	}
	if !p.Purchasable || p.StockStatus == "outofstock" {
		return false, nil
	}
	if p.StockQuantity != nil && p.ManageStock != false && p.Backorders == "no" && *p.StockQuantity < qty {
		return false, nil
	}
	return true, nil
}

// editOrder makes the accept's change (its lines, shipping and meta) to
// the placed order in one update, then notes the offer on the order.
func (c *Connector) editOrder(ctx context.Context, o *restOrder, req stores.AcceptRequest, change map[string]any, digits int, metaKey string) (stores.Answer, error) {
	var edited restOrder
	rp, err := c.do(ctx, request{method: http.MethodPut, path: restV3 + "/orders/" + strconv.FormatInt(o.ID, 10), admin: true,
		body: change}, &edited)
	if err != nil {
		return stores.Answer{}, err
	}
	if !rp.ok() {
		return c.orderRefusal(rp)
	}
	added := describeLines(req.Items)
	if req.Shipping > 0 {
		added += " with shipping of " + formatAmount(req.Shipping, digits)
	}
	note := fmt.Sprintf("Kairo: post-purchase offer %q accepted; %s added at the offer price. The buyer pays the new total with %s.",
		req.OfferID, added, paymentName(o))
	// The note is for the shop's staff; the order already holds the item
	// and the record of the accept, so a failed note does not undo them.
	_, _ = c.do(ctx, request{method: http.MethodPost, path: restV3 + "/orders/" + strconv.FormatInt(o.ID, 10) + "/notes", admin: true,
		body: map[string]any{"note": note}}, nil)
	return c.editedAnswer(&edited, digits, metaKey)
}

// followUp makes the linked pending follow-up order: the placed order's
// customer, addresses and payment method, the accept's change (lines,
// shipping and meta).
func (c *Connector) followUp(ctx context.Context, o *restOrder, change map[string]any, digits int) (stores.Answer, error) {
	body := map[string]any{
		"parent_id":            o.ID,
		"status":               "pending",
		"currency":             o.Currency,
		"customer_id":          o.CustomerID,
		"billing":              o.Billing,
		"shipping":             o.Shipping,
		"payment_method":       o.PaymentMethod,
		"payment_method_title": o.PaymentTitle,
	}
	maps.Copy(body, change)
	var made restOrder
	rp, err := c.do(ctx, request{method: http.MethodPost, path: restV3 + "/orders", admin: true, body: body}, &made)
	if err != nil {
		return stores.Answer{}, err
	}
	if !rp.ok() {
		return c.orderRefusal(rp)
	}
	return c.answerFor(&made, stores.ModeFollowUp, digits)
}

// findFollowUp is the follow-up order of the placed order that records
// the accept, or nil.
func (c *Connector) findFollowUp(ctx context.Context, parentID int64, metaKey string) (*restOrder, error) {
	q := url.Values{"parent": {strconv.FormatInt(parentID, 10)}, "per_page": {"100"}, "status": {"any"}}
	var children []restOrder
	rp, err := c.do(ctx, request{method: http.MethodGet, path: restV3 + "/orders", query: q, admin: true}, &children)
	if err != nil {
		return nil, err
	}
	if !rp.ok() {
		return nil, rp.failure("follow-up orders")
	}
	for i := range children {
		if children[i].hasMeta(metaKey) {
			return &children[i], nil
		}
	}
	return nil, nil
}

// orderRefusal turns a refused order update into an Answer: 5xx may be
// tried again; a 4xx is not retried (the same request would be refused).
func (c *Connector) orderRefusal(rp reply) (stores.Answer, error) {
	if rp.status >= 500 {
		return stores.Answer{Status: rp.status}, nil
	}
	if rp.status == http.StatusUnauthorized || rp.status == http.StatusForbidden {
		return stores.Answer{}, rp.failure("updating the order (check the key's Read/Write permission)")
	}
	return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
}

// describeLines names the accepted lines for the order note.
func describeLines(items []stores.Line) string {
	parts := make([]string, 0, len(items))
	for _, l := range items {
		id := "product " + l.ProductID
		if l.VariantID != "" {
			id += " (variation " + l.VariantID + ")"
		}
		parts = append(parts, fmt.Sprintf("%d × %s", l.Quantity, id))
	}
	return strings.Join(parts, ", ")
}

// paymentName is how the order says it is paid.
func paymentName(o *restOrder) string {
	if o.PaymentTitle != "" {
		return o.PaymentTitle
	}
	return o.PaymentMethod
}
