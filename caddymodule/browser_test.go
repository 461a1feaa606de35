package caddymodule_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/kairoedge/kairo/offers"
)

// The browser tests walk the demo store through Kairo in Debian's headless
// chromium, as a customer would: the store's own forms, the injected widget,
// its script, and with JavaScript off its plain forms.

const (
	// stepTimeout bounds one browser step (a navigation, a wait for the
	// DOM). It is generous: the steps wait on conditions, not on time.
	stepTimeout = 45 * time.Second
	// viewportWidth and viewportHeight size the browser window; the width
	// is also that of the README screenshot.
	viewportWidth, viewportHeight = 1000, 900
	// docScreenshot is the README's picture of the widget on the demo's
	// thank-you page, relative to this package's directory.
	docScreenshot = "../docs/widget-thank-you.png"
	// updateScreenshotEnv set to 1 rewrites docScreenshot; without it the
	// picture is written only when it is missing.
	updateScreenshotEnv = "KAIRO_UPDATE_SCREENSHOT"
)

// chromiumPath finds Debian's chromium. Without it the test is skipped, or
// fails in CI, where it must have been installed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		msg := "chromium not found: install it with `apt-get install chromium` to run the browser tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// scripts says whether a tab runs the page's JavaScript.
type scripts bool

const (
	scriptsOn  scripts = true
	scriptsOff scripts = false
)

// tab is one page of a fresh headless chromium. It records what the page
// reports as an error (console errors, uncaught exceptions, error entries of
// the browser log) and the requests it sends; when the
// test ends it fails on any recorded error, and a failed test leaves a
// screenshot of the page in a temporary folder.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu        sync.Mutex
	errors    []string       // what the browser console showed as errors
	requests  map[string]int // requests sent, by method and URL path
	redirects map[string]int // redirect statuses, by the URL path that answered with one
}

// newTab starts chromium with the flags the project agreed on and a
// temporary profile, and opens one tab.
func newTab(t *testing.T, js scripts) *tab {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(viewportWidth, viewportHeight),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b := &tab{t: t, ctx: ctx, requests: map[string]int{}, redirects: map[string]int{}}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("listening to the browser: %v", err)
	}
	if js == scriptsOff {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("turning JavaScript off: %v", err)
		}
	}
	// Registered last, so it runs first, while the browser still runs.
	t.Cleanup(b.finish)
	return b
}

// record is called for every event of the tab, in order, on the browser's
// reading goroutine: it only notes things down.
func (b *tab) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			b.errors = append(b.errors, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		b.errors = append(b.errors, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *cdplog.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError {
			b.errors = append(b.errors, fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		if r := ev.RedirectResponse; r != nil {
			b.redirects[urlPath(r.URL)] = int(r.Status)
		}
		if ev.Request != nil {
			b.requests[ev.Request.Method+" "+urlPath(ev.Request.URL)]++
		}
	}
}

func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// sent returns how many requests with this method and path the page sent.
func (b *tab) sent(method, path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests[method+" "+path]
}

// redirectFrom returns the redirect status the browser got from path, or 0.
func (b *tab) redirectFrom(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.redirects[path]
}

// finish fails the test on console errors and saves a screenshot of a
// failed test's page.
func (b *tab) finish() {
	b.mu.Lock()
	for _, e := range b.errors {
		b.t.Errorf("the browser console shows an error: %s", e)
	}
	b.mu.Unlock()
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("no screenshot of the failed page: %v", err)
		return
	}
	dir, err := os.MkdirTemp("", "kairo-browser-")
	if err != nil {
		b.t.Logf("no screenshot of the failed page: %v", err)
		return
	}
	file := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name())+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Logf("no screenshot of the failed page: %v", err)
		return
	}
	b.t.Logf("screenshot of the page when the test failed: %s", file)
}

// run runs one browser step and returns its value; a failure ends the test.
func run[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs browser steps that return nothing; a failure ends the test.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, what, chromedp.Steps(steps...))
}

// load runs steps that navigate (a link, a form post) and waits until the
// next page has loaded. It returns the page's address and HTTP status.
func (b *tab) load(what string, steps ...chromedp.Action[chromedp.Void]) (*url.URL, int) {
	b.t.Helper()
	resp := run(b, what, func(ctx context.Context, t *chromedp.Target) (*network.Response, error) {
		return chromedp.RunResponse(ctx, steps...)
	})
	if resp == nil {
		b.t.Fatalf("%s: no page was loaded", what)
	}
	u, err := url.Parse(resp.URL)
	if err != nil {
		b.t.Fatalf("%s: page address %q: %v", what, resp.URL, err)
	}
	return u, int(resp.Status)
}

