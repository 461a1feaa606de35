package caddymodule_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The offer page walked in chromium on the demo store, whose catalog
// (demo/offers.json) has a funnel: the thermos (accept leads to the tote
// bag, decline to the socks), the tote bag (decline leads to the socks),
// and the socks.

const (
	// offerPageShots are the README's pictures of the offer page,
	// relative to this package's directory; rewritten like docScreenshot.
	offerPageDesktopShot = "../docs/offer-page-desktop.png"
	offerPageMobileShot  = "../docs/offer-page-mobile.png"
	// mobileWidth and mobileHeight are a common phone's viewport.
	mobileWidth, mobileHeight = 390, 844
)

// startOfferPageShop runs Kairo with the offer page in front of the demo
// store, faults cleared.
func startOfferPageShop(t *testing.T) {
	t.Helper()
	// The demo store's pages name their icon; so does the offer page.
	start(t, setup{postPurchase: "page {\n\t\t\ticon /images/coffee-beans.svg\n\t\t}"})
	if status, _ := storeAPI(t, http.MethodDelete, "/_demo/faults", nil); status/100 != 2 {
		t.Fatalf("clearing the store's faults: %d", status)
	}
}

// stepSel is the CSS selector of the offer page's step for an offer.
func stepSel(offerID string) string {
	return fmt.Sprintf(`[data-kairo-page] [data-kairo-step=%q]`, offerID)
}

// secondsLeft reads the countdown as seconds.
func (b *tab) secondsLeft() int {
	b.t.Helper()
	text := b.text("[data-kairo-clock]")
	m, s, ok := strings.Cut(text, ":")
	mins, err1 := strconv.Atoi(m)
	secs, err2 := strconv.Atoi(s)
	if !ok || err1 != nil || err2 != nil {
		b.t.Fatalf("the countdown shows %q, want m:ss", text)
	}
	return mins*60 + secs
}

// reloadKeepsCountdown reloads the offer page and checks that the same
// step is back and its countdown did not start again.
func (b *tab) reloadKeepsCountdown(offerID string) {
	b.t.Helper()
	before := b.secondsLeft()
	time.Sleep(1100 * time.Millisecond) // let at least one second pass
	if _, status := b.load("reload the offer page", chromedp.Reload()); status != http.StatusOK {
		b.t.Fatalf("reloading the offer page: status %d", status)
	}
	b.do("the same step is back", chromedp.WaitVisible(chromedp.CSS(stepSel(offerID))))
	if after := b.secondsLeft(); after >= before || after < before-10 {
		b.t.Errorf("after a reload the countdown shows %ds left, had %ds: it must go on, not restart", after, before)
	}
	if n := b.count("[data-kairo-action=continue] button.kairo-continue"); n != 1 {
		b.t.Errorf("after a reload the way to the confirmation is missing")
	}
}

// atStorePage checks that the browser shows the store's own thank-you page
// for the order, with the given products among its lines and the order's
// total from the store.
func (b *tab) atStorePage(orderID string, products ...string) {
	b.t.Helper()
	b.do("the store's thank-you page", chromedp.WaitVisible(chromedp.CSS("#order-summary")))
	if n := b.count("[data-kairo-page]"); n != 0 {
		b.t.Errorf("the store's page is still Kairo's offer page")
	}
	for _, p := range products {
		if n := b.count(fmt.Sprintf(`#order-summary tr.line[data-product-id=%q].added-after-checkout`, p)); n != 1 {
			b.t.Errorf("the store's order summary lists %d %s lines added after checkout, want 1", n, p)
		}
	}
	order := readOrder(b.t, orderID)
	if got, want := b.text("#order-summary #order-total"), usd(order.total); got != want {
		b.t.Errorf("the store's page shows the total %q, want the order's %q", got, want)
	}
}

