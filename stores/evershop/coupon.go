package evershop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strings"
	"sync"

	"github.com/kairoedge/kairo/stores"
)

// couponCode is the coupon of one accept, from its key: every attempt of
// the accept names the same coupon. EverShop codes are letters and digits.
func couponCode(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "KAIRO" + strings.ToUpper(hex.EncodeToString(sum[:10]))
}

// discountPerUnit is what the coupon must take off one unit for it to
// cost the offer's price with tax, in the store's own terms: with tax when
// its prices include tax, else without (then rounded to the cent).
func (c *Connector) discountPerUnit(ctx context.Context, shopper stores.Shopper, l line, offerPrice int64, currency string) (int64, error) {
	incl, err := minor(l.FinalPriceInclTax.Value, currency)
	if err != nil {
		return 0, stores.BadAnswer("evershop: %v", err)
	}
	excl, err := minor(l.FinalPrice.Value, currency)
	if err != nil {
		return 0, stores.BadAnswer("evershop: %v", err)
	}
	d := incl - offerPrice
	if incl == excl || d <= 0 || incl == 0 {
		return d, nil
	}
	includes, err := c.pricesIncludeTax(ctx, shopper)
	if err != nil {
		return 0, err
	}
	if includes {
		return d, nil
	}
	return int64(math.Round(float64(d) * float64(excl) / float64(incl))), nil
}

// taxSetting is the store's priceIncludingTax, asked once.
type taxSetting struct {
	mu       sync.Mutex
	includes *bool
}

func (c *Connector) pricesIncludeTax(ctx context.Context, shopper stores.Shopper) (bool, error) {
	c.tax.mu.Lock()
	defer c.tax.mu.Unlock()
	if c.tax.includes != nil {
		return *c.tax.includes, nil
	}
	var out struct {
		Setting struct {
			PriceIncludingTax bool `json:"priceIncludingTax"`
		} `json:"setting"`
	}
	if err := c.query(ctx, caller{shopper: shopper}, `query { setting { priceIncludingTax } }`, nil, &out); err != nil {
		return false, err
	}
	c.tax.includes = &out.Setting.PriceIncludingTax
	return out.Setting.PriceIncludingTax, nil
}

// ensureCoupon makes the single-use coupon that takes perUnit off each of
// up to qty units of a SKU, unless an earlier attempt made it.
func (c *Connector) ensureCoupon(ctx context.Context, shopper stores.Shopper, code, sku string, qty int, perUnit int64, currency, offerID string) error {
	admin := caller{shopper: shopper, admin: true}
	var found struct {
		Coupons struct {
			Items []struct {
				Coupon string `json:"coupon"`
			} `json:"items"`
		} `json:"coupons"`
	}
	q := `query($code: ID) { coupons(filters: [{ key: "coupon", operation: eq, value: $code }]) { items { coupon } } }`
	if err := c.query(ctx, admin, q, map[string]any{"code": code}, &found); err != nil {
		return err
	}
	for _, it := range found.Coupons.Items {
		if it.Coupon == code {
			return nil
		}
	}
	body := map[string]any{
		"coupon": code, "status": 1, "description": "Kairo offer " + offerID,
		"discount_type": "fixed_discount_to_specific_products", "discount_amount": major(perUnit, currency),
		"max_uses_time_per_coupon": "1",
		"condition":                map[string]any{"order_total": "", "order_qty": "", "required_products": []any{}},
		"user_condition":           map[string]any{"groups": []any{}, "emails": []any{}, "purchased": 0},
		"target_products": map[string]any{"maxQty": itoa(qty), "products": []map[string]any{
			{"key": "sku", "operator": "IN", "value": []string{sku}},
		}},
	}
	return c.do(ctx, admin, http.MethodPost, "/api/coupons", body, nil)
}

// applyCoupon puts a coupon on a cart. EverShop answers an unusable coupon
// with a 500 whose message names the coupon field.
func (c *Connector) applyCoupon(ctx context.Context, shopper stores.Shopper, cartUUID, code string) error {
	return c.do(ctx, caller{shopper: shopper}, http.MethodPost, "/api/carts/"+cartUUID+"/coupons", map[string]string{"coupon": code}, nil)
}
