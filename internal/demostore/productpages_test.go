package demostore

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestProductPageAndContext(t *testing.T) {
	_, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	resp, page := b.get("/products/mug")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="add-to-cart"`) || !strings.Contains(page, "Stoneware Mug") {
		t.Fatalf("product page: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := b.get("/products/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown product page: %d, want 404", resp.StatusCode)
	}

	resp, body := b.get("/api/products/thermos")
	var pc productContext
	if err := json.Unmarshal([]byte(body), &pc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("product context: %d %s (%v)", resp.StatusCode, body, err)
	}
	if pc.ProductID != "thermos" || pc.UnitPrice != 2999 || pc.Currency != "USD" || !pc.InStock || len(pc.Variants) != 1 || pc.Variants[0].VariantID != "thermos-500ml" {
		t.Errorf("product context %+v", pc)
	}
	if resp, _ := b.get("/api/products/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown product context: %d, want 404", resp.StatusCode)
	}
}

func TestCheckoutPageShowsTheCartAndPayButton(t *testing.T) {
	_, srv := startStore(t, Config{})
	b := newBrowser(t, srv)
	if resp, _ := b.get("/checkout"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cart?notice=empty" {
		t.Errorf("checkout without a cart: %d %s, want 303 to the empty cart", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.addToCart("coffee-beans", "2")
	resp, page := b.get("/checkout")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("checkout page: %d", resp.StatusCode)
	}
	for _, want := range []string{`id="checkout-total">$29.98<`, `id="checkout-pay"`, `Pay now · $29.98`, `data-product-id="coffee-beans"`} {
		if !strings.Contains(page, want) {
			t.Errorf("checkout page lacks %q", want)
		}
	}
}