// open loads a page of the shop through Kairo and checks it answered 200.
func (b *tab) open(path string) {
	b.t.Helper()
	if _, status := b.load("open "+path, chromedp.Navigate(kairoURL+path)); status != http.StatusOK {
		b.t.Fatalf("open %s: status %d", path, status)
	}
}

// text returns the visible text of the first element matching a CSS selector.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// count returns how many elements match a CSS selector right now.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return run(b, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// attr returns an attribute of the first element matching a CSS selector.
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return run(b, "read "+name+" of "+sel, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// addCoffeeBeans clicks "Add to cart" for the coffee beans on the product
// list; the store answers 303 to its cart page.
func (b *tab) addCoffeeBeans() {
	b.t.Helper()
	b.open("/")
	u, status := b.load("add coffee beans to the cart",
		chromedp.Click(chromedp.CSS(`#product-coffee-beans form[action="/cart/add"] button[type=submit]`)))
	if u.Path != "/cart" || status != http.StatusOK {
		b.t.Fatalf("after adding to the cart the browser is at %s (%d), want /cart", u, status)
	}
}

// orderCoffeeBeans buys coffee beans through the store's own forms and
// returns the order id of the thank-you page the browser lands on.
func (b *tab) orderCoffeeBeans() string {
	b.t.Helper()
	b.addCoffeeBeans()
	u, status := b.load("place the order",
		chromedp.Click(chromedp.CSS(`#cart-summary form[action="/checkout"] button[type=submit]`)))
	orderID, ok := strings.CutPrefix(u.Path, "/checkout/success/")
	if !ok || orderID == "" || status != http.StatusOK {
		b.t.Fatalf("after checkout the browser is at %s (%d), want the thank-you page", u, status)
	}
	return orderID
}

// startShop runs Kairo in front of the demo store, with any fault an
// earlier test left in the store cleared.
func startShop(t *testing.T) {
	t.Helper()
	start(t, setup{})
	if status, _ := storeAPI(t, http.MethodDelete, "/_demo/faults", nil); status/100 != 2 {
		t.Fatalf("clearing the store's faults: %d", status)
	}
}

// offerSel is the CSS selector of one offer of the widget.
func offerSel(offerID string) string {
	return fmt.Sprintf(`[data-kairo-widget] [data-kairo-offer=%q]`, offerID)
}

// doubleClick sends a real double click to the centre of an element: two
// presses and releases, the second with click count 2, as a mouse does.
func doubleClick(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.ScrollIntoView(chromedp.CSS(sel))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		centre, err := chromedp.Evaluate[struct{ X, Y float64 }](fmt.Sprintf(
			`(() => { const r = document.querySelector(%s).getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`,
			jsString(sel)))(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		for clicks := 1; clicks <= 2; clicks++ {
			for _, typ := range []input.DispatchMouseEventType{chromedp.MousePressed, chromedp.MouseReleased} {
				if _, err := chromedp.MouseEvent(typ, centre.X, centre.Y, chromedp.ButtonLeft, chromedp.ClickCount(clicks))(ctx, t); err != nil {
					return chromedp.Void{}, err
				}
			}
		}
		return chromedp.Void{}, nil
	}
}

// storeOrder is what the browser tests read of an order from the store.
type storeOrder struct {
	total  int64
	thermo []map[string]any // the thermos lines
}

// readOrder asks the store for an order's total and its thermos lines.
func readOrder(t *testing.T, orderID string) storeOrder {
	t.Helper()
	status, order := storeAPI(t, http.MethodGet, "/api/orders/"+orderID, nil)
	total, ok := order["total"].(float64)
	if status != http.StatusOK || !ok {
		t.Fatalf("order %s: %d %v", orderID, status, order)
	}
	out := storeOrder{total: int64(total)}
	for _, it := range orderItems(t, orderID) {
		if m, ok := it.(map[string]any); ok && m["product_id"] == "thermos" {
			out.thermo = append(out.thermo, m)
		}
	}
	return out
}

func usd(minor int64) string {
	return offers.Money{Amount: minor, Currency: "USD"}.Format()
}

var clockText = regexp.MustCompile(`^1[45]:[0-5][0-9]$`)

// TestBrowserCartOfferAddsToCart: after "Add to cart" the store's own
// cart (its lines and subtotal) shows the mug without the customer
// reloading: the widget tells the page (kairo:cart-changed, with the new
// total) and, as no store script cancels it, reloads the cart page.
func TestBrowserCartOfferAddsToCart(t *testing.T) {
	b := newTab(t, scriptsOn)
	startShop(t)
	b.addCoffeeBeans()

	mug := offerSel("mug-with-beans")
	b.do("the cart page shows the mug offer", chromedp.WaitVisible(chromedp.CSS(mug)))
	if got := b.text(mug + " button.kairo-accept"); got != "Add to cart" {
		t.Errorf("the cart offer's button says %q, want \"Add to cart\"", got)
	}
	if n := b.count(mug + " [data-kairo-countdown]"); n != 0 {
		t.Errorf("a cart offer shows %d countdowns, want none", n)
	}
	// Chromium's own parse of the page: the widget is a child of <body>
	// just before the store's site footer, and shows above it.
	where := run(b, "find the widget and the footer", chromedp.Evaluate[struct {
		BeforeFooter, Above bool
	}](`(() => {
		const w = document.querySelector("[data-kairo-widget]"), f = document.querySelector("body > footer");
		let n = w && w.nextElementSibling;
		while (n && n.tagName === "SCRIPT") n = n.nextElementSibling;
		return {BeforeFooter: !!w && w.parentElement === document.body && n === f,
			Above: !!w && !!f && w.getBoundingClientRect().bottom <= f.getBoundingClientRect().top};
	})()`))
	if !where.BeforeFooter || !where.Above {
		t.Errorf("the widget is not the body's child just above the site footer: %+v", where)
	}
	if got := b.text("#cart-summary .subtotal"); got != usd(1499) {
		t.Fatalf("the store's subtotal before the accept is %q, want %s", got, usd(1499))
	}
	// What a store script would hear; kept in sessionStorage, which
	// outlives the reload.
	run(b, "listen for the widget's events", chromedp.Evaluate[bool](`
		for (const name of ["kairo:accepted", "kairo:cart-changed"]) {
			document.addEventListener(name, e => sessionStorage.setItem(name, JSON.stringify(e.detail)));
		}
		true`))

	b.do("click Add to cart; the store's cart lists the mug",
		chromedp.Click(chromedp.CSS(mug+" button.kairo-accept")),
		chromedp.WaitVisible(chromedp.CSS(`#cart-lines tr.line[data-product-id="mug"]`)))
	want := usd(1499 + 1699)
	if got := b.text("#cart-summary .subtotal"); got != want {
		t.Errorf("the store's subtotal after the accept is %q, want %s", got, want)
	}
	if u := run(b, "read the address", chromedp.Location()); urlPath(u) != "/cart" {
		t.Errorf("accepting left the page for %s", u)
	}
	if n := b.sent(http.MethodPost, "/_upsell/accept"); n != 1 {
		t.Errorf("the page sent %d accept requests, want 1", n)
	}
	type eventDetail struct {
		OfferID   string `json:"offerId"`
		Placement string `json:"placement"`
		Status    string `json:"status"`
		Total     string `json:"total"`
		Mode      string `json:"mode"`
	}
	for _, name := range []string{"kairo:accepted", "kairo:cart-changed"} {
		raw := run(b, "read "+name, chromedp.Evaluate[string](`sessionStorage.getItem(`+jsString(name)+`) || ""`))
		var got eventDetail
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Errorf("%s: no event detail (%q)", name, raw)
			continue
		}
		if (got != eventDetail{OfferID: "mug-with-beans", Placement: "cart", Status: "accepted", Total: want, Mode: "edited"}) {
			t.Errorf("%s detail %+v, want the mug, accepted, total %s, edited", name, got, want)
		}
	}

	// The store's cart, asked with the browser's own cookie, has the mug
	// at the offer price, once.
	type cartLine struct {
		ProductID string `json:"product_id"`
		OfferID   string `json:"offer_id"`
		UnitPrice int64  `json:"unit_price"`
		Quantity  int    `json:"quantity"`
	}
	cart := run(b, "read /api/cart in the page", chromedp.Evaluate[struct {
		Items []cartLine `json:"items"`
	}](`fetch("/api/cart", {credentials: "same-origin"}).then(r => r.json())`, chromedp.EvalAwaitPromise))
	var mugs []cartLine
	for _, l := range cart.Items {
		if l.ProductID == "mug" {
			mugs = append(mugs, l)
		}
	}
	if len(mugs) != 1 || mugs[0].Quantity != 1 || mugs[0].UnitPrice != 1699 || mugs[0].OfferID != "mug-with-beans" {
		t.Errorf("the store's cart has mug lines %+v, want one at 1699 from mug-with-beans", mugs)
	}
}

