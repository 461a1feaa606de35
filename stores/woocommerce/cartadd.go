package woocommerce

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kairoedge/kairo/stores"
)

// undoTimeout bounds putting a cart line back after its coupon failed.
const undoTimeout = 5 * time.Second

// couponLife is how long an offer's coupon can be used: long enough for a
// shopper who comes back to the cart the next day, short enough not to
// pile up usable codes.
const couponLife = 72 * time.Hour

// couponCode is the coupon of one line of one accept: derived from the
// accept's key, so a repeat finds the coupon it made, and short, because
// the shopper sees it in the cart.
func couponCode(key string, line int) string {
	sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(line)))
	return "offer-" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:])[:8])
}

// CartAdd puts an accepted cart offer into the shopper's cart through the
// Store API, as the shopper, at the offer's price: a line with a discount
// gets a coupon for that discount, usable once and only on that product.
// On a repeat of the key (an earlier attempt's answer was lost, and Kairo
// freed the accept for a retry), a line whose product the cart already
// holds in the offer's quantity was added by that attempt: it is not added
// again, and gets its coupon if it has none yet. A first attempt always
// adds: the shopper may have put the product in the cart themselves since
// the offer was shown.
func (c *Connector) CartAdd(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	if req.Shopper.Cookie == "" {
		// Without WooCommerce's session cookie the Store API would add
		// to a new, empty session that the shopper never sees.
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	defer c.locks.Lock("cart\x00" + req.Key)()
	s, err := c.fetchCart(ctx, req.Shopper)
	if err != nil {
		return stores.Answer{}, err
	}
	if !strings.EqualFold(s.cart.Totals.CurrencyCode, req.Currency) {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	digits, err := currencyDigits(req.Currency)
	if err != nil {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	cart := s.cart
	for i, l := range req.Items {
		code := couponCode(req.Key, i)
		if l.Discount > 0 && cart.hasCoupon(code) {
			continue
		}
		id, err := lineProductID(l)
		if err != nil {
			return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
		}
		if l.Discount > 0 {
			if ans, err := c.ensureCoupon(ctx, code, id, l, digits, req.OfferID); err != nil || ans.Status != 0 {
				return ans, err
			}
		}
		before := cart.quantityOf(id)
		added := req.Repeat && before >= l.Quantity // by the earlier attempt with this key
		var after storeCart
		if !added {
			rp, err := c.do(ctx, request{method: http.MethodPost, path: storeAPI + "/cart/add-item", as: &req.Shopper, nonce: s.nonce,
				body: map[string]any{"id": id, "quantity": l.Quantity}}, &after)
			if err != nil {
				return stores.Answer{}, err
			}
			if !rp.ok() {
				return refusal(rp), nil
			}
			cart = after
		}
		if l.Discount == 0 {
			continue
		}
		rp, err := c.do(ctx, request{method: http.MethodPost, path: storeAPI + "/cart/apply-coupon", as: &req.Shopper, nonce: s.nonce,
			body: map[string]string{"code": code}}, &after)
		if err == nil && rp.ok() {
			cart = after
			continue
		}
		// The item must not stay in the cart at the store's price: put the
		// line back as it was, then say why. The undo gets time of its own:
		// the accept's may be what ran out.
		if added {
			before = 0 // the units there are the offer's, from the earlier call
		}
		undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		c.undoAdd(undo, req.Shopper, s.nonce, cart, id, before)
		cancel()
		if err != nil {
			return stores.Answer{}, err
		}
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonCouponConflict}, nil
	}
	total, err := minorUnits(cart.Totals.TotalPrice)
	if err != nil {
		return stores.Answer{}, stores.BadAnswer("cart totals.total_price: %v", err)
	}
	return stores.Answer{Status: http.StatusOK, Total: total}, nil
}

// lineProductID is the WooCommerce id a line adds: its variation's, else
// its product's.
func lineProductID(l stores.Line) (int64, error) {
	s := l.VariantID
	if s == "" {
		s = l.ProductID
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("product id %q is not a WooCommerce id", s)
	}
	return id, nil
}

// hasCoupon reports whether the cart holds the coupon code.
func (c storeCart) hasCoupon(code string) bool {
	for _, cp := range c.Coupons {
		if strings.EqualFold(cp.Code, code) {
			return true
		}
	}
	return false
}

// quantityOf is how many of a product (or variation) the cart holds.
func (c storeCart) quantityOf(id int64) int {
	for _, it := range c.Items {
		if it.ID == id {
			return it.Quantity
		}
	}
	return 0
}

// itemKey is the cart item key of a product (or variation).
func (c storeCart) itemKey(id int64) string {
	for _, it := range c.Items {
		if it.ID == id {
			return it.Key
		}
	}
	return ""
}

// ensureCoupon makes the accept's coupon through REST v3: a fixed discount
// per unit on the one product, for the offer's quantity, usable once. A
// coupon with that code already made by an earlier try is used as it is.
// A non-zero Answer is a refusal to give the shopper.
func (c *Connector) ensureCoupon(ctx context.Context, code string, productID int64, l stores.Line, digits int, offerID string) (stores.Answer, error) {
	body := map[string]any{
		"code":                   code,
		"discount_type":          "fixed_product",
		"amount":                 formatAmount(l.Discount, digits),
		"product_ids":            []int64{productID},
		"usage_limit":            1,
		"limit_usage_to_x_items": l.Quantity,
		"individual_use":         false,
		"date_expires_gmt":       time.Now().UTC().Add(couponLife).Format("2006-01-02T15:04:05"),
		"description":            "Kairo offer " + offerID,
	}
	rp, err := c.do(ctx, request{method: http.MethodPost, path: restV3 + "/coupons", admin: true, body: body}, nil)
	switch {
	case err != nil:
		return stores.Answer{}, err
	case rp.ok(), rp.code == "woocommerce_rest_coupon_code_already_exists":
		return stores.Answer{}, nil
	case rp.status >= 500:
		return stores.Answer{Status: rp.status}, nil
	}
	return stores.Answer{}, rp.failure("creating the offer's coupon")
}

// undoAdd puts a cart line back to the quantity it had before an add.
// Best effort: it runs on the way to a refusal.
func (c *Connector) undoAdd(ctx context.Context, who stores.Shopper, nonce string, cart storeCart, id int64, before int) {
	key := cart.itemKey(id)
	if key == "" {
		return
	}
	rq := request{method: http.MethodPost, path: storeAPI + "/cart/remove-item", as: &who, nonce: nonce, body: map[string]any{"key": key}}
	if before > 0 {
		rq.path, rq.body = storeAPI+"/cart/update-item", map[string]any{"key": key, "quantity": before}
	}
	_, _ = c.do(ctx, rq, nil)
}

// refusal turns a Store API refusal to add an item into an Answer: a
// sell-out, another conflict, or a server error that may be retried.
func refusal(rp reply) stores.Answer {
	switch {
	case rp.status >= 500:
		return stores.Answer{Status: rp.status}
	case strings.Contains(rp.code, "stock"):
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonOutOfStock}
	}
	return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}
}
