package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/stores"
)

// lostAnswerCart is a Store API cart (and the REST coupons endpoint) that
// applies an add-item and then cuts the connection before answering, as
// many times as breakAdds says. A real WooCommerce cannot be made to lose
// one answer on demand; this is that fault, and only that.
type lostAnswerCart struct {
	mu        sync.Mutex
	qty       int
	coupons   []string
	breakAdds int
}

func (f *lostAnswerCart) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Nonce", "n")
	switch r.URL.Path {
	case storeAPI + "/cart":
	case storeAPI + "/cart/add-item":
		var b struct{ Quantity int }
		_ = json.NewDecoder(r.Body).Decode(&b)
		f.qty += b.Quantity
		if f.breakAdds > 0 {
			f.breakAdds--
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close() // applied; the answer is lost
			return
		}
	case storeAPI + "/cart/apply-coupon":
		var b struct{ Code string }
		_ = json.NewDecoder(r.Body).Decode(&b)
		f.coupons = append(f.coupons, b.Code)
	case restV3 + "/coupons":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
		return
	default:
		http.NotFound(w, r)
		return
	}
	items := []map[string]any{}
	if f.qty > 0 {
		items = append(items, map[string]any{"key": "k1", "id": 42, "type": "simple", "quantity": f.qty, "prices": map[string]any{"price": "2000"}})
	}
	coupons := []map[string]any{}
	for _, c := range f.coupons {
		coupons = append(coupons, map[string]any{"code": c})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "coupons": coupons, "totals": map[string]any{
		"total_items": fmt.Sprint(2000 * f.qty), "total_price": fmt.Sprint(2000 * f.qty), "currency_code": "USD", "currency_minor_unit": 2}})
}

// connectorTo is a connector to cart's store, cleaned up with the test.
func connectorTo(t *testing.T, cart *lostAnswerCart) *Connector {
	t.Helper()
	srv := httptest.NewServer(cart)
	t.Cleanup(srv.Close)
	c := &Connector{Endpoint: stores.Endpoint{URL: srv.URL}, AppUser: "u", AppPassword: "p"}
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Cleanup() })
	return c
}

// offerAdd is the cart add of one unit of product 42 at 2000 less discount.
func offerAdd(discount int64) stores.AcceptRequest {
	return stores.AcceptRequest{Key: "cart-1/offer-1", OfferID: "offer-1", Currency: "USD",
		Items:   []stores.Line{{ProductID: "42", Quantity: 1, UnitPrice: 2000 - discount, Discount: discount}},
		Shopper: stores.Shopper{Cookie: "wp_woocommerce_session_x=1"}}
}

// A cart add whose answer was lost after the store applied it is repeated
// by Kairo with the same key (the accept was freed for a retry): the
// repeat finds the line in the cart and does not add it again, with or
// without a discount, and a discounted line gets its coupon once.
func TestCartAddRepeatedAfterALostAnswerAddsOnce(t *testing.T) {
	for _, discount := range []int64{0, 500} {
		t.Run(fmt.Sprint("discount=", discount), func(t *testing.T) {
			cart := &lostAnswerCart{breakAdds: 1}
			c := connectorTo(t, cart)
			req := offerAdd(discount)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := c.CartAdd(ctx, req); err == nil {
				t.Fatal("the first call's answer was lost, yet it returned no error")
			}
			req.Repeat = true // as Kairo's ledger says of the retry
			ans, err := c.CartAdd(ctx, req)
			if err != nil || !ans.Applied() {
				t.Fatalf("the repeat: %+v, %v; want applied", ans, err)
			}
			if cart.qty != 1 {
				t.Errorf("one accept put %d units in the cart, want 1", cart.qty)
			}
			if want := map[bool]int{true: 1, false: 0}[discount > 0]; len(cart.coupons) != want {
				t.Errorf("coupons applied: %v, want %d", cart.coupons, want)
			}
		})
	}
}

// A first attempt adds even when the cart holds the product already: the
// shopper may have put it there themselves since the offer was shown.
func TestCartAddFirstAttemptAddsBesideTheShoppersOwnUnit(t *testing.T) {
	cart := &lostAnswerCart{qty: 1} // the shopper's own unit
	c := connectorTo(t, cart)
	ans, err := c.CartAdd(context.Background(), offerAdd(500))
	if err != nil || !ans.Applied() || cart.qty != 2 || len(cart.coupons) != 1 {
		t.Errorf("a first attempt: %+v, %v, %d units, coupons %v; want applied, 2 units and one coupon", ans, err, cart.qty, cart.coupons)
	}
}
