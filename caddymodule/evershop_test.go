package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/internal/realstores"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/evershop"
)

// evershopSetup is Kairo in front of a real EverShop, with the evershop
// store module.
func evershopSetup(es *realstores.EverShop) string {
	return globalOptions() + fmt.Sprintf(`http://127.0.0.1:9080 {
	bind 127.0.0.1
	encode
	upsell {
		catalog testdata/evershop-offers.json
		secret %[1]s
		cart /cart
		thank_you /checkout/success/{order_id}
		store evershop %[2]s {
			admin_email %[3]s
			admin_password %[4]s
			timeout 5s
			accept_timeout 30s
		}
	}
	reverse_proxy %[5]s
}
`, secret, es.URL, es.AdminEmail, es.AdminPassword, strings.TrimPrefix(es.URL, "http://"))
}

// evershopAPI calls EverShop's API through Kairo as the shopper (with
// their session cookie) and decodes the answer's data.
func (s *shopper) evershopAPI(method, path string, body, out any) {
	s.t.Helper()
	var rd *bytes.Reader
	if body == nil {
		body = map[string]any{}
	}
	b, _ := json.Marshal(body)
	rd = bytes.NewReader(b)
	req, _ := http.NewRequest(method, kairoURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, raw := s.do(req)
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Error  any             `json:"error"`
		Errors any             `json:"errors"`
	}
	if err := json.Unmarshal([]byte(raw), &answer); err != nil || resp.StatusCode != 200 || answer.Error != nil || answer.Errors != nil {
		s.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, answer.Data)
		}
	}
}

// evershopCart is what the test reads of a shopper's cart.
type evershopCart struct {
	UUID       string
	Coupon     string
	GrandTotal struct{ Value float64 }
	Items      []struct {
		ProductSku string
		Qty        int
	}
	AvailableShippingMethods []struct{ Code string }
}

func (c evershopCart) qty(sku string) int {
	n := 0
	for _, it := range c.Items {
		if it.ProductSku == sku {
			n += it.Qty
		}
	}
	return n
}

func (s *shopper) evershopCart() evershopCart {
	s.t.Helper()
	var out struct{ MyCart evershopCart }
	s.evershopAPI(http.MethodPost, "/api/graphql", map[string]any{"query": `{ myCart { uuid coupon grandTotal { value } items { productSku qty } availableShippingMethods { code } } }`}, &out)
	return out.MyCart
}

// evershopShopper is a shopper with a session (EverShop's sid cookie,
// set on the first page) and a cup in the cart.
func evershopShopper(t *testing.T) *shopper {
	t.Helper()
	s := newShopper(t)
	if resp, _ := s.get(kairoURL + "/"); resp.StatusCode != 200 {
		t.Fatalf("home page: %d", resp.StatusCode)
	}
	s.evershopAPI(http.MethodPost, "/api/cart/mine/items", map[string]any{"sku": "CUP-001-WHT", "qty": 1}, nil)
	return s
}

// evershopOrder is what the test reads of an order through the admin API.
type evershopOrder struct {
	UUID, OrderNumber, CustomerEmail, PaymentMethod, Coupon, ShippingMethodName string
	GrandTotal                                                                  struct{ Value float64 }
	Items                                                                       []struct {
		ProductSku        string
		Qty               int
		FinalPriceInclTax struct{ Value float64 }
	}
	ShippingAddress struct{ FullName, Address1, City, Postcode string }
	Metafields      []struct {
		Namespace, Key string
		Value          json.RawMessage
	}
}

func (o evershopOrder) metafield(key string) string {
	for _, m := range o.Metafields {
		if m.Namespace == "kairo" && m.Key == key {
			return string(m.Value)
		}
	}
	return ""
}

func evershopAdminOrder(t *testing.T, es *realstores.EverShop, token, uuid string) evershopOrder {
	t.Helper()
	var out struct{ Order *evershopOrder }
	es.API(t, token, http.MethodPost, "/api/admin/graphql", map[string]any{"query": `query($u: String!) { order(uuid: $u) {
		uuid orderNumber customerEmail paymentMethod coupon shippingMethodName grandTotal { value }
		items { productSku qty finalPriceInclTax { value } } shippingAddress { fullName address1 city postcode }
		metafields { namespace key value } } }`, "variables": map[string]any{"u": uuid}}, &out)
	if out.Order == nil {
		t.Fatalf("admin API: no order %s", uuid)
	}
	return *out.Order
}

