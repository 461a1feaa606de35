package offers

import (
	"strings"
	"testing"
)

func TestParseProductContext(t *testing.T) {
	p, err := ParseProductContext([]byte(`{"product_id":"mug","currency":"usd","unit_price":1999,"tags":["Kitchen"],
		"variants":[{"variant_id":"mug-white","unit_price":1999,"in_stock":false},{"variant_id":"mug-blue"}],"extra":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.ProductID != "mug" || p.Currency != "USD" || p.UnitPrice != 1999 || p.Tags[0] != "kitchen" || len(p.Variants) != 2 {
		t.Errorf("parsed %+v", p)
	}
	if !p.Available() {
		t.Errorf("a product with a variant that does not say is available")
	}

	for _, tc := range []struct{ doc, want string }{
		{`[]`, `product context: want a JSON object, got a list`},
		{`{"currency":"USD"}`, `product context: product_id: missing`},
		{`{"product_id":"m","currency":"XYZ","unit_price":-1}`, `product context: currency: "XYZ" is not an ISO 4217 code; unit_price: -1 is negative`},
		{`{"product_id":"m","unit_price":"12"}`, `product context: unit_price: want a whole number`},
		{`{"product_id":"m","variants":[{"unit_price":-5}]}`, `variants[0].unit_price: -5 is negative`},
	} {
		_, err := ParseProductContext([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}

func TestProductAvailable(t *testing.T) {
	no, yes := false, true
	for _, tc := range []struct {
		p    ProductContext
		want bool
	}{
		{ProductContext{}, true},
		{ProductContext{InStock: &no}, false},
		{ProductContext{InStock: &yes, Variants: []ProductVariant{{InStock: &no}}}, true},
		{ProductContext{Variants: []ProductVariant{{InStock: &no}, {InStock: &no}}}, false},
	} {
		if got := tc.p.Available(); got != tc.want {
			t.Errorf("%+v: Available %v, want %v", tc.p, got, tc.want)
		}
	}
}

// TestWithProductTargetsAndExcludesThePageProduct: on a product page the
// page's product triggers offers as a cart item would, and is never offered
// itself; the cart's own items are not offered either.
func TestWithProductTargetsAndExcludesThePageProduct(t *testing.T) {
	c := mustParse(t, `{"offers":[
		`+offerJSONText(`"id":"mug-for-beans","placements":["product"],"trigger":{"product_ids":["beans"]},"product":{"product_id":"mug","title":"Mug","unit_price":1000,"currency":"USD"}`)+`,
		`+offerJSONText(`"id":"beans-for-tea","placements":["product"],"trigger":{"tags":["tea"]},"product":{"product_id":"beans","title":"Beans","unit_price":1000,"currency":"USD"}`)+`,
		`+offerJSONText(`"id":"socks-big","placements":["product"],"trigger":{"min_subtotal":3000},"product":{"product_id":"socks","title":"Socks","unit_price":500,"currency":"USD"}`)+`
	]}`)
	cart := &Context{ID: "cart1", Currency: "USD", Subtotal: 1000, Items: []Item{{ProductID: "tea", Quantity: 1, UnitPrice: 1000, Tags: []string{"tea"}}}}

	page := cart.WithProduct(&ProductContext{ProductID: "beans", UnitPrice: 2500, Currency: "USD"})
	if len(cart.Items) != 1 || cart.Subtotal != 1000 {
		t.Fatalf("WithProduct changed the cart: %+v", cart)
	}
	if page.Subtotal != 3500 || len(page.Items) != 2 || page.ID != "cart1" {
		t.Fatalf("page context %+v", page)
	}
	got := ids(c.Select(PlacementProduct, page, june, 5))
	// beans-for-tea offers the page's own product: never shown.
	if got != "mug-for-beans socks-big" {
		t.Errorf("product page of beans offers %s, want mug-for-beans socks-big", got)
	}
	if got := ids(c.Select(PlacementCart, page, june, 5)); got != "" {
		t.Errorf("product offers show on the cart placement: %s", got)
	}

	// The id alone (no product_context) still triggers by product id.
	if got := ids(c.Select(PlacementProduct, cart.WithProduct(&ProductContext{ProductID: "beans"}), june, 5)); got != "mug-for-beans" {
		t.Errorf("product page known by id only offers %s, want mug-for-beans", got)
	}
	// A product already in the cart is not added twice.
	if again := page.WithProduct(&ProductContext{ProductID: "beans", UnitPrice: 2500}); again.Subtotal != 3500 || len(again.Items) != 2 {
		t.Errorf("adding the page's product twice: %+v", again)
	}
	// A price in another currency does not count towards the subtotal.
	if eur := cart.WithProduct(&ProductContext{ProductID: "x", UnitPrice: 900, Currency: "EUR"}); eur.Subtotal != 1000 {
		t.Errorf("a EUR price was added to a USD subtotal: %d", eur.Subtotal)
	}
}

// FuzzParseProductContext feeds arbitrary documents to ParseProductContext:
// it never panics, and what it accepts has a product id, a sound currency
// and no negative price.
func FuzzParseProductContext(f *testing.F) {
	f.Add([]byte(`{"product_id":"mug","currency":"USD","unit_price":1999,"tags":["Kitchen"],"in_stock":true,"variants":[{"variant_id":"v","unit_price":5}]}`))
	f.Add([]byte(`{"product_id":""}`))
	f.Add([]byte(`{"product_id":"m","variants":[{"in_stock":false}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProductContext(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "product context: ") {
				t.Fatalf("error %q does not say what it is about", err)
			}
			return
		}
		if p.ProductID == "" || p.UnitPrice < 0 {
			t.Fatalf("accepted %+v", p)
		}
		if _, ok := CurrencyDigits(p.Currency); p.Currency != "" && !ok {
			t.Fatalf("accepted currency %q", p.Currency)
		}
		_ = p.Available()
	})
}
