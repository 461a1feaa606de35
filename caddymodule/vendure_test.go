package caddymodule_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/internal/realstores"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/vendure"
)

// storefrontPage stands in for a storefront's cart and confirmation pages
// (Vendure serves APIs only); Kairo puts its offers into it.
const storefrontPage = `<!doctype html><html><head><title>Shop</title></head><body><h1>Your order</h1><p>Thank you.</p></body></html>`

// vendureSetup is Kairo in front of a storefront whose shop API is the
// real Vendure's, with the vendure store module.
func vendureSetup(v *realstores.Vendure) string {
	host := strings.TrimPrefix(v.URL, "http://")
	return globalOptions() + fmt.Sprintf(`http://127.0.0.1:9080 {
	bind 127.0.0.1
	upsell {
		catalog testdata/vendure-offers.json
		secret %[1]s
		cart /cart
		thank_you /checkout/confirmation/{order_id}
		store vendure %[2]s {
			admin_user %[3]s
			admin_password %[4]s
			timeout 5s
			accept_timeout 30s
		}
	}
	handle /shop-api* {
		reverse_proxy %[5]s
	}
	handle {
		header Content-Type "text/html; charset=utf-8"
		respond %[6]q 200
	}
}
`, secret, v.URL, v.AdminUser, v.AdminPassword, host, storefrontPage)
}

// gql runs a GraphQL query as the shopper (through Kairo, so the shop
// API's session cookie is the storefront's) and decodes data into out.
func (s *shopper) gql(endpoint, query string, vars map[string]any, out any) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, raw := s.do(req)
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal([]byte(raw), &answer); err != nil || len(answer.Errors) > 0 || resp.StatusCode != 200 {
		s.t.Fatalf("%s: %d %s", query, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			s.t.Fatalf("%s: %v in %s", query, err, answer.Data)
		}
	}
}

// vendureOrder is what the test reads of a Vendure order.
type vendureOrder struct {
	ID, Code, State string
	TotalWithTax    int64
	CouponCodes     []string
	Lines           []struct {
		Quantity                   int
		LinePriceWithTax           int64
		ProductVariant             struct{ ID string }
		DiscountedLinePriceWithTax int64
	}
	Modifications []struct {
		Note        string
		PriceChange int64
	}
	Payments []struct {
		Method, State, TransactionID string
		Amount                       int64
	}
}

// quantityOf is how many of a variant the order holds.
func (o vendureOrder) quantityOf(variant string) int {
	n := 0
	for _, l := range o.Lines {
		if l.ProductVariant.ID == variant {
			n += l.Quantity
		}
	}
	return n
}

const vendureOrderFields = `id code state totalWithTax couponCodes lines { quantity linePriceWithTax discountedLinePriceWithTax productVariant { id } }`

