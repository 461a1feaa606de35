package widget

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// samplePage is an offer page with a quantity picker and a discount.
func samplePage() OfferPage {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	return OfferPage{
		Prefix:      "/_upsell",
		OrderNumber: "1001",
		ContinueURL: "/checkout/success/1001",
		Offer: &PageOffer{
			OfferID: "thermos-20", Token: "tok", Title: "Steel Thermos", Description: "Hot for 12 hours.",
			Image: "/images/thermos.svg", Price: "$23.99", RegularPrice: "$29.99", Saving: "$6.00",
			Quantities: []QuantityChoice{{Quantity: 1, Amount: "$23.99"}, {Quantity: 2, Amount: "$47.98"}, {Quantity: 3, Amount: "$71.97"}},
		},
		ExpiresAt: now.Add(10 * time.Minute),
		Now:       now,
	}
}

func parsePage(t *testing.T, out []byte) []*html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parsing the page: %v", err)
	}
	return []*html.Node{doc}
}

func TestOfferPageHasNoInlineCode(t *testing.T) {
	p := samplePage()
	p.Stylesheet, p.Icon = "/theme.css", "/favicon.svg"
	p.Links = []Link{{"Refund policy", "/policies/refunds"}, {"Bad", "javascript:alert(1)"}}
	out := RenderOfferPage(nil, p)
	nodes := parsePage(t, out)
	assertNoInlineCode(t, nodes)
	scripts := byTag(nodes, "script")
	if len(scripts) != 1 || attr(scripts[0], "src") != "/_upsell/"+PageScriptName+"?v="+pageScript.version {
		t.Fatalf("want one script from /_upsell/%s", PageScriptName)
	}
	if out := string(out); !strings.Contains(out, `<a href="/policies/refunds">Refund policy</a>`) || !strings.Contains(out, `<nav aria-label="Store policies">`) {
		t.Errorf("the policy links are missing")
	}
	var sheets []string
	for _, l := range byTag(nodes, "link") {
		if attr(l, "rel") == "stylesheet" {
			sheets = append(sheets, attr(l, "href"))
		}
	}
	if len(sheets) != 2 || sheets[0] != "/_upsell/"+PageStyleName+"?v="+pageStyle.version || sheets[1] != "/theme.css" {
		t.Errorf("stylesheets %v, want Kairo's then the theme", sheets)
	}
}

