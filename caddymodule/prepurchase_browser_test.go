package caddymodule_test

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The pre-purchase placements in the browser: the product page's bundle,
// the checkout's order bump and the add-to-cart pop-up, on the demo store.

// prePurchase is the Kairo setup with product pages, the checkout's bump
// (next to the pay button, the page reloading after an add) and the pop-up.
var prePurchase = setup{extra: `
		product /products/{product_id}
		checkout /checkout
		popup_after POST /cart/add
		placement checkout {
			mount "#checkout-pay"
			after_add reload
		}`}

// cartLine is a line of the store's cart as /api/cart tells it.
type cartLine struct {
	ProductID string `json:"product_id"`
	OfferID   string `json:"offer_id"`
	UnitPrice int64  `json:"unit_price"`
	Quantity  int    `json:"quantity"`
}

// storeCart reads the store's cart with the browser's own cookie.
func (b *tab) storeCart() map[string]cartLine {
	b.t.Helper()
	cart := run(b, "read /api/cart in the page", chromedp.Evaluate[struct {
		Subtotal int64      `json:"subtotal"`
		Items    []cartLine `json:"items"`
	}](`fetch("/api/cart", {credentials: "same-origin"}).then(r => r.json())`, chromedp.EvalAwaitPromise))
	lines := make(map[string]cartLine)
	for _, l := range cart.Items {
		if _, dup := lines[l.ProductID]; dup {
			b.t.Errorf("the cart has two lines of %s", l.ProductID)
		}
		lines[l.ProductID] = l
	}
	return lines
}

// startPrePurchaseShop runs Kairo with the pre-purchase placements in
// front of a healthy demo store.
func startPrePurchaseShop(t *testing.T) {
	t.Helper()
	start(t, prePurchase)
	if status, _ := storeAPI(t, http.MethodDelete, "/_demo/faults", nil); status/100 != 2 {
		t.Fatalf("clearing the store's faults: %d", status)
	}
}

const (
	bundleSel = `[data-kairo-widget][data-kairo-placement="product"]`
	bumpSel   = `[data-kairo-widget][data-kairo-placement="checkout"]`
	popupSel  = `dialog[data-kairo-placement="popup"]`
)

func TestBrowserProductBundleAddsTwoInOneClick(t *testing.T) {
	b := newTab(t, scriptsOn)
	startPrePurchaseShop(t)
	b.open("/products/coffee-beans")
	b.do("the product page shows the bundle", chromedp.WaitVisible(chromedp.CSS(bundleSel+" [data-kairo-offer]")))
	if n := b.count(bundleSel + " [data-kairo-offer] input[type=checkbox]:checked"); n != 2 {
		t.Fatalf("the bundle offers %d checked add-ons, want 2", n)
	}
	if n := b.count(bundleSel + ` [data-kairo-offer="coffee-beans"]`); n != 0 {
		t.Errorf("the bundle offers the page's own product")
	}
	// Mug 19.99 - 4.00 and tote 12.99 - 3.00: 25.98, saving 7.00; with the
	// beans at 14.99, 40.97.
	if got := b.text(bundleSel + " [data-kairo-total-price]"); got != "$25.98" {
		t.Errorf("the bundle's total says %q, want $25.98", got)
	}
	if got := b.text(bundleSel + " [data-kairo-total-saving]"); got != "$7.00" {
		t.Errorf("the bundle's saving says %q, want $7.00", got)
	}
	if got := b.text(bundleSel + " [data-kairo-together]"); got != "$40.97" {
		t.Errorf("the bundle's total with this item says %q, want $40.97", got)
	}
	// Unticking the tote leaves the mug's price; ticking it again restores
	// both. The prices come from the server, for each choice.
	tote := bundleSel + ` [data-kairo-offer="fbt-beans-tote"] input[type=checkbox]`
	b.do("untick the tote", chromedp.Click(chromedp.CSS(tote)))
	if got := b.text(bundleSel + " [data-kairo-total-price]"); got != "$15.99" {
		t.Errorf("with the mug alone the total says %q, want $15.99", got)
	}
	b.do("tick the tote again", chromedp.Click(chromedp.CSS(tote)))
	saveDocScreenshot(b, "../docs/widget-product.png", bundleSel)

	b.do("add both in one click",
		chromedp.Click(chromedp.CSS(bundleSel+" button.kairo-accept")),
		chromedp.WaitVisible(chromedp.CSS(bundleSel+" .kairo-status--success")))
	if n := b.sent(http.MethodPost, "/_upsell/accept"); n != 1 {
		t.Errorf("one click sent %d accept requests, want 1", n)
	}
	lines := b.storeCart()
	if l := lines["mug"]; l.UnitPrice != 1599 || l.Quantity != 1 || l.OfferID != "fbt-beans-mug" {
		t.Errorf("the store's cart has the mug as %+v, want one at 1599 from fbt-beans-mug", l)
	}
	if l := lines["tote-bag"]; l.UnitPrice != 999 || l.Quantity != 1 || l.OfferID != "fbt-beans-tote" {
		t.Errorf("the store's cart has the tote as %+v, want one at 999 from fbt-beans-tote", l)
	}
	b.open("/cart")
	for _, p := range []string{"mug", "tote-bag"} {
		if n := b.count(`#cart-lines tr.line[data-product-id="` + p + `"] .tag-offer`); n != 1 {
			t.Errorf("the cart page lists %d offer lines of %s, want 1", n, p)
		}
	}
	// Once they are in the cart, the product page offers them no more.
	b.open("/products/coffee-beans")
	if n := b.count(bundleSel); n != 0 {
		t.Errorf("the product page still offers what is in the cart")
	}
}

