package demostore

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// lineRow finds the rows of a lines table: product id and the row's HTML.
var lineRow = regexp.MustCompile(`(?s)<tr class="line[^"]*" data-product-id="([^"]+)".*?</tr>`)

func TestBrowsingFlow(t *testing.T) {
	s, srv := startStore(t, Config{})
	b := newBrowser(t, srv)

	resp, page := b.get("/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/cart/add"`) {
		t.Fatalf("product list: %d\n%s", resp.StatusCode, page)
	}
	for _, p := range Catalog() {
		if !strings.Contains(page, `id="product-`+p.ProductID+`"`) || !strings.Contains(page, p.Image) {
			t.Errorf("product list lacks %s", p.ProductID)
		}
	}

	b.addToCart("coffee-beans", "2")
	b.addToCart("mug", "")
	resp, page = b.get("/cart?added=mug")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cart: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`id="cart-summary"`, "Added Stoneware Mug to your cart.", "House Blend Coffee Beans, 250 g",
		"$29.98", // 2 × 14.99
		"$49.97", // subtotal
		`action="/checkout"`, "Place order", `id="cart-count" aria-label="3 items">3<`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("cart page lacks %q", want)
		}
	}

	orderID := b.checkout()
	if !validID(orderID) {
		t.Fatalf("order id %q is not URL-safe", orderID)
	}
	if _, page = b.get("/cart"); !strings.Contains(page, "Your cart is empty.") {
		t.Errorf("the cart is not empty after checkout")
	}
	o, ok := s.Order(orderID)
	if !ok || o.Total != 4997 || o.Status != StatusPaid || len(o.Items) != 2 {
		t.Fatalf("order = %+v", o)
	}

	// An accepted post-purchase offer shows on the reloaded thank-you page.
	resp, body := apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken,
		upsellBody(orderID, "thermos", "thermos-500ml", 1, 2399, 600), map[string]string{"Idempotency-Key": "k1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upsell: %d %s", resp.StatusCode, body)
	}
	resp, page = b.get("/checkout/success/" + orderID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("thank-you: %d", resp.StatusCode)
	}
	rows := lineRow.FindAllStringSubmatch(page, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1])
	}
	if strings.Join(got, ",") != "coffee-beans,mug,thermos" {
		t.Fatalf("thank-you lines = %v", got)
	}
	if strings.Contains(rows[0][0], "Added after checkout") || !strings.Contains(rows[2][0], "Added after checkout") {
		t.Errorf("only the thermos should be marked as added after checkout")
	}
	if !strings.Contains(rows[2][0], "$23.99 <s>$29.99</s>") {
		t.Errorf("the thermos line does not show its discount: %s", rows[2][0])
	}
	if !strings.Contains(page, `id="order-total">$73.96<`) { // 49.97 + 23.99
		t.Errorf("thank-you page lacks the new total")
	}
}

func TestPagesAreCompleteDocuments(t *testing.T) {
	s, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	b.addToCart("socks", "1")
	orderID, err := s.CreateOrder("mug")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, mount string
		status      int
	}{
		{"/", `class="products"`, http.StatusOK},
		{"/cart", `id="cart-summary"`, http.StatusOK},
		{"/checkout/success/" + orderID, `id="order-summary"`, http.StatusOK},
		{"/checkout/success/ord_nope", "Order not found", http.StatusNotFound},
		{"/no/such/page", "Page not found", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, page := b.get(tt.path)
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{"<!DOCTYPE html>", "<title>", "<script src=\"/assets/store.js\"", "<script>", "<!-- Offers belong before the real </body>", tt.mount} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// The real </body> is the last one, after the trap comment and script.
			real := strings.LastIndex(page, "</body>")
			if real < 0 || strings.Count(page, "</body>") != 3 || !strings.HasSuffix(strings.TrimSpace(page[real:]), "</html>") {
				t.Errorf("want the comment's, the script's and the real </body>, the real one last")
			}
		})
	}
}

func TestCartForms(t *testing.T) {
	_, srv := startStore(t, Config{})
	tests := []struct {
		name, path, product, quantity string
		status                        int
		location                      string
	}{
		{"add", "/cart/add", "mug", "3", http.StatusSeeOther, "/cart?added=mug"},
		{"unknown product", "/cart/add", "teapot", "1", http.StatusUnprocessableEntity, ""},
		{"zero quantity", "/cart/add", "mug", "0", http.StatusUnprocessableEntity, ""},
		{"too many", "/cart/add", "mug", "100", http.StatusUnprocessableEntity, ""},
		{"not a number", "/cart/add", "mug", "two", http.StatusUnprocessableEntity, ""},
		{"over the line limit", "/cart/add", "mug", "97", http.StatusSeeOther, "/cart?notice=limit"},
		{"remove", "/cart/remove", "mug", "", http.StatusSeeOther, "/cart"},
	}
	b := newBrowser(t, srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := b.postForm(tt.path, map[string][]string{"product_id": {tt.product}, "quantity": {tt.quantity}})
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
				t.Errorf("%d Location %q, want %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location, body)
			}
		})
	}
	// After "remove" the cart is empty, and checking it out goes nowhere.
	resp, _ := b.postForm("/checkout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cart?notice=empty" {
		t.Errorf("empty checkout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A browser that never had a cart cannot check out either.
	resp, _ = newBrowser(t, srv).postForm("/checkout", nil)
	if resp.Header.Get("Location") != "/cart?notice=empty" {
		t.Errorf("checkout without a cart: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestCartCookie(t *testing.T) {
	s, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	resp, _ := b.get("/cart")
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == CartCookie {
			cookie = c
		}
	}
	if cookie == nil || !validID(cookie.Value) || !cookie.HttpOnly || cookie.Path != "/" {
		t.Fatalf("cart view set cookie %+v", cookie)
	}
	if _, ok := s.Cart(cookie.Value); !ok {
		t.Errorf("the cart %s was not created", cookie.Value)
	}
	// The second view keeps the cart.
	resp, _ = b.get("/cart")
	if len(resp.Cookies()) != 0 {
		t.Errorf("the second view set a cookie again: %v", resp.Cookies())
	}
}

func TestImagesAndAssets(t *testing.T) {
	_, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	for _, p := range Catalog() {
		resp, body := b.get(p.Image)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg ") || !strings.HasSuffix(body, "</svg>\n") {
			t.Errorf("%s: %d %q", p.Image, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	tests := []struct {
		path, contentType string
		status            int
	}{
		{"/assets/store.css", "text/css; charset=utf-8", http.StatusOK},
		{"/assets/store.js", "text/javascript; charset=utf-8", http.StatusOK},
		{"/assets/nope.js", "text/html; charset=utf-8", http.StatusNotFound},
		{"/images/teapot.svg", "text/html; charset=utf-8", http.StatusNotFound},
		{"/images/mug.png", "text/html; charset=utf-8", http.StatusNotFound},
	}
	for _, tt := range tests {
		resp, _ := b.get(tt.path)
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
		}
	}
}

func TestWrongMethodIs405(t *testing.T) {
	_, srv := startStore(t, Config{})
	for _, tt := range []struct{ method, path string }{
		{http.MethodPost, "/cart"},
		{http.MethodDelete, "/checkout"},
		{http.MethodDelete, "/api/cart"},
		{http.MethodPut, "/_demo/faults"},
	} {
		resp, _ := apiCall(t, srv, tt.method, tt.path, testToken, nil, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", tt.method, tt.path, resp.StatusCode)
		}
	}
	resp, body := apiCall(t, srv, http.MethodGet, "/api/nope", "", nil, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
		t.Errorf("unknown API path: %d %s", resp.StatusCode, body)
	}
}