func TestOfferPageWhatIsShown(t *testing.T) {
	p := samplePage()
	p.Offer.Chosen = 1
	p.Result = &Result{Accepted: true, Total: "$63.00"}
	out := string(RenderOfferPage(nil, p))
	for _, want := range []string{
		"<title>Order #1001 confirmed</title>",
		`<del class="kairo-regular"><span class="kairo-sr">Regular price: </span>$29.99</del>`,
		"You save $6.00",
		"Hot for 12 hours.",
		`alt="Steel Thermos"`,
		">Pay now · $47.98</button>",
		`<input type="hidden" name="quantity" value="2" data-kairo-quantity-field>`,
		`<option value="2" data-kairo-amount-for="$47.98" data-kairo-line-for="$47.98" selected>`,
		`<html lang="en">`,
		"Added to your order. Your new order total is $63.00.",
		`<noscript><meta http-equiv="refresh" content="600;url=/checkout/success/1001"></noscript>`,
		`<span class="kairo-clock" data-kairo-clock>10:00</span>`,
		`<label for="kairo-quantity">Quantity</label>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// One choice: no picker.
	p.Offer.Quantities = p.Offer.Quantities[:1]
	if out := string(RenderOfferPage(nil, p)); strings.Contains(out, "<select") {
		t.Errorf("an offer of one quantity shows a picker")
	}
}

// TestOfferPageShipping: an offer that charges shipping shows it as a line
// of its own, and the amount charged now and the button include it.
func TestOfferPageShipping(t *testing.T) {
	nb := "\u00a0"
	p := samplePage()
	p.Lang = "de-DE"
	p.Offer.Price, p.Offer.RegularPrice, p.Offer.Saving = "23,99"+nb+"€", "29,99"+nb+"€", "6,00"+nb+"€"
	p.Offer.Shipping = "4,99" + nb + "€"
	p.Offer.Quantities = []QuantityChoice{
		{Quantity: 1, Items: "23,99" + nb + "€", Amount: "28,98" + nb + "€"},
		{Quantity: 2, Items: "47,98" + nb + "€", Amount: "52,97" + nb + "€"},
	}
	p.Offer.Chosen = 1
	out := string(RenderOfferPage(nil, p))
	for _, want := range []string{
		`<html lang="de-DE">`,
		`<dd data-kairo-line>47,98` + nb + `€</dd>`,
		"<dt>Shipping</dt>\n<dd data-kairo-shipping>4,99" + nb + "€</dd>",
		`<dd data-kairo-amount>52,97` + nb + `€</dd>`,
		">Pay now · 52,97" + nb + "€</button>",
		`<option value="1" data-kairo-amount-for="28,98` + nb + `€" data-kairo-line-for="23,99` + nb + `€">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	p.Offer.Shipping = ""
	if out := string(RenderOfferPage(nil, p)); strings.Contains(out, "data-kairo-shipping") {
		t.Error("a shipping line without shipping")
	}
}

// TestOfferPageOfferTexts: the offer's own words win over the operator's,
// which win over the defaults; the other words stay.
func TestOfferPageOfferTexts(t *testing.T) {
	p := samplePage()
	p.Texts = map[string]string{"pay": "Buy · {amount}", "decline": "Not now"}
	p.Offer.Texts = map[string]string{"pay": "Yes, add it · {amount}", "headline": "One more thing"}
	out := string(RenderOfferPage(nil, p))
	for _, want := range []string{">Yes, add it · $23.99</button>", `data-kairo-pay-label="Yes, add it · {amount}"`, ">One more thing</p>", ">Not now</button>", ">Continue to my order confirmation</button>"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if p.Texts["pay"] != "Buy · {amount}" || len(p.Texts) != 2 {
		t.Error("the operator's texts were changed")
	}
}

func TestOfferPageTextsAndEscaping(t *testing.T) {
	p := samplePage()
	p.Texts = map[string]string{"pay": "Jetzt zahlen · {amount}", "title": "Bestellung #{order} bestätigt"}
	p.Offer.Title = `Mug</h2><script>alert(1)</script>`
	p.Offer.Image = "javascript:alert(2)"
	p.ContinueURL = `/x"><script>alert(3)</script>`
	out := RenderOfferPage(nil, p)
	assertNoInlineCode(t, parsePage(t, out))
	for _, want := range []string{">Jetzt zahlen · $23.99</button>", "Bestellung #1001 bestätigt"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if bytes.Contains(out, []byte("<script>alert")) || bytes.Contains(out, []byte("javascript:")) {
		t.Errorf("a hostile string got through:\n%s", out)
	}
}

func TestOfferStepAndDone(t *testing.T) {
	p := samplePage()
	step := string(RenderOfferStep(nil, p))
	if !strings.Contains(step, `data-kairo-step="thermos-20"`) || strings.Contains(step, "<html") || strings.Contains(step, "data-kairo-banner") {
		t.Errorf("the step part is not just the step:\n%s", step)
	}
	p.Offer = nil
	p.Result = &Result{Accepted: true, Total: "$63.00"}
	done := string(RenderOfferStep(nil, p))
	if !strings.Contains(done, "data-kairo-done") || !strings.Contains(done, `href="/checkout/success/1001"`) || !strings.Contains(done, "$63.00") {
		t.Errorf("the done part lacks the way on or the total:\n%s", done)
	}
}

func TestOfferPageWordingFollowsHowTheOrderIsPaid(t *testing.T) {
	// Cash on delivery: nothing is charged now, the new total is paid as
	// the buyer chose.
	p := samplePage()
	p.Collect, p.PaymentMethod = "offline", "Cash on delivery"
	p.Result = &Result{Accepted: true, Total: "$63.00"}
	out := string(RenderOfferPage(nil, p))
	for _, want := range []string{
		"Your order is placed.",
		">Add to my order · $23.99</button>",
		`data-kairo-pay-label="Add to my order · {amount}"`,
		"<dt>Added to your order total</dt>",
		"Nothing is charged now: you pay the new total the way you chose for this order (Cash on delivery).",
		"Your new order total is $63.00, to pay the way you chose (Cash on delivery).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("offline: the page lacks %q", want)
		}
	}
	for _, never := range []string{"Pay now", "payment went through", "Charged now", "charged to the same payment method"} {
		if strings.Contains(out, never) {
			t.Errorf("offline: the page says %q", never)
		}
	}
	// Without the method's name, and with the operator's own words.
	p.PaymentMethod = ""
	p.Texts = map[string]string{"pay_offline": "Zur Bestellung · {amount}"}
	out = string(RenderOfferPage(nil, p))
	if !strings.Contains(out, "(the payment method you chose)") || !strings.Contains(out, ">Zur Bestellung · $23.99</button>") {
		t.Errorf("offline without a method name or with the operator's text:\n%s", out)
	}

	// A second order to pay: not one click, and after the accept the way to
	// the store's payment page comes first.
	p = samplePage()
	p.Collect = "pay_link"
	out = string(RenderOfferPage(nil, p))
	if !strings.Contains(out, ">Add to my order · $23.99</button>") || !strings.Contains(out, "Nothing is charged until you complete payment") || strings.Contains(out, "Pay now") {
		t.Errorf("pay link: the step's wording:\n%s", out)
	}
	p.Offer = nil
	p.Result = &Result{Accepted: true, Total: "$15.00", PaymentURL: "/checkout/order-pay/42/?pay_for_order=true&key=wc_order_x"}
	done := string(RenderOfferStep(nil, p))
	for _, want := range []string{
		"Added as a second order, linked to your order. It is not paid yet. Its total is $15.00.",
		"One step left: complete payment",
		`<a class="kairo-continue kairo-continue--primary kairo-complete-payment" href="/checkout/order-pay/42/?pay_for_order=true&amp;key=wc_order_x" data-kairo-complete-payment>Complete payment</a>`,
		`<a class="kairo-continue" href="/checkout/success/1001">Continue to my order confirmation</a>`,
	} {
		if !strings.Contains(done, want) {
			t.Errorf("pay link done part lacks %q:\n%s", want, done)
		}
	}
	// A charged order's done part has no such link.
	p.Collect, p.Result = "", &Result{Accepted: true, Total: "$63.00"}
	if done := string(RenderOfferStep(nil, p)); strings.Contains(done, "kairo-complete-payment") {
		t.Errorf("a charged order got a payment link:\n%s", done)
	}
}

// BenchmarkRenderOfferPage measures one offer page, rendered whole from the
// template (the offer page is not on the hot path of every page view: it
// is served once or twice per order).
//
//	go test -run '^$' -bench RenderOfferPage ./internal/widget
func BenchmarkRenderOfferPage(b *testing.B) {
	p := samplePage()
	buf := make([]byte, 0, 16<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf = RenderOfferPage(buf[:0], p)
	}
	b.SetBytes(int64(len(buf)))
}