func TestEverShopConnectorWalksBothPlacements(t *testing.T) {
	if raceDetector {
		t.Skip("real-store tests run once, without the race detector")
	}
	es := realstores.StartEverShop(t)
	startWith(t, evershopSetup(es))

	// Cart: a cup; the cart page (EverShop's own) offers the pen holder at $7.50.
	s := evershopShopper(t)
	_, page := s.get(kairoURL + "/cart")
	toks := tokens(page)
	if len(toks) == 0 || !strings.Contains(page, `data-kairo-offer="pen-holder-with-cup"`) {
		t.Fatalf("the cart page shows no pen holder offer (%d tokens)", len(toks))
	}
	for _, a := range acceptConcurrently(t, s, toks[0], "/cart", 6) {
		if a.Status != "accepted" || a.Total != "$22.50" {
			t.Fatalf("cart accept: %+v, want accepted with total $22.50", a)
		}
	}
	ct := s.evershopCart()
	if ct.qty("PEN-002-WHT") != 1 || ct.GrandTotal.Value != 22.5 || !strings.HasPrefix(ct.Coupon, "KAIRO") {
		t.Errorf("cart after the offer: %+v, want one pen holder, total 22.50 and Kairo's coupon", ct)
	}

	// One coupon per cart: a shopper with a coupon of their own is told so,
	// and their cart stays as it was.
	var login struct{ AccessToken string }
	es.API(t, "", http.MethodPost, "/api/user/tokens", map[string]string{"email": es.AdminEmail, "password": es.AdminPassword}, &login)
	es.API(t, login.AccessToken, http.MethodPost, "/api/coupons", map[string]any{
		"coupon": "SPRING5", "status": 1, "description": "Spring sale", "discount_amount": "1", "discount_type": "fixed_discount_to_entire_order",
		"condition":      map[string]any{"order_total": "", "order_qty": "", "required_products": []any{}},
		"user_condition": map[string]any{"groups": []any{}, "emails": []any{}, "purchased": 0},
	}, nil)
	other := evershopShopper(t)
	other.evershopAPI(http.MethodPost, "/api/carts/"+other.evershopCart().UUID+"/coupons", map[string]string{"coupon": "SPRING5"}, nil)
	_, page = other.get(kairoURL + "/cart")
	if toks := tokens(page); len(toks) == 0 {
		t.Errorf("no offer for the shopper with a coupon")
	} else if _, a := other.accept(toks[0], "/cart"); a.Status != "coupon_conflict" || !strings.Contains(a.Message, "coupon") {
		t.Errorf("accept with another coupon on the cart: %+v, want coupon_conflict", a)
	}
	if ct := other.evershopCart(); ct.Coupon != "SPRING5" || ct.qty("PEN-002-WHT") != 0 {
		t.Errorf("the cart with a coupon changed: %+v", ct)
	}

	// Checkout with cash on delivery.
	ct = s.evershopCart()
	addr := map[string]any{"full_name": "Ann Lee", "telephone": "5550100", "address_1": "1 Main St", "city": "Springfield",
		"country": "US", "province": "US-CA", "postcode": "12345"}
	s.evershopAPI(http.MethodPost, "/api/carts/"+ct.UUID+"/contacts", map[string]any{"email": "ann@example.com"}, nil)
	s.evershopAPI(http.MethodPost, "/api/carts/"+ct.UUID+"/addresses", map[string]any{"type": "shipping", "address": addr}, nil)
	s.evershopAPI(http.MethodPost, "/api/carts/"+ct.UUID+"/addresses", map[string]any{"type": "billing", "address": addr}, nil)
	ct = s.evershopCart()
	if len(ct.AvailableShippingMethods) == 0 {
		t.Fatal("no shipping method for the cart")
	}
	s.evershopAPI(http.MethodPost, "/api/carts/"+ct.UUID+"/shippingMethods", map[string]any{"provider_code": "core", "method_code": ct.AvailableShippingMethods[0].Code}, nil)
	s.evershopAPI(http.MethodPost, "/api/carts/"+ct.UUID+"/paymentMethods", map[string]any{"method_code": "cod"}, nil)
	var placed struct{ UUID string }
	s.evershopAPI(http.MethodPost, "/api/orders", map[string]any{"cart_id": ct.UUID}, &placed)

	// Order: the first visit of the success page is Kairo's offer page,
	// with the thermos at $25.00.
	path := "/checkout/success/" + placed.UUID
	resp, page := s.get(kairoURL + path)
	toks = tokens(page)
	if resp.StatusCode != 200 || len(toks) == 0 || !strings.Contains(page, `data-kairo-step="thermos-after-cup"`) {
		t.Fatalf("the offer page (%d) shows no thermos step", resp.StatusCode)
	}
	for _, a := range pageAcceptConcurrently(t, s, toks[0], path, 6) {
		msg, _ := a["message"].(string)
		if a["status"] != "accepted" || a["total"] != nil || !strings.Contains(msg, "second order") || !strings.Contains(msg, "$30.00") {
			t.Fatalf("order accept: %v, want accepted as a second order of $30.00 (the thermos and $5 shipping)", a)
		}
	}

	// The store's own API shows one follow-up order, linked both ways.
	first := evershopAdminOrder(t, es, login.AccessToken, placed.UUID)
	var links []string
	json.Unmarshal([]byte(first.metafield("follow_ups")), &links)
	if len(links) != 1 {
		t.Fatalf("first order's follow-ups: %q, want one", first.metafield("follow_ups"))
	}
	secondUUID := strings.Fields(links[0])[1]
	second := evershopAdminOrder(t, es, login.AccessToken, secondUUID)
	if len(second.Items) != 1 || second.Items[0].ProductSku != "THERMO-005-BLK" || second.Items[0].Qty != 1 || second.GrandTotal.Value != 30 {
		t.Errorf("follow-up order: %+v, want one thermos and a total of 30", second)
	}
	if second.CustomerEmail != first.CustomerEmail || second.PaymentMethod != "cod" || second.ShippingMethodName != first.ShippingMethodName ||
		second.ShippingAddress != first.ShippingAddress {
		t.Errorf("follow-up order is not for the same customer, address, shipping and payment:\n%+v\n%+v", second, first)
	}
	if got := second.metafield("follow_up_of"); got != `"`+first.UUID+`"` {
		t.Errorf("follow-up order's follow_up_of = %s, want %q", got, first.UUID)
	}

	// The connector itself: an accept whose answer was lost comes again
	// with the same key, even at once: one follow-up order.
	c := &evershop.Connector{Endpoint: stores.Endpoint{URL: es.URL}, AdminEmail: es.AdminEmail, AdminPassword: es.AdminPassword}
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	req := stores.AcceptRequest{
		Key: "retry-of-a-lost-answer", OrderID: placed.UUID, OfferID: "pen-again", Currency: "USD",
		Items:   []stores.Line{{ProductID: "PEN-002-BLK", Quantity: 1, UnitPrice: 1000}},
		Shopper: stores.Shopper{ClientAddr: "198.51.100.7"},
	}
	results := realstores.OrderAcceptAtOnce(t, c, req, 4)
	for _, ans := range results {
		if ans.Status != 200 || ans.Mode != stores.ModeFollowUp || ans.FollowUpOrderID == "" || ans.FollowUpOrderID != results[0].FollowUpOrderID || ans.Total != 1500 || ans.Charged != (offers.Money{Amount: 1500, Currency: "USD"}) {
			t.Errorf("repeated OrderAccept: %+v, want the same follow-up of 1500 each time", ans)
		}
	}
	first = evershopAdminOrder(t, es, login.AccessToken, placed.UUID)
	links = nil
	json.Unmarshal([]byte(first.metafield("follow_ups")), &links)
	if len(links) != 2 {
		t.Errorf("after four accepts with one key the first order has follow-ups %q, want two in all", links)
	}
}