func TestBrowserOfferPageFunnel(t *testing.T) {
	b := newTab(t, scriptsOn)
	startOfferPageShop(t)
	orderID := b.orderCoffeeBeans()
	before := readOrder(t, orderID)

	b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
	if got := b.text("[data-kairo-banner] h1"); got != "Order #"+orderID+" confirmed" {
		t.Errorf("the banner says %q", got)
	}
	if got := b.text("button.kairo-pay"); got != "Pay now · $23.99" {
		t.Errorf("the primary button says %q, want \"Pay now · $23.99\"", got)
	}
	if got := b.text(".kairo-regular"); !strings.Contains(got, "$29.99") {
		t.Errorf("the regular price reads %q", got)
	}
	if n := b.count("[data-kairo-page][data-kairo-ready]"); n != 1 {
		t.Fatalf("the offer page's script did not run")
	}
	writeOfferPageShots(b)
	b.checkPhoneLayout()
	b.reloadKeepsCountdown("thermos-20")

	// Two thermoses, then accept: the next step (the tote bag) replaces the
	// thermos without a reload, and says what the order now costs.
	b.do("choose 2 thermoses", chromedp.SetValue(chromedp.CSS("select[name=kairo_quantity]"), "2"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=kairo_quantity]").dispatchEvent(new Event("change", {bubbles: true}))`))
	if got := b.text("button.kairo-pay"); got != "Pay now · $47.98" {
		t.Errorf("with 2 chosen the button says %q, want \"Pay now · $47.98\"", got)
	}
	b.do("mark the document, to tell a reload", chromedp.Evaluate[chromedp.Void](`window.kairoSameDocument = true`))
	b.do("accept the thermos", chromedp.Click(chromedp.CSS("button.kairo-pay")),
		chromedp.WaitVisible(chromedp.CSS(stepSel("tote-bundle"))))
	if !run(b, "still the same document", chromedp.Evaluate[bool](`window.kairoSameDocument === true`)) {
		t.Errorf("the next step came with a page load, want it in place")
	}
	afterThermos := readOrder(t, orderID)
	if len(afterThermos.thermo) != 1 || afterThermos.thermo[0]["quantity"] != float64(2) {
		t.Fatalf("the order's thermos lines are %v, want one of quantity 2", afterThermos.thermo)
	}
	if got, want := b.text("[data-kairo-notice]"), usd(afterThermos.total); !strings.Contains(got, "Added to your order.") || !strings.Contains(got, want) {
		t.Errorf("after the accept the page says %q, want the new total %s", got, want)
	}
	if afterThermos.total != before.total+2*2399 {
		t.Errorf("order total %d after two thermoses, was %d", afterThermos.total, before.total)
	}
	b.reloadKeepsCountdown("tote-bundle")

	// Decline the tote bag: the downsell, the socks, comes at once.
	b.do("decline the tote bag", chromedp.Click(chromedp.CSS("button.kairo-decline")),
		chromedp.WaitVisible(chromedp.CSS(stepSel("socks-half"))))
	b.reloadKeepsCountdown("socks-half")
	b.do("choose large socks", chromedp.SetValue(chromedp.CSS("select[name=kairo_variant]"), "socks-l"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=kairo_variant]").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.do("accept the socks", chromedp.Click(chromedp.CSS("button.kairo-pay")),
		chromedp.WaitVisible(chromedp.CSS("[data-kairo-done]")))
	if n := b.countInStore(orderID, "socks-l"); n != 1 {
		t.Errorf("the order has %d lines of large socks, want 1", n)
	}
	final := readOrder(t, orderID)
	if got, want := b.text("[data-kairo-notice]"), usd(final.total); !strings.Contains(got, want) {
		t.Errorf("after the last accept the page says %q, want the new total %s", got, want)
	}
	b.load("continue to the confirmation", chromedp.Click(chromedp.CSS("[data-kairo-done] a.kairo-continue")))
	b.atStorePage(orderID, "thermos", "socks")
	if n := b.count(`#order-summary tr.line[data-product-id="tote-bag"]`); n != 0 {
		t.Errorf("the declined tote bag is in the order")
	}

	// From now on the store's page, in this tab and any other.
	b.load("reload the confirmation", chromedp.Reload())
	b.atStorePage(orderID, "thermos", "socks")
	other := newTab(t, scriptsOn)
	other.open("/checkout/success/" + orderID)
	other.atStorePage(orderID, "thermos", "socks")
}

func TestBrowserOfferPageWithoutJavaScript(t *testing.T) {
	b := newTab(t, scriptsOff)
	startOfferPageShop(t)
	orderID := b.orderCoffeeBeans()
	page := "/checkout/success/" + orderID

	b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
	if n := b.count("[data-kairo-page][data-kairo-ready]"); n != 0 {
		t.Fatalf("the offer page's script ran although JavaScript is off")
	}
	// The quantity picker is a plain form back to the page, which prices
	// the choice on the server.
	b.do("choose 3 thermoses", chromedp.SetValue(chromedp.CSS("select[name=kairo_quantity]"), "3"))
	u, _ := b.load("update the total", chromedp.Click(chromedp.CSS("button.kairo-update")))
	if u.Path != page || u.Query().Get("kairo_quantity") != "3" {
		t.Errorf("updating the total led to %s", u)
	}
	if got := b.text("button.kairo-pay"); got != "Pay now · $71.97" {
		t.Errorf("with 3 chosen the button says %q, want \"Pay now · $71.97\"", got)
	}
	b.reloadKeepsCountdown("thermos-20")

	u, status := b.load("accept the thermos (a form post)", chromedp.Click(chromedp.CSS("button.kairo-pay")))
	if got := b.redirectFrom("/_upsell/page/accept"); got != http.StatusSeeOther || u.Path != page || status != http.StatusOK {
		t.Errorf("the accept answered %d and led to %s (%d), want 303 to %s", got, u, status, page)
	}
	b.do("the tote bag is next", chromedp.WaitVisible(chromedp.CSS(stepSel("tote-bundle"))))
	afterThermos := readOrder(t, orderID)
	if len(afterThermos.thermo) != 1 || afterThermos.thermo[0]["quantity"] != float64(3) {
		t.Fatalf("the order's thermos lines are %v, want one of quantity 3", afterThermos.thermo)
	}
	if got := b.text("[data-kairo-notice]"); !strings.Contains(got, usd(afterThermos.total)) {
		t.Errorf("after the accept the page says %q, want the new total %s", got, usd(afterThermos.total))
	}
	b.reloadKeepsCountdown("tote-bundle")

	b.load("decline the tote bag", chromedp.Click(chromedp.CSS("button.kairo-decline")))
	b.do("the socks are next", chromedp.WaitVisible(chromedp.CSS(stepSel("socks-half"))))
	b.reloadKeepsCountdown("socks-half")
	b.do("choose small socks", chromedp.SetValue(chromedp.CSS("select[name=kairo_variant]"), "socks-s"))
	if u, _ := b.load("update the choice", chromedp.Click(chromedp.CSS("button.kairo-update"))); u.Query().Get("kairo_variant") != "socks-s" {
		t.Errorf("choosing a size led to %s", u)
	}
	if got := b.attr("input[name=variant]", "value"); got != "socks-s" {
		t.Errorf("the accept form carries variant %q, want socks-s", got)
	}
	u, _ = b.load("accept the socks", chromedp.Click(chromedp.CSS("button.kairo-pay")))
	if u.Path != page {
		t.Errorf("after the last accept the browser is at %s, want %s", u, page)
	}
	if n := b.countInStore(orderID, "socks-s"); n != 1 {
		t.Errorf("the order has %d lines of small socks, want 1", n)
	}
	b.atStorePage(orderID, "thermos", "socks")
}

func TestBrowserOfferPageKeyboardOnly(t *testing.T) {
	b := newTab(t, scriptsOn)
	startOfferPageShop(t)
	orderID := b.orderCoffeeBeans()
	b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))

	// Tab from the top: the way out comes first, then the offer's controls
	// in reading order.
	want := []string{"button.kairo-continue", "select[name=kairo_quantity]", "button.kairo-pay", "button.kairo-decline"}
	for i, sel := range want {
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		if !b.focused(sel) {
			t.Fatalf("Tab %d focuses %s, want %s", i+1, b.focusedDescription(), sel)
		}
	}
	// Shift+Tab back to the primary button, Enter to accept.
	b.do("press Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if !b.focused("button.kairo-pay") {
		t.Fatalf("Shift+Tab focuses %s, want the primary button", b.focusedDescription())
	}
	b.do("press Enter on Pay now", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(stepSel("tote-bundle"))))
	if !b.focused(stepSel("tote-bundle") + " h2") {
		t.Errorf("after the accept the focus is on %s, want the next offer's heading", b.focusedDescription())
	}
	if got := b.text("[data-kairo-live]"); !strings.Contains(got, "Added to your order.") || !strings.Contains(got, "new order total is $") {
		t.Errorf("the live region announces %q after the accept, want the result and the new total", got)
	}
	// Decline with the keyboard: Tab to the link and press Enter.
	for range 10 {
		if b.focused("button.kairo-decline") {
			break
		}
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	b.do("press Enter on Decline", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(stepSel("socks-half"))))
	// Leave with the keyboard: Shift+Tab to the top, Enter on the way out.
	for range 12 {
		if b.focused("button.kairo-continue") {
			break
		}
		b.do("press Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	}
	b.load("press Enter on Continue", chromedp.KeyEvent(kb.Enter))
	b.atStorePage(orderID, "thermos")
}

func TestBrowserOfferPageStoreDownShowsStorePage(t *testing.T) {
	b := newTab(t, scriptsOn)
	startOfferPageShop(t)
	b.addCoffeeBeans()
	storeFaults(t, map[string]any{"context_status": 503})
	u, status := b.load("place the order",
		chromedp.Click(chromedp.CSS(`#cart-summary form[action="/checkout"] button[type=submit]`)))
	orderID, ok := strings.CutPrefix(u.Path, "/checkout/success/")
	if !ok || status != http.StatusOK {
		t.Fatalf("after checkout the browser is at %s (%d)", u, status)
	}
	// The store's page is in the browser; the test reads the order again.
	storeAPI(t, http.MethodDelete, "/_demo/faults", nil)
	b.atStorePage(orderID)
}

// focused reports whether the focused element matches a CSS selector.
func (b *tab) focused(sel string) bool {
	b.t.Helper()
	return run(b, "read the focus", chromedp.Evaluate[bool](fmt.Sprintf(
		`document.activeElement !== null && document.activeElement.matches(%s)`, jsString(sel))))
}

// focusedDescription names the focused element for a failure message.
func (b *tab) focusedDescription() string {
	b.t.Helper()
	return run(b, "describe the focus", chromedp.Evaluate[string](
		`(e => e ? e.tagName.toLowerCase() + (e.className ? "." + e.className : "") : "nothing")(document.activeElement)`))
}

// checkPhoneLayout checks on a phone's viewport that the page fits its
// width and that the primary button shows without scrolling.
func (b *tab) checkPhoneLayout() {
	b.t.Helper()
	b.do("a phone's viewport", chromedp.EmulateViewport(mobileWidth, mobileHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	defer b.do("back to the desktop viewport", chromedp.EmulateReset())
	if w := run(b, "read the page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > mobileWidth {
		b.t.Errorf("on a phone the page is %dpx wide, wider than the %dpx screen", w, mobileWidth)
	}
	if bottom := run(b, "find the primary button", chromedp.Evaluate[float64](`document.querySelector("button.kairo-pay").getBoundingClientRect().bottom`)); bottom > mobileHeight {
		b.t.Errorf("on a phone the primary button ends %.0fpx down, below the %dpx screen", bottom, mobileHeight)
	}
}

// writeOfferPageShots saves the README's pictures of the offer page, at
// the desktop width and on a phone, when they are missing or
// KAIRO_UPDATE_SCREENSHOT=1.
func writeOfferPageShots(b *tab) {
	b.t.Helper()
	missing := false
	for _, f := range []string{offerPageDesktopShot, offerPageMobileShot} {
		if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
			missing = true
		} else if err != nil {
			b.t.Fatalf("checking %s: %v", f, err)
		}
	}
	if !missing && os.Getenv(updateScreenshotEnv) != "1" {
		return
	}
	shoot := func(file string) {
		png := run(b, "screenshot of the offer page", chromedp.FullScreenshot(100))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.t.Fatalf("writing %s: %v", file, err)
		}
		b.t.Logf("wrote %s", file)
	}
	shoot(offerPageDesktopShot)
	b.do("a phone's viewport", chromedp.EmulateViewport(mobileWidth, mobileHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	shoot(offerPageMobileShot)
	b.do("back to the desktop viewport", chromedp.EmulateReset())
}

// countInStore counts the order's lines of a store variant, as the store
// reports them.
func (b *tab) countInStore(orderID, variantID string) int {
	b.t.Helper()
	n := 0
	for _, it := range orderItems(b.t, orderID) {
		if m, ok := it.(map[string]any); ok && m["variant_id"] == variantID {
			n++
		}
	}
	return n
}

func TestBrowserOfferPageWindowEndsOnTheStorePage(t *testing.T) {
	for name, js := range map[string]scripts{"with JavaScript": scriptsOn, "without JavaScript": scriptsOff} {
		t.Run(name, func(t *testing.T) {
			b := newTab(t, js)
			start(t, setup{postPurchase: "page {\n\t\t\twindow 3s\n\t\t\ticon /images/coffee-beans.svg\n\t\t}"})
			orderID := b.orderCoffeeBeans()
			b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
			// Nobody clicks: when the window ends the page moves on by
			// itself (the script's countdown, or without it the page's
			// refresh), to the store's page.
			b.do("wait for the store's page", chromedp.WaitVisible(chromedp.CSS("#order-summary")))
			b.atStorePage(orderID)
		})
	}
}
