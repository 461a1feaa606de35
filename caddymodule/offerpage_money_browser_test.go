package caddymodule_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfferPageShippingInTheOrdersLocale: in chromium, the offer
// page of an order in de-DE writes its amounts that way, and the quantity
// picker's script updates the items' line, the amount charged now and the
// button with the shipping counted once.
func TestBrowserOfferPageShippingInTheOrdersLocale(t *testing.T) {
	b := newTab(t, scriptsOn)
	front := newContractFront(t)
	front.setLocale("de-DE")
	// The page names the store's icon, as startOfferPageShop's does.
	start(t, setup{postPurchase: "page {\n\t\t\ticon /images/coffee-beans.svg\n\t\t}", apiURL: front.srv.URL, catalog: shippingCatalog(t)})
	b.orderCoffeeBeans()
	b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
	if lang := b.attr("html", "lang"); lang != "de-DE" {
		t.Errorf("<html lang=%q>, want de-DE", lang)
	}
	// Amounts carry no-break spaces; compare them as plain ones.
	read := func(sel string) string { return strings.ReplaceAll(b.text(sel), "\u00a0", " ") }
	expect := func(when string, want map[string]string) {
		t.Helper()
		for sel, text := range want {
			if got := read(sel); got != text {
				t.Errorf("%s %s reads %q, want %q", when, sel, got, text)
			}
		}
	}
	expect("at first", map[string]string{
		"button.kairo-pay":                               "Pay now · 28,98 $",
		"[data-kairo-line]":                              "23,99 $",
		"[data-kairo-shipping]":                          "4,99 $",
		"[data-kairo-amount]":                            "28,98 $",
		".kairo-summary dt:has(+ [data-kairo-shipping])": "Delivery",
	})
	b.do("choose 2 thermoses", chromedp.SetValue(chromedp.CSS("select[name=kairo_quantity]"), "2"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=kairo_quantity]").dispatchEvent(new Event("change", {bubbles: true}))`))
	expect("with 2 chosen", map[string]string{
		"button.kairo-pay":      "Pay now · 52,97 $",
		"[data-kairo-line]":     "47,98 $",
		"[data-kairo-shipping]": "4,99 $",
		"[data-kairo-amount]":   "52,97 $",
	})
	b.do("accept the thermos", chromedp.Click(chromedp.CSS("button.kairo-pay")),
		chromedp.WaitVisible(chromedp.CSS("[data-kairo-notice]")))
	sent := front.lastAccept()
	items, _ := sent["items"].([]any)
	if sent["shipping"] != float64(499) || len(items) != 1 || items[0].(map[string]any)["quantity"] != float64(2) {
		t.Errorf("the store was sent %v, want two thermoses and shipping 499", sent)
	}
	if got := read("[data-kairo-notice]"); !strings.Contains(got, " $.") || !strings.Contains(got, ",") {
		t.Errorf("after the accept the page says %q, want the new total written for de-DE", got)
	}
}
