package vendure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kairoedge/kairo/stores"
)

// couponLifetime is how long a cart offer's coupon can be used: the cart
// may be checked out days after the offer was taken.
const couponLifetime = 7 * 24 * time.Hour

const variantQuery = `query($id: ID!) { productVariant(id: $id) { id currencyCode price priceWithTax } }`

const channelQuery = `query { activeChannel { pricesIncludeTax } }`

const promotionQuery = `query($code: String!) { promotions(options: { take: 1, filter: { couponCode: { eq: $code } } }) { items { id } } }`

const createPromotionMutation = `mutation($input: CreatePromotionInput!) {
  createPromotion(input: $input) {
    __typename
    ... on Promotion { id }
    ... on ErrorResult { errorCode message }
  }
}`

const addItemMutation = `mutation($id: ID!, $qty: Int!) {
  addItemToOrder(productVariantId: $id, quantity: $qty) {
    __typename
    ... on Order { id totalWithTax }
    ... on ErrorResult { errorCode message }
  }
}`

const applyCouponMutation = `mutation($code: String!) {
  applyCouponCode(couponCode: $code) {
    __typename
    ... on Order { id totalWithTax }
    ... on ErrorResult { errorCode message }
  }
}`

// CartAdd puts the offer's items into the shopper's active order (the
// shop API, in the shopper's session) with a coupon made for this accept:
// a promotion that takes the offer's discount off while the cart holds the
// items, usable once. The coupon's code comes from the key, so a repeat
// finds the coupon on the cart and answers as applied.
func (c *Connector) CartAdd(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	if req.Shopper.Cookie == "" {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	unlock := c.orders.Lock("cart " + req.Shopper.Cookie)
	defer unlock()
	shop := c.shopHeaders(req.Shopper)
	code := couponCode(req.Key)

	var cur struct {
		ActiveOrder *order `json:"activeOrder"`
	}
	if _, err := c.call(ctx, c.shopURL, shop, activeOrderQuery, nil, &cur); err != nil {
		return stores.Answer{}, err
	}
	if cur.ActiveOrder != nil && slices.Contains(cur.ActiveOrder.CouponCodes, code) {
		return stores.Answer{Status: http.StatusOK, Total: cur.ActiveOrder.TotalWithTax, Mode: stores.ModeEdited}, nil
	}

	var discount int64
	var variantIDs []string
	for _, l := range req.Items {
		if l.VariantID == "" {
			return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
		}
		d, err := c.discountFor(ctx, l, req.Currency)
		if err != nil {
			return stores.Answer{}, err
		}
		if d < 0 {
			return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
		}
		discount += d
		variantIDs = append(variantIDs, l.VariantID)
	}
	if discount > 0 {
		if err := c.ensurePromotion(ctx, code, req, variantIDs, discount); err != nil {
			return stores.Answer{}, err
		}
	}
	for _, l := range req.Items {
		if cur.ActiveOrder.has(l.VariantID, l.Quantity) {
			continue // an earlier attempt added it
		}
		var out struct {
			Add orderResult `json:"addItemToOrder"`
		}
		if _, err := c.call(ctx, c.shopURL, shop, addItemMutation, map[string]any{"id": l.VariantID, "qty": l.Quantity}, &out); err != nil {
			return stores.Answer{}, err
		}
		if out.Add.err() != nil {
			return refusal(&out.Add.resultError), nil
		}
	}
	if discount == 0 {
		var after struct {
			ActiveOrder *order `json:"activeOrder"`
		}
		if _, err := c.call(ctx, c.shopURL, shop, activeOrderQuery, nil, &after); err != nil || after.ActiveOrder == nil {
			return stores.Answer{Status: http.StatusOK, Mode: stores.ModeEdited}, nil
		}
		return stores.Answer{Status: http.StatusOK, Total: after.ActiveOrder.TotalWithTax, Mode: stores.ModeEdited}, nil
	}
	var out struct {
		Apply orderResult `json:"applyCouponCode"`
	}
	if _, err := c.call(ctx, c.shopURL, shop, applyCouponMutation, map[string]any{"code": code}, &out); err != nil {
		return stores.Answer{}, err
	}
	if out.Apply.err() != nil {
		return refusal(&out.Apply.resultError), nil
	}
	return stores.Answer{Status: http.StatusOK, Total: out.Apply.TotalWithTax, Mode: stores.ModeEdited}, nil
}

// has reports whether the order holds at least qty of the variant.
func (o *order) has(variantID string, qty int) bool {
	if o == nil {
		return false
	}
	for _, l := range o.Lines {
		if l.ProductVariant.ID == variantID && l.Quantity >= qty {
			return true
		}
	}
	return false
}

// couponCode is the coupon of one accept: derived from its key, so every
// attempt of the accept names the same coupon.
func couponCode(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "KAIRO-" + strings.ToUpper(hex.EncodeToString(sum[:10]))
}

// discountFor is what the promotion must take off for a line to cost the
// offer's price with tax: in the channel's own terms, which are without
// tax unless the channel's prices include it (then rounded to the cent).
func (c *Connector) discountFor(ctx context.Context, l stores.Line, currency string) (int64, error) {
	var out struct {
		Variant *struct {
			CurrencyCode string `json:"currencyCode"`
			Price        int64  `json:"price"`
			PriceWithTax int64  `json:"priceWithTax"`
		} `json:"productVariant"`
	}
	if err := c.adminCall(ctx, variantQuery, map[string]any{"id": l.VariantID}, &out); err != nil {
		return 0, err
	}
	if out.Variant == nil || out.Variant.CurrencyCode != currency || out.Variant.PriceWithTax <= 0 {
		return -1, nil
	}
	withTax := (out.Variant.PriceWithTax - l.UnitPrice) * int64(l.Quantity)
	includes, err := c.channelPricesIncludeTax(ctx)
	if err != nil {
		return 0, err
	}
	if includes || withTax == 0 {
		return withTax, nil
	}
	return int64(math.Round(float64(withTax) * float64(out.Variant.Price) / float64(out.Variant.PriceWithTax))), nil
}

// channelPricesIncludeTax asks the channel once whether its prices include
// tax.
func (c *Connector) channelPricesIncludeTax(ctx context.Context) (bool, error) {
	c.tax.mu.Lock()
	defer c.tax.mu.Unlock()
	if c.tax.includes != nil {
		return *c.tax.includes, nil
	}
	var out struct {
		Channel struct {
			PricesIncludeTax bool `json:"pricesIncludeTax"`
		} `json:"activeChannel"`
	}
	if err := c.adminCall(ctx, channelQuery, nil, &out); err != nil {
		return false, err
	}
	c.tax.includes = &out.Channel.PricesIncludeTax
	return out.Channel.PricesIncludeTax, nil
}

// ensurePromotion makes the accept's single-use promotion, unless an
// earlier attempt did.
func (c *Connector) ensurePromotion(ctx context.Context, code string, req stores.AcceptRequest, variantIDs []string, discount int64) error {
	var found struct {
		Promotions struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		} `json:"promotions"`
	}
	if err := c.adminCall(ctx, promotionQuery, map[string]any{"code": code}, &found); err != nil {
		return err
	}
	if len(found.Promotions.Items) > 0 {
		return nil
	}
	ids, _ := json.Marshal(variantIDs)
	minimum := 0
	for _, l := range req.Items {
		minimum += l.Quantity
	}
	input := map[string]any{
		"enabled": true, "couponCode": code, "usageLimit": 1, "perCustomerUsageLimit": 1,
		"endsAt": time.Now().Add(couponLifetime).UTC().Format(time.RFC3339),
		"conditions": []map[string]any{{"code": "contains_products", "arguments": []map[string]string{
			{"name": "minimum", "value": fmt.Sprint(minimum)}, {"name": "productVariantIds", "value": string(ids)},
		}}},
		"actions": []map[string]any{{"code": "order_fixed_discount", "arguments": []map[string]string{
			{"name": "discount", "value": fmt.Sprint(discount)},
		}}},
		"translations": []map[string]any{{"languageCode": "en", "name": "Offer " + req.OfferID + " (Kairo)"}},
	}
	var out struct {
		Create resultError `json:"createPromotion"`
	}
	if err := c.adminCall(ctx, createPromotionMutation, map[string]any{"input": input}, &out); err != nil {
		return err
	}
	if out.Create.ErrorCode != "" {
		return &out.Create
	}
	return nil
}