func TestBrowserThankYouOfferDoubleClickAddsOnce(t *testing.T) {
	b := newTab(t, scriptsOn)
	startShop(t)
	orderID := b.orderCoffeeBeans()
	thermos := offerSel("thermos-20")

	b.do("the thank-you page shows the thermos offer with its countdown",
		chromedp.WaitVisible(chromedp.CSS(thermos)),
		chromedp.WaitVisible(chromedp.CSS(thermos+" [data-kairo-countdown]")))
	if got := b.text(thermos + " button.kairo-accept"); got != "Add to my order" {
		t.Errorf("the thank-you offer's button says %q, want \"Add to my order\"", got)
	}
	first := b.text(thermos + " [data-kairo-clock]")
	if !clockText.MatchString(first) {
		t.Errorf("countdown shows %q, want about 15 minutes such as 14:59", first)
	}
	// The countdown runs: the clock's text changes.
	run(b, "the countdown ticks", chromedp.Poll[bool](fmt.Sprintf(
		`document.querySelector(%s).textContent.trim() !== %s`, jsString(thermos+" [data-kairo-clock]"), jsString(first)),
		chromedp.WithPollingTimeout(stepTimeout)))
	writeDocScreenshot(b)

	// A slow store keeps the first accept in flight while the second click
	// lands, as on a busy day.
	storeFaults(t, map[string]any{"accept_delay": "300ms"})
	callsBefore := storeStat(t, "accept_calls")
	before := readOrder(t, orderID)

	// The first click disables the button, so chromium drops the second
	// half of the double click; were it delivered, the script would still
	// refuse a second submit while the first is busy.
	b.do("double click Add to my order",
		doubleClick(thermos+" button.kairo-accept"),
		chromedp.WaitVisible(chromedp.CSS(thermos+" .kairo-status--success")))

	after := readOrder(t, orderID)
	if n := b.sent(http.MethodPost, "/_upsell/accept"); n != 1 {
		t.Errorf("the double click sent %d accept requests, want 1", n)
	}
	if got := storeStat(t, "accept_calls") - callsBefore; got != 1 {
		t.Errorf("the store got %d accept calls, want 1", got)
	}
	if len(after.thermo) != 1 {
		t.Fatalf("the order has %d thermos lines after a double click, want 1: %v", len(after.thermo), after.thermo)
	}
	lineTotal, _ := after.thermo[0]["line_total"].(float64)
	if after.total != before.total+int64(lineTotal) || lineTotal != 2399 {
		t.Errorf("order total %d after adding a thermos line of %v, was %d", after.total, lineTotal, before.total)
	}
	msg := b.text(thermos + " .kairo-status--success")
	if want := "New total: " + usd(after.total) + "."; !strings.Contains(msg, "Added to your order.") || !strings.Contains(msg, want) {
		t.Errorf("success message %q, want \"Added to your order.\" and %q", msg, want)
	}

	// After a reload the store's own order summary lists the thermos and
	// the new total, and the accepted offer is not offered again.
	b.load("reload the thank-you page", chromedp.Reload())
	if n := b.count(`#order-summary tr.line[data-product-id="thermos"].added-after-checkout`); n != 1 {
		t.Errorf("the reloaded order summary lists %d thermos lines added after checkout, want 1", n)
	}
	if got, want := b.text("#order-summary #order-total"), usd(after.total); got != want {
		t.Errorf("the reloaded order summary's total is %q, want %q", got, want)
	}
	if n := b.count(thermos); n != 0 {
		t.Errorf("the accepted thermos offer is shown again after the reload")
	}
}