func TestBrowserCheckoutBumpChangesTheTotal(t *testing.T) {
	b := newTab(t, scriptsOn)
	startPrePurchaseShop(t)
	b.addCoffeeBeans()
	b.open("/checkout")
	b.do("the bump sits next to the pay button",
		chromedp.WaitVisible(chromedp.CSS("#checkout-pay "+bumpSel+"[data-kairo-mounted] .kairo-bump-toggle")))
	if got := b.text("#checkout-total"); got != "$14.99" {
		t.Fatalf("checkout total %q before the bump, want $14.99", got)
	}
	if got := b.text(bumpSel + " .kairo-bump-text"); got != "Add Coffee Bean Socks for $5.99 — save $3.00" {
		t.Errorf("the bump says %q", got)
	}
	if got := b.attr(bumpSel+" .kairo-bump-toggle", "aria-pressed"); got != "false" {
		t.Errorf("the bump starts pressed (%q): it must be unticked by default", got)
	}
	saveDocScreenshot(b, "../docs/widget-checkout.png", "#checkout-pay")
	// The store hears about the change before the page reloads.
	run(b, "listen for kairo:cart-changed", chromedp.Evaluate[bool](`document.addEventListener("kairo:cart-changed",
		e => sessionStorage.setItem("cart-changed", JSON.stringify(e.detail))); true`))

	b.load("tick the bump (the page reloads)", chromedp.Click(chromedp.CSS(bumpSel+" .kairo-bump-toggle")))
	b.do("the new total shows", chromedp.WaitVisible(chromedp.CSS("#checkout-lines tr.line[data-product-id=socks]")))
	if got := b.text("#checkout-total"); got != "$20.98" {
		t.Errorf("checkout total %q after the bump, want $20.98", got)
	}
	detail := run(b, "read the event", chromedp.Evaluate[string](`sessionStorage.getItem("cart-changed") || ""`))
	if !strings.Contains(detail, `"placement":"checkout"`) || !strings.Contains(detail, `"offerIds":["bump-socks"]`) {
		t.Errorf("kairo:cart-changed detail %s, want the checkout placement and bump-socks", detail)
	}
	if n := b.count(bumpSel); n != 0 {
		t.Errorf("the bump is offered again once it is in the cart")
	}
}

func TestBrowserPopupAfterAddToCart(t *testing.T) {
	b := newTab(t, scriptsOn)
	startPrePurchaseShop(t)
	b.addCoffeeBeans()
	b.do("the pop-up opens", chromedp.WaitVisible(chromedp.CSS(popupSel+"[open] [data-kairo-offer=popup-thermos]")))
	if n := b.count(popupSel); n != 1 {
		t.Fatalf("%d pop-ups, want 1", n)
	}
	inDialog := `document.querySelector(` + jsString(popupSel) + `).contains(document.activeElement)`
	if !run(b, "focus", chromedp.Evaluate[bool](inDialog)) {
		t.Errorf("focus is not in the pop-up when it opens")
	}
	saveDocScreenshot(b, "../docs/widget-popup.png", popupSel)
	// Tab cycles inside the dialog.
	for i := 0; i < 7; i++ {
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		if !run(b, "focus", chromedp.Evaluate[bool](inDialog)) {
			t.Fatalf("after %d Tabs focus left the pop-up", i+1)
		}
	}
	// Keyboard only: focus the offer's button, press Enter.
	b.do("focus Add to cart", chromedp.Focus(chromedp.CSS(popupSel+" button.kairo-accept")))
	b.do("press Enter",
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(popupSel+" .kairo-status--success")))
	if l := b.storeCart()["thermos"]; l.UnitPrice != 2549 || l.OfferID != "popup-thermos" {
		t.Errorf("the store's cart has the thermos as %+v, want one at 2549 from popup-thermos", l)
	}
	b.do("press Escape", chromedp.KeyEvent(kb.Escape))
	b.do("the pop-up is gone", chromedp.WaitNotPresent(chromedp.CSS(popupSel)))

	// Once per add: a reload of the cart opens nothing.
	b.open("/cart")
	b.do("wait for the page's scripts", chromedp.WaitVisible(chromedp.CSS("[data-kairo-widget][data-kairo-ready], #cart-summary")))
	if n := b.count(popupSel); n != 0 {
		t.Errorf("the pop-up opened again without an add-to-cart")
	}
	if n := b.sent(http.MethodGet, "/_upsell/popup"); n != 1 {
		t.Errorf("the pages asked for the pop-up %d times, want 1", n)
	}
}

