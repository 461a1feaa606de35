package caddymodule_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The pre-purchase placements through a real Caddy in front of the demo
// store: they fail open, are counted by placement, and the pop-up is
// capped (the demo's customer is its browser; popupcap_integration_test.go
// has customers with several browsers).

func TestPrePurchasePagesFailOpen(t *testing.T) {
	// Kairo's store API address is dead; the store's pages still are served.
	start(t, setup{apiURL: "http://127.0.0.1:9", extra: prePurchase.extra})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	for _, path := range []string{"/products/coffee-beans", "/checkout", "/cart"} {
		_, viaKairo := s.get(kairoURL + path)
		_, plain := s.get(plainURL + path)
		if viaKairo != plain {
			t.Errorf("with the store API down %s changed", path)
		}
	}
	resp, body := s.get(kairoURL + "/_upsell/popup?return_to=/cart")
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("the pop-up with the store down: %d %q, want 204 and nothing", resp.StatusCode, body)
	}
}

func TestPrePurchasePlacementsAreCountedAndThePopupCapped(t *testing.T) {
	start(t, prePurchase)
	s := newShopper(t)

	// The add-to-cart through Kairo is marked for the pop-up; the same
	// request past a plain proxy is not.
	resp, _ := s.postForm(kairoURL+"/cart/add", url.Values{"product_id": {"coffee-beans"}})
	if c := strings.Join(resp.Header.Values("Set-Cookie"), "; "); !strings.Contains(c, "kairo_added=1") {
		t.Errorf("the add-to-cart through Kairo set no pop-up mark: %q", c)
	}
	resp, _ = s.postForm(plainURL+"/cart/add", url.Values{"product_id": {"mug"}})
	if c := strings.Join(resp.Header.Values("Set-Cookie"), "; "); strings.Contains(c, "kairo_added") {
		t.Errorf("a plain proxy's add-to-cart carries %q", c)
	}

	_, product := s.get(kairoURL + "/products/coffee-beans")
	for _, want := range []string{`data-kairo-placement="product"`, `data-kairo-offer="fbt-beans-tote"`, `data-kairo-popup-loader`} {
		if !strings.Contains(product, want) {
			t.Errorf("the product page lacks %s", want)
		}
	}
	if strings.Contains(product, `data-kairo-offer="fbt-beans-mug"`) {
		t.Errorf("the product page offers the mug, which is in the cart")
	}
	_, checkout := s.get(kairoURL + "/checkout")
	if !strings.Contains(checkout, `data-kairo-offer="bump-socks"`) || !strings.Contains(checkout, `data-kairo-mount="#checkout-pay"`) {
		t.Errorf("the checkout page lacks the mounted bump")
	}
	if strings.Contains(checkout, "data-kairo-popup-loader") {
		t.Errorf("the checkout page carries the pop-up's loader")
	}

	// Three pop-ups per customer (the default cap), then none. Counters go on
	// across config reloads, so these are counted from here.
	popupCounts := []string{
		`kairo_upsell_pages_total{outcome="injected",placement="popup"}`,
		`kairo_upsell_pages_total{outcome="capped",placement="popup"}`,
		`kairo_upsell_impressions_total{offer="popup-thermos",placement="popup",variant="-"}`,
	}
	before := make([]float64, len(popupCounts))
	for i, sample := range popupCounts {
		before[i] = metricValue(t, s, sample)
	}
	for i := 1; i <= 4; i++ {
		resp, body := s.get(kairoURL + "/_upsell/popup?return_to=/cart")
		want := http.StatusOK
		if i == 4 {
			want = http.StatusNoContent
		}
		if resp.StatusCode != want {
			t.Fatalf("pop-up %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == http.StatusOK && (!strings.Contains(body, `data-kairo-offer="popup-thermos"`) || !strings.Contains(body, `name="return_to" value="/cart"`)) {
			t.Errorf("pop-up %d lacks the thermos offer or its return path:\n%s", i, body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("pop-up %d may be cached: %q", i, resp.Header.Get("Cache-Control"))
		}
	}

	_, metrics := s.get("http://localhost:2999/metrics")
	for _, want := range []string{
		`kairo_upsell_pages_total{outcome="injected",placement="product"}`,
		`kairo_upsell_pages_total{outcome="injected",placement="checkout"}`,
		`kairo_upsell_impressions_total{offer="fbt-beans-tote",placement="product",variant="-"}`,
		`kairo_upsell_impressions_total{offer="bump-socks",placement="checkout",variant="-"}`,
		`kairo_upsell_store_request_duration_seconds_count{call="product_context",result="ok"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for i, want := range []float64{3, 1, 3} {
		if got := metricValue(t, s, popupCounts[i]) - before[i]; got != want {
			t.Errorf("%s rose by %v, want %v", popupCounts[i], got, want)
		}
	}
}

func TestBundleAcceptAddsEachOfferOnce(t *testing.T) {
	start(t, prePurchase)
	s, toks := bundleTokens(t)
	// The whole bundle twice, as a double submit would: each offer is
	// added once, and the repeat is told the first answer.
	for round := 1; round <= 2; round++ {
		resp, body := s.postForm(kairoURL+"/_upsell/accept", url.Values{"token": toks, "return_to": {"/products/coffee-beans"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "kairo=accepted") {
			t.Fatalf("round %d: %d %s %s", round, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	_, cart := s.get(kairoURL + "/api/cart")
	if strings.Count(cart, `"product_id":"mug"`) != 1 || strings.Count(cart, `"product_id":"tote-bag"`) != 1 || !strings.Contains(cart, `"quantity":1`) {
		t.Errorf("the cart after a repeated bundle: %s", cart)
	}
	if strings.Contains(cart, `"quantity":2`) {
		t.Errorf("an offer of the bundle was added twice: %s", cart)
	}
}

// bundleTokens starts a customer's cart and returns the customer and the
// two tokens of the coffee beans' product page bundle.
func bundleTokens(t *testing.T) (*shopper, []string) {
	t.Helper()
	s := newShopper(t)
	s.get(kairoURL + "/cart") // the store starts the cart
	_, page := s.get(kairoURL + "/products/coffee-beans")
	toks := tokens(page)
	if len(toks) != 2 {
		t.Fatalf("the bundle carries %d tokens, want 2", len(toks))
	}
	return s, toks
}