func TestVendureConnectorWalksBothPlacements(t *testing.T) {
	if raceDetector {
		t.Skip("real-store tests run once, without the race detector")
	}
	v := realstores.StartVendure(t)
	startWith(t, vendureSetup(v))
	shop := kairoURL + "/shop-api"
	s := newShopper(t)

	// Cart: a laptop; the cart page offers the mouse at $18.00.
	var added struct{ AddItemToOrder vendureOrder }
	s.gql(shop, `mutation { addItemToOrder(productVariantId: "1", quantity: 1) { ... on Order { `+vendureOrderFields+` } } }`, nil, &added)
	before := added.AddItemToOrder.TotalWithTax
	_, page := s.get(kairoURL + "/cart")
	toks := tokens(page)
	if len(toks) == 0 || !strings.Contains(page, `data-kairo-offer="mouse-with-laptop"`) {
		t.Fatalf("the cart page shows no mouse offer (%d tokens):\n%s", len(toks), page)
	}

	// Accepted, repeated and raced: one mouse, one coupon, at the offer price.
	answers := acceptConcurrently(t, s, toks[0], "/cart", 6)
	for _, a := range answers {
		if a.Status != "accepted" || a.Message != "Added to your cart." {
			t.Fatalf("cart accept: %+v", a)
		}
	}
	var cart struct{ ActiveOrder vendureOrder }
	s.gql(shop, `{ activeOrder { `+vendureOrderFields+` } }`, nil, &cart)
	if got := cart.ActiveOrder.quantityOf("7"); got != 1 {
		t.Errorf("the cart holds %d mice, want 1", got)
	}
	if len(cart.ActiveOrder.CouponCodes) != 1 {
		t.Errorf("coupons on the cart: %v, want one", cart.ActiveOrder.CouponCodes)
	}
	if got, want := cart.ActiveOrder.TotalWithTax, before+1800; got != want {
		t.Errorf("cart total %d after the offer, want %d (the laptop and the mouse at 1800)", got, want)
	}

	// Checkout with the dummy payment method: the order is PaymentAuthorized.
	code := vendureCheckout(t, s, shop)

	// Order: the first visit of the confirmation page is Kairo's offer
	// page, with the tablet at $350.00.
	path := "/checkout/confirmation/" + code
	_, page = s.get(kairoURL + path)
	toks = tokens(page)
	if len(toks) == 0 || !strings.Contains(page, `data-kairo-step="tablet-after-laptop"`) {
		t.Fatalf("the offer page shows no tablet step (%d tokens):\n%s", len(toks), page)
	}
	placed := adminOrder(t, v, code)
	wantTotal := placed.TotalWithTax + 35000
	for _, a := range pageAcceptConcurrently(t, s, toks[0], path, 6) {
		if a["status"] != "accepted" || a["total"] != (offers.Money{Amount: wantTotal, Currency: "USD"}).Format() {
			t.Fatalf("order accept: %v, want accepted with total %d", a, wantTotal)
		}
	}

	// The store's own API shows the edited order, paid again.
	edited := adminOrder(t, v, code)
	if edited.quantityOf("5") != 1 || edited.TotalWithTax != wantTotal {
		t.Errorf("order after the accept: %d tablets, total %d; want 1 and %d", edited.quantityOf("5"), edited.TotalWithTax, wantTotal)
	}
	if edited.State != "PaymentAuthorized" {
		t.Errorf("order state %s after the accept, want PaymentAuthorized", edited.State)
	}
	if len(edited.Modifications) != 1 || edited.Modifications[0].PriceChange != 35000 {
		t.Errorf("modifications %+v, want one of +35000", edited.Modifications)
	}
	var extra int64
	for _, p := range edited.Payments {
		if strings.HasPrefix(p.TransactionID, "kairo:") {
			extra += p.Amount
		}
	}
	if extra != 35000 || len(edited.Payments) != 2 {
		t.Errorf("payments %+v, want the first and one additional of 35000", edited.Payments)
	}

	// The connector itself: an accept whose answer was lost is sent again
	// with the same key, even at once: one change.
	c := &vendure.Connector{Endpoint: stores.Endpoint{URL: v.URL}, AdminUser: v.AdminUser, AdminPassword: v.AdminPassword}
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	req := stores.AcceptRequest{
		Key: "retry-of-a-lost-answer", OrderID: code, OfferID: "mouse-again", Currency: "USD",
		Items: []stores.Line{{ProductID: "3", VariantID: "7", Quantity: 1, UnitPrice: 1500}},
	}
	results := realstores.OrderAcceptAtOnce(t, c, req, 4)
	for _, ans := range results {
		if ans.Status != 200 || ans.Total != wantTotal+1500 || ans.Mode != stores.ModeEdited || ans.Charged != (offers.Money{Amount: 1500, Currency: "USD"}) {
			t.Errorf("repeated OrderAccept: %+v, want 200 with total %d, 1500 USD charged", ans, wantTotal+1500)
		}
	}
	again := adminOrder(t, v, code)
	if len(again.Modifications) != 2 || again.TotalWithTax != wantTotal+1500 || again.State != "PaymentAuthorized" {
		t.Errorf("after four accepts with one key: %d modifications, total %d, state %s", len(again.Modifications), again.TotalWithTax, again.State)
	}

	// An offer's shipping is a surcharge of its own: the modification's
	// price change, and the additional payment, hold the item and it.
	shipped := req
	shipped.Key, shipped.OfferID, shipped.Shipping = "mouse-with-shipping", "mouse-shipped", 599
	if ans, err := c.OrderAccept(context.Background(), shipped); err != nil || ans.Status != 200 || ans.Total != wantTotal+1500+2099 || ans.Charged != (offers.Money{Amount: 2099, Currency: "USD"}) {
		t.Errorf("accept with shipping: %+v %v, want 200 with total %d, 2099 USD charged", ans, err, wantTotal+1500+2099)
	}
	if o := adminOrder(t, v, code); len(o.Modifications) != 3 || o.Modifications[2].PriceChange != 2099 || o.State != "PaymentAuthorized" {
		t.Errorf("after the accept with shipping: modifications %+v, state %s; want a third of +2099", o.Modifications, o.State)
	}

	// A placed order that is no longer paid-for and open cannot change.
	closed := req
	closed.Key, closed.OrderID = "no-such-order", "NOSUCHORDER"
	if ans, err := c.OrderAccept(context.Background(), closed); err != nil || ans.Status != http.StatusGone {
		t.Errorf("accept on a missing order: %+v %v, want 410", ans, err)
	}
}