func TestBrowserFormPathWithoutJavaScript(t *testing.T) {
	b := newTab(t, scriptsOff)
	startShop(t)
	orderID := b.orderCoffeeBeans()
	page := "/checkout/success/" + orderID
	thermos := offerSel("thermos-20")

	b.do("the thank-you page shows the thermos offer", chromedp.WaitVisible(chromedp.CSS(thermos)))
	if n := b.count("[data-kairo-widget][data-kairo-ready]"); n != 0 {
		t.Fatalf("the widget's script ran although JavaScript is off")
	}
	before := readOrder(t, orderID)

	u, status := b.load("click Add to my order (a plain form post)",
		chromedp.Click(chromedp.CSS(thermos+" button.kairo-accept")))
	if got := b.redirectFrom("/_upsell/accept"); got != http.StatusSeeOther {
		t.Errorf("the form post was answered with redirect status %d, want 303", got)
	}
	if u.Path != page || u.Query().Get("kairo") != "accepted" || status != http.StatusOK {
		t.Errorf("after the form post the browser is at %s (%d), want %s?kairo=accepted", u, status, page)
	}
	if got := b.text("[data-kairo-widget] [data-kairo-notice]"); got != "Added to your order." {
		t.Errorf("the notice after the form post says %q, want \"Added to your order.\"", got)
	}
	after := readOrder(t, orderID)
	if len(after.thermo) != 1 {
		t.Fatalf("the order has %d thermos lines after the form post, want 1", len(after.thermo))
	}
	if n := b.count(`#order-summary tr.line[data-product-id="thermos"]`); n != 1 {
		t.Errorf("the order summary lists %d thermos lines, want 1", n)
	}
	if got, want := b.text("#order-summary #order-total"), usd(after.total); got != want || after.total <= before.total {
		t.Errorf("the order summary's total is %q, want %q (it was %s)", got, want, usd(before.total))
	}
	if n := b.count(thermos); n != 0 {
		t.Errorf("the accepted thermos offer is still offered after the form post")
	}
}

