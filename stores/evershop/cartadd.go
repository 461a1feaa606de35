package evershop

import (
	"context"
	"net/http"
	"strings"

	"github.com/kairoedge/kairo/stores"
)

// CartAdd puts the offer's item into the shopper's cart (their session)
// with a single-use coupon for the discount. EverShop holds one coupon per
// cart and a new one replaces the old: a cart with another coupon is
// answered 409 coupon_conflict before anything is added. The coupon's code
// comes from the key, so a repeat finds it on the cart and answers as
// applied.
func (c *Connector) CartAdd(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	if req.Shopper.Cookie == "" || len(req.Items) != 1 {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	unlock := c.orders.Lock("cart " + req.Shopper.Cookie)
	defer unlock()
	item := req.Items[0]
	code := couponCode(req.Key)
	ct, err := c.myCart(ctx, req.Shopper)
	if err != nil {
		return stores.Answer{}, err
	}
	if ct != nil && ct.Coupon == code {
		return c.cartAnswer(ct)
	}
	if ct != nil && ct.Coupon != "" && item.Discount > 0 {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonCouponConflict}, nil
	}
	if ct != nil && ct.Currency != req.Currency {
		return stores.Answer{Status: http.StatusConflict, Reason: stores.ReasonConflict}, nil
	}
	if ct == nil || !ct.has(item.ProductID, item.Quantity) {
		err := c.do(ctx, caller{shopper: req.Shopper, cookie: true}, http.MethodPost, "/api/cart/mine/items",
			map[string]any{"sku": item.ProductID, "qty": item.Quantity}, nil)
		if ae, ok := refused(err); ok {
			return stores.Answer{Status: http.StatusConflict, Reason: stockReason(ae), Detail: ae.Message}, nil
		}
		if err != nil {
			return stores.Answer{}, err
		}
		if ct, err = c.myCart(ctx, req.Shopper); err != nil {
			return stores.Answer{}, err
		}
		if ct == nil {
			return stores.Answer{}, stores.BadAnswer("evershop: no cart after adding to it")
		}
	}
	l, ok := ct.line(item.ProductID)
	if !ok {
		return stores.Answer{}, stores.BadAnswer("evershop: the cart has no %s after adding it", item.ProductID)
	}
	perUnit, err := c.discountPerUnit(ctx, req.Shopper, l, item.UnitPrice, req.Currency)
	if err != nil {
		return stores.Answer{}, err
	}
	if perUnit > 0 {
		if err := c.ensureCoupon(ctx, req.Shopper, code, item.ProductID, item.Quantity, perUnit, req.Currency, req.OfferID); err != nil {
			return stores.Answer{}, err
		}
		if err := c.applyCoupon(ctx, req.Shopper, ct.UUID, code); err != nil {
			return stores.Answer{}, err
		}
		if ct, err = c.myCart(ctx, req.Shopper); err != nil || ct == nil {
			return stores.Answer{Status: http.StatusOK, Mode: stores.ModeEdited}, nil
		}
	}
	return c.cartAnswer(ct)
}

// cartAnswer is an applied cart add, with the cart's total.
func (c *Connector) cartAnswer(ct *cart) (stores.Answer, error) {
	total, _ := minor(ct.GrandTotal.Value, ct.Currency)
	return stores.Answer{Status: http.StatusOK, Total: total, Mode: stores.ModeEdited}, nil
}

// stockReason tells an item EverShop cannot sell from any other refusal.
func stockReason(ae *apiError) stores.Reason {
	msg := strings.ToLower(ae.Message)
	if strings.Contains(msg, "stock") || strings.Contains(msg, "not available") || strings.Contains(msg, "unavailable") {
		return stores.ReasonOutOfStock
	}
	return stores.ReasonConflict
}