func TestBrowserPopupClosesOnBackdropAndReturnsFocus(t *testing.T) {
	b := newTab(t, scriptsOn)
	startPrePurchaseShop(t)
	b.open("/products/mug")
	// A store that adds by fetch: the pop-up follows the fetch, on the same page.
	run(b, "add by fetch", chromedp.Evaluate[bool](`document.querySelector("#add-to-cart").focus();
		fetch("/cart/add", {method: "POST", credentials: "same-origin",
			headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "product_id=mug"}); true`))
	b.do("the pop-up opens", chromedp.WaitVisible(chromedp.CSS(popupSel+"[open]")))
	b.do("click the backdrop", chromedp.MouseClickXY(3, 3))
	b.do("the pop-up is gone", chromedp.WaitNotPresent(chromedp.CSS(popupSel)))
	if id := run(b, "focus", chromedp.Evaluate[string](`document.activeElement.id`)); id != "add-to-cart" {
		t.Errorf("focus went to %q after closing, want back to #add-to-cart", id)
	}
}

func TestBrowserBundleAndBumpWithoutJavaScript(t *testing.T) {
	b := newTab(t, scriptsOff)
	startPrePurchaseShop(t)
	b.open("/products/coffee-beans")
	b.do("the bundle is there", chromedp.WaitVisible(chromedp.CSS(bundleSel)))
	u, status := b.load("post the bundle (a plain form)", chromedp.Click(chromedp.CSS(bundleSel+" button.kairo-accept")))
	if u.Path != "/products/coffee-beans" || u.Query().Get("kairo") != "accepted" || status != http.StatusOK {
		t.Errorf("after the form post the browser is at %s (%d)", u, status)
	}
	if got := b.text(bundleSel + " [data-kairo-notice]"); got != "Added to your cart." {
		t.Errorf("the notice says %q", got)
	}
	lines := b.cartPageLines()
	if !lines["mug"] || !lines["tote-bag"] {
		t.Errorf("the cart lacks the bundle: %v", lines)
	}
	if n := b.count(popupSel); n != 0 {
		t.Errorf("a pop-up shows without JavaScript")
	}

	b.open("/checkout")
	before := b.text("#checkout-total")
	u, _ = b.load("post the bump (a plain form)", chromedp.Click(chromedp.CSS(bumpSel+" .kairo-bump-toggle")))
	if u.Path != "/checkout" || u.Query().Get("kairo") != "accepted" {
		t.Errorf("after the bump's form post the browser is at %s", u)
	}
	if after := b.text("#checkout-total"); after == before || b.count(`#checkout-lines tr.line[data-product-id=socks]`) != 1 {
		t.Errorf("the checkout total stayed %s / the socks are not listed", after)
	}
}

// cartPageLines opens the cart page and lists its products.
func (b *tab) cartPageLines() map[string]bool {
	b.t.Helper()
	b.open("/cart")
	ids := run(b, "read the cart lines", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#cart-lines tr.line")).map(tr => tr.dataset.productId)`))
	out := make(map[string]bool)
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// saveDocScreenshot saves a README picture of the element sel, when it is
// missing or KAIRO_UPDATE_SCREENSHOT=1.
func saveDocScreenshot(b *tab, file, sel string) {
	b.t.Helper()
	if _, err := os.Stat(file); err == nil && os.Getenv(updateScreenshotEnv) != "1" {
		return
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		b.t.Fatalf("checking %s: %v", file, err)
	}
	png := run(b, "screenshot of "+sel, chromedp.ScreenshotScale(chromedp.CSS(sel), 1))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatalf("writing %s: %v", file, err)
	}
	b.t.Logf("wrote %s", file)
}
