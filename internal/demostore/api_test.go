package demostore

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOrderContext(t *testing.T) {
	s, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	b.addToCart("mug", "1")
	first := b.checkout()
	b.addToCart("coffee-beans", "2")
	second := b.checkout()

	tests := []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"no token", "/api/orders/" + first, "", http.StatusUnauthorized, "bearer token"},
		{"wrong token", "/api/orders/" + first, "nope", http.StatusUnauthorized, "bearer token"},
		{"unknown order", "/api/orders/ord_missing", testToken, http.StatusNotFound, "no such order"},
		{"first order", "/api/orders/" + first, testToken, http.StatusOK, `"status":"paid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := apiCall(t, srv, http.MethodGet, tt.path, tt.token, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%d %q %s, want %d with %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.status, tt.want)
			}
			if tt.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}

	_, body := apiCall(t, srv, http.MethodGet, "/api/orders/"+second, testToken, nil, nil)
	o := decode[Order](t, body)
	want, _ := s.Order(second)
	if o.ID != second || o.Currency != "USD" || o.Subtotal != 2998 || o.Total != 2998 || len(o.Items) != 1 || o.Items[0].ProductID != "coffee-beans" ||
		o.Items[0].Quantity != 2 || o.Items[0].UnitPrice != 1499 || strings.Join(o.Items[0].Tags, ",") != "coffee,consumable" ||
		!o.EditableUntil.Equal(want.EditableUntil) {
		t.Errorf("order context = %+v", o)
	}
	// The same browser ordered once before: it is not a new customer.
	if o.Customer == nil || o.Customer.OrdersCount != 1 || o.Customer.ID == "" {
		t.Errorf("customer = %+v, want one earlier order", o.Customer)
	}
}

func TestCartContext(t *testing.T) {
	_, srv := startStore(t, Config{Currency: "eur"})
	b := newBrowser(t, srv)

	// No cookie: an empty, open cart with an id of its own.
	_, body := b.get("/api/cart")
	c := decode[Cart](t, body)
	if c.ID == "" || c.Currency != "EUR" || c.Subtotal != 0 || c.Items == nil || len(c.Items) != 0 || c.Status != StatusOpen {
		t.Errorf("cookie-less cart = %s", body)
	}

	b.addToCart("thermos", "1")
	b.addToCart("socks", "2")
	_, body = b.get("/api/cart")
	c = decode[Cart](t, body)
	if c.Subtotal != 2999+2*899 || len(c.Items) != 2 || c.Items[1].ProductID != "socks" || c.Items[1].Quantity != 2 ||
		strings.Join(c.Items[0].Tags, ",") != "kitchen,travel" || c.Customer == nil || c.Customer.OrdersCount != 0 {
		t.Errorf("cart = %s", body)
	}
	if !strings.Contains(body, `"items":[{"product_id":"thermos","variant_id":"thermos-500ml"`) {
		t.Errorf("items are not in the contract's shape: %s", body)
	}
}

func TestOrderUpsells(t *testing.T) {
	clock := newTestClock()
	s, srv := startStore(t, Config{Now: clock.Now, AcceptWindow: 10 * time.Minute})
	orderID, err := s.CreateOrder("coffee-beans")
	if err != nil {
		t.Fatal(err)
	}
	good := upsellBody(orderID, "thermos", "thermos-500ml", 1, 2399, 600)
	path := "/api/orders/" + orderID + "/upsells"
	key := map[string]string{"Idempotency-Key": "key-1"}

	tests := []struct {
		name   string
		path   string
		token  string
		body   any
		header map[string]string
		status int
		want   string
	}{
		{"no token", path, "", good, key, http.StatusUnauthorized, "bearer token"},
		{"unknown order", "/api/orders/ord_missing/upsells", testToken, good, key, http.StatusNotFound, "no such order"},
		{"no key", path, testToken, good, nil, http.StatusBadRequest, "Idempotency-Key"},
		{"long key", path, testToken, good, map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, http.StatusBadRequest, "Idempotency-Key"},
		{"not JSON", path, testToken, "{items", key, http.StatusUnprocessableEntity, "not a JSON"},
		{"trailing data", path, testToken, `{"currency":"USD"} {}`, key, http.StatusUnprocessableEntity, "after the JSON"},
		{"too large", path, testToken, `{"offer_id":"` + strings.Repeat("x", maxAddItemsBody) + `"}`, key, http.StatusRequestEntityTooLarge, "larger"},
		{"unknown product", path, testToken, upsellBody(orderID, "teapot", "", 1, 100, 0), key, http.StatusUnprocessableEntity, `items[0].product_id: unknown product \"teapot\"`},
		{"wrong variant", path, testToken, upsellBody(orderID, "mug", "mug-black", 1, 100, 0), key, http.StatusUnprocessableEntity, "items[0].variant_id"},
		{"zero quantity", path, testToken, upsellBody(orderID, "mug", "mug-white", 0, 100, 0), key, http.StatusUnprocessableEntity, "items[0].quantity"},
		{"huge quantity", path, testToken, upsellBody(orderID, "mug", "mug-white", 100, 100, 0), key, http.StatusUnprocessableEntity, "items[0].quantity"},
		{"negative price", path, testToken, upsellBody(orderID, "mug", "mug-white", 1, -1, 0), key, http.StatusUnprocessableEntity, "items[0].unit_price"},
		{"negative discount", path, testToken, upsellBody(orderID, "mug", "mug-white", 1, 100, -5), key, http.StatusUnprocessableEntity, "items[0].discount"},
		{"no price", path, testToken, map[string]any{"currency": "USD", "items": []map[string]any{{"product_id": "mug", "quantity": 1}}}, key, http.StatusUnprocessableEntity, "items[0].unit_price is required"},
		{"no items", path, testToken, map[string]any{"currency": "USD", "items": []any{}}, key, http.StatusUnprocessableEntity, "items"},
		{"other currency", path, testToken, map[string]any{"currency": "EUR", "items": good["items"]}, key, http.StatusUnprocessableEntity, "store currency"},
		{"no currency", path, testToken, map[string]any{"items": good["items"]}, key, http.StatusUnprocessableEntity, "currency is required"},
		{"other order in body", path, testToken, upsellBody("ord_other", "mug", "mug-white", 1, 100, 0), key, http.StatusUnprocessableEntity, "does not match"},
		{"negative shipping", path, testToken, map[string]any{"currency": "USD", "items": good["items"], "shipping": -1}, key, http.StatusUnprocessableEntity, "shipping: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := apiCall(t, srv, http.MethodPost, tt.path, tt.token, tt.body, tt.header)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	if o, _ := s.Order(orderID); len(o.Items) != 1 || s.Stats().AcceptApplied != 0 {
		t.Fatalf("refused requests changed the order: %+v", o)
	}

	// A good request appends the line and answers the new total.
	resp, first := apiCall(t, srv, http.MethodPost, path, testToken, good, key)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("accept: %d %s", resp.StatusCode, first)
	}
	ans := decode[orderAddedAnswer](t, first)
	if ans.OrderID != orderID || ans.Total != 1499+2399 || ans.Currency != "USD" || len(ans.Added) != 1 ||
		ans.Added[0].ProductID != "thermos" || ans.Added[0].UnitPrice != 2399 || ans.Added[0].Discount != 600 ||
		ans.Added[0].OfferID != "offer-1" || !ans.Added[0].AddedAfterCheckout {
		t.Errorf("answer = %s", first)
	}
	o, _ := s.Order(orderID)
	if len(o.Items) != 2 || o.Total != 3898 || o.Subtotal != 3898 || !o.Items[1].AddedAfterCheckout || o.Items[0].AddedAfterCheckout {
		t.Errorf("order after accept = %+v", o)
	}

	// Shipping comes with an offer's items and is charged once: the order's
	// total and its thank-you page show it, and a replay charges nothing.
	shipped := upsellBody(orderID, "socks", "socks-m", 1, 450, 449)
	shipped["shipping"] = 499
	shipKey := map[string]string{"Idempotency-Key": "key-ship"}
	for range 2 {
		if resp, body := apiCall(t, srv, http.MethodPost, path, testToken, shipped, shipKey); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"total":4847`) {
			t.Fatalf("accept with shipping: %d %s, want the total 3898+450+499", resp.StatusCode, body)
		}
	}
	if o, _ := s.Order(orderID); len(o.Items) != 3 || o.Subtotal != 3898+450 || o.Shipping != 499 || o.Total != 4847 {
		t.Errorf("order after the accept with shipping = %+v, want shipping 499 once", o)
	}
	if _, page := newBrowser(t, srv).get("/checkout/success/" + orderID); !strings.Contains(page, `id="order-shipping">$4.99<`) || !strings.Contains(page, `id="order-total">$48.47<`) {
		t.Errorf("the thank-you page does not show the shipping and the total with it:\n%s", page)
	}
	stored, _ := s.Order(orderID)

	// After the window: 410 for a new key, the first answer for the old one.
	clock.Advance(10 * time.Minute)
	resp, body := apiCall(t, srv, http.MethodPost, path, testToken, upsellBody(orderID, "socks", "socks-m", 1, 450, 449), map[string]string{"Idempotency-Key": "key-2"})
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "accept window") {
		t.Errorf("after the window: %d %s", resp.StatusCode, body)
	}
	resp, replay := apiCall(t, srv, http.MethodPost, path, testToken, good, key)
	if resp.StatusCode != http.StatusOK || replay != first || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay after the window: %d %s", resp.StatusCode, replay)
	}
	if o, _ := s.Order(orderID); len(o.Items) != len(stored.Items) || o.Total != stored.Total {
		t.Errorf("the order changed after its window: %+v", o)
	}
}

func TestExpireOrder(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("mug")
	resp, _ := apiCall(t, srv, http.MethodPost, "/_demo/orders/"+orderID+"/expire", "", nil, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expire without token: %d", resp.StatusCode)
	}
	if resp, body := apiCall(t, srv, http.MethodPost, "/_demo/orders/ord_missing/expire", testToken, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("expire unknown: %d %s", resp.StatusCode, body)
	}
	if resp, body := apiCall(t, srv, http.MethodPost, "/_demo/orders/"+orderID+"/expire", testToken, nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("expire: %d %s", resp.StatusCode, body)
	}
	resp, body := apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken,
		upsellBody(orderID, "thermos", "", 1, 2399, 600), map[string]string{"Idempotency-Key": "k"})
	if resp.StatusCode != http.StatusGone {
		t.Errorf("accept after expire: %d %s", resp.StatusCode, body)
	}
}

func TestCartItems(t *testing.T) {
	s, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	b.addToCart("coffee-beans", "1")
	add := map[string]any{"offer_id": "mug-with-beans", "currency": "USD",
		"items": []map[string]any{{"product_id": "mug", "variant_id": "mug-white", "quantity": 1, "unit_price": 1699, "discount": 300}}}

	tests := []struct {
		name   string
		body   any
		header map[string]string
		status int
		want   string
	}{
		{"no key", add, nil, http.StatusBadRequest, "Idempotency-Key"},
		{"order id", map[string]any{"order_id": "ord_x", "currency": "USD", "items": add["items"]}, map[string]string{"Idempotency-Key": "c0"}, http.StatusUnprocessableEntity, "order_id"},
		{"shipping", map[string]any{"currency": "USD", "items": add["items"], "shipping": 499}, map[string]string{"Idempotency-Key": "c0"}, http.StatusUnprocessableEntity, "not on a cart add"},
		{"unknown product", map[string]any{"currency": "USD", "items": []map[string]any{{"product_id": "teapot", "quantity": 1, "unit_price": 1}}}, map[string]string{"Idempotency-Key": "c0"}, http.StatusUnprocessableEntity, "unknown product"},
		{"added", add, map[string]string{"Idempotency-Key": "c1"}, http.StatusOK, `"subtotal":3198`},
		{"replayed", add, map[string]string{"Idempotency-Key": "c1"}, http.StatusOK, `"subtotal":3198`},
		{"same again, new key", add, map[string]string{"Idempotency-Key": "c2"}, http.StatusOK, `"subtotal":4897`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := b.postJSON("/api/cart/items", tt.body, tt.header)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	_, body := b.get("/api/cart")
	c := decode[Cart](t, body)
	if len(c.Items) != 2 || c.Items[1].ProductID != "mug" || c.Items[1].Quantity != 2 || c.Items[1].OfferID != "mug-with-beans" || c.Subtotal != 1499+2*1699 {
		t.Errorf("cart = %s", body)
	}
	if st := s.Stats(); st.CartAddCalls != 7 || st.CartAddApplied != 2 || st.AcceptReplayed != 1 {
		t.Errorf("stats = %+v", st)
	}

	// A cart add without a cookie starts a cart and sets the cookie.
	fresh := newBrowser(t, srv)
	resp, body := fresh.postJSON("/api/cart/items", add, map[string]string{"Idempotency-Key": "c1"})
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 || resp.Cookies()[0].Name != CartCookie {
		t.Fatalf("cookie-less add: %d %v %s", resp.StatusCode, resp.Cookies(), body)
	}
	if _, body = fresh.get("/api/cart"); !strings.Contains(body, `"subtotal":1699`) {
		t.Errorf("the new cart = %s", body)
	}
}

func TestCreateOrderHelpers(t *testing.T) {
	s, srv := startStore(t, Config{})
	id, err := s.CreateOrder("mug", "socks", "mug")
	if err != nil {
		t.Fatal(err)
	}
	o, ok := s.Order(id)
	if !ok || len(o.Items) != 2 || o.Items[0].Quantity != 2 || o.Total != 2*1999+899 || o.Customer.OrdersCount != 0 {
		t.Errorf("order = %+v", o)
	}
	// The copy is the caller's: changing it does not change the store.
	o.Items[0].Quantity = 50
	o.Items[0].Tags[0] = "changed"
	if again, _ := s.Order(id); again.Items[0].Quantity != 2 || again.Items[0].Tags[0] != "kitchen" {
		t.Errorf("Order returned shared state")
	}
	for _, bad := range [][]string{nil, {"teapot"}} {
		if _, err := s.CreateOrder(bad...); err == nil {
			t.Errorf("CreateOrder(%q) succeeded", bad)
		}
	}

	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"created", `{"items":[{"product_id":"thermos","quantity":2},{"product_id":"gift-card"}]}`, http.StatusCreated, `"total":8498`},
		{"unknown product", `{"items":[{"product_id":"teapot"}]}`, http.StatusUnprocessableEntity, "unknown product"},
		{"no items", `{"items":[]}`, http.StatusUnprocessableEntity, "at least one"},
		{"bad quantity", `{"items":[{"product_id":"mug","quantity":-1}]}`, http.StatusUnprocessableEntity, "quantity"},
		{"unknown field", `{"itemz":[]}`, http.StatusUnprocessableEntity, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := apiCall(t, srv, http.MethodPost, "/_demo/orders", testToken, tt.body, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	if got := s.Stats().OrdersCreated; got != 2 {
		t.Errorf("orders_created = %d, want 2", got)
	}
}