func TestBrowserNoThanksHidesOfferAndRecordsDecline(t *testing.T) {
	b := newTab(t, scriptsOn)
	startShop(t)
	orderID := b.orderCoffeeBeans()
	thermos := offerSel("thermos-20")
	b.do("the thank-you page shows the thermos offer", chromedp.WaitVisible(chromedp.CSS(thermos)))
	othersShown := b.count(`[data-kairo-widget] [data-kairo-offer]:not([hidden])`) - 1

	declined := run(b, "click No thanks", chromedp.WaitEvent(network.ResponseReceived,
		func(ev network.EventResponseReceived) bool {
			return ev.Response != nil && urlPath(ev.Response.URL) == "/_upsell/decline"
		},
		chromedp.Click(chromedp.CSS(thermos+" button.kairo-decline"))))
	if declined.Response.Status != http.StatusOK {
		t.Errorf("the decline was answered %d, want 200", declined.Response.Status)
	}
	b.do("the thermos offer is hidden", chromedp.WaitNotVisible(chromedp.CSS(thermos)))
	if got := b.attr(thermos, "data-kairo-state"); got != "declined" {
		t.Errorf("offer state %q after No thanks, want declined", got)
	}
	if othersShown == 0 {
		b.do("the emptied widget is hidden", chromedp.WaitNotVisible(chromedp.CSS("[data-kairo-widget]")))
	}
	if n := b.sent(http.MethodPost, "/_upsell/accept"); n != 0 {
		t.Errorf("No thanks sent %d accept requests", n)
	}

	// The decline was recorded: the page offers the downsell instead.
	b.open("/checkout/success/" + orderID)
	b.do("the reloaded page offers the socks", chromedp.WaitVisible(chromedp.CSS(offerSel("socks-half"))))
	if n := b.count(thermos); n != 0 {
		t.Errorf("the declined thermos offer is shown again after the reload")
	}
}

// writeDocScreenshot saves the README's picture of the widget on the demo's
// thank-you page, the whole page at the browser's width, when it is missing
// or KAIRO_UPDATE_SCREENSHOT=1, so that ordinary runs leave the working tree
// alone.
func writeDocScreenshot(b *tab) {
	b.t.Helper()
	if _, err := os.Stat(docScreenshot); err == nil && os.Getenv(updateScreenshotEnv) != "1" {
		return
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		b.t.Fatalf("checking %s: %v", docScreenshot, err)
	}
	b.do("the widget is in view", chromedp.ScrollIntoView(chromedp.CSS("[data-kairo-widget]")))
	png := run(b, "screenshot of the thank-you page", chromedp.FullScreenshot(100))
	if err := os.WriteFile(docScreenshot, png, 0o644); err != nil {
		b.t.Fatalf("writing %s: %v", docScreenshot, err)
	}
	b.t.Logf("wrote %s", docScreenshot)
}