// acceptConcurrently posts one token n times at once and returns the
// answers.
func acceptConcurrently(t *testing.T, s *shopper, token, returnTo string, n int) []acceptAnswer {
	t.Helper()
	answers := make([]acceptAnswer, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, answers[i] = s.accept(token, returnTo)
		}()
	}
	wg.Wait()
	// An accept that arrived while the first was in flight waits for it;
	// one that found it in progress is told so: ask once more after.
	for i, a := range answers {
		if a.Status == "in_progress" {
			_, answers[i] = s.accept(token, returnTo)
		}
	}
	return answers
}

// pageAcceptConcurrently accepts an offer page's step n times at once and
// returns the answers.
func pageAcceptConcurrently(t *testing.T, s *shopper, token, path string, n int) []map[string]any {
	t.Helper()
	answers := make([]map[string]any, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, answers[i] = s.pageAction("accept", token, path, 0)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a["status"] == "in_progress" {
			_, answers[i] = s.pageAction("accept", token, path, 0)
		}
	}
	return answers
}

// vendureCheckout places the shopper's active order and returns its code.
func vendureCheckout(t *testing.T, s *shopper, shop string) string {
	t.Helper()
	s.gql(shop, `mutation { setCustomerForOrder(input: { emailAddress: "ann@example.com", firstName: "Ann", lastName: "Lee" }) { ... on Order { id } } }`, nil, nil)
	s.gql(shop, `mutation { setOrderShippingAddress(input: { fullName: "Ann Lee", streetLine1: "1 Main St", city: "Springfield", postalCode: "12345", countryCode: "US" }) { ... on Order { id } } }`, nil, nil)
	s.gql(shop, `mutation { setOrderShippingMethod(shippingMethodId: ["1"]) { ... on Order { id } } }`, nil, nil)
	s.gql(shop, `mutation { transitionOrderToState(state: "ArrangingPayment") { ... on Order { id } } }`, nil, nil)
	var paid struct{ AddPaymentToOrder vendureOrder }
	s.gql(shop, `mutation { addPaymentToOrder(input: { method: "standard-payment", metadata: {} }) { ... on Order { `+vendureOrderFields+` } } }`, nil, &paid)
	if paid.AddPaymentToOrder.State != "PaymentAuthorized" {
		t.Fatalf("checkout ended in state %q", paid.AddPaymentToOrder.State)
	}
	return paid.AddPaymentToOrder.Code
}

// adminOrder reads an order through Vendure's admin API, as the store's
// staff would see it.
func adminOrder(t *testing.T, v *realstores.Vendure, code string) vendureOrder {
	t.Helper()
	admin := newShopper(t)
	var login struct{ Login struct{ ID string } }
	admin.gql(v.URL+"/admin-api", `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { ... on CurrentUser { id } } }`,
		map[string]any{"u": v.AdminUser, "p": v.AdminPassword}, &login)
	var out struct {
		Orders struct{ Items []vendureOrder }
	}
	admin.gql(v.URL+"/admin-api", `query($code: String!) { orders(options: { filter: { code: { eq: $code } } }) { items { `+vendureOrderFields+`
		modifications { note priceChange } payments { method state amount transactionId } } } }`, map[string]any{"code": code}, &out)
	if len(out.Orders.Items) != 1 {
		t.Fatalf("admin API: no order %s", code)
	}
	return out.Orders.Items[0]
}

// startWith runs Kairo with a Caddyfile of the test's own.
func startWith(t *testing.T, caddyfile string) {
	t.Helper()
	loadConfig(t, caddyfile, "caddyfile")
}
