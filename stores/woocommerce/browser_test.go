package woocommerce_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A walk in Debian's headless chromium through Kairo over WooCommerce's
// own pages: the block-based cart with the widget, and the order-received
// address with Kairo's post-purchase offer page, then the store's own page.

const (
	// browserStep bounds one browser step; steps wait on conditions.
	browserStep = 90 * time.Second
	// The docs' pictures of the widget on WooCommerce's pages, relative
	// to this package's directory; KAIRO_UPDATE_SCREENSHOT=1 rewrites
	// them, else they are written only when missing.
	cartScreenshot     = "../../docs/woocommerce-cart.png"
	thankYouScreenshot = "../../docs/woocommerce-thank-you.png"
	payLinkScreenshot  = "../../docs/woocommerce-complete-payment.png"
)

// chromium starts a headless chromium with a fresh profile. Without it the
// test is skipped, or fails in CI.
func chromium(t *testing.T) context.Context {
	return chromiumWith(t, true)
}

// chromiumWith is chromium with JavaScript on or off.
func chromiumWith(t *testing.T, scripts bool) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		msg := "chromium not found: install it with `apt-get install chromium` to run the browser walk"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser on this context: one started by a step's shorter
	// context would close when the step ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if !scripts {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("turning JavaScript off: %v", err)
		}
	}
	return ctx
}

// step runs browser actions within browserStep; a failure ends the test
// and leaves a screenshot of the page.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Steps(actions...)); err != nil {
		shot := filepath.Join(os.TempDir(), "kairo-woocommerce-failed.png")
		if png, perr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); perr == nil {
			_ = os.WriteFile(shot, png, 0o644)
		}
		t.Fatalf("%s: %v (screenshot: %s)", what, err, shot)
	}
}

// read runs one browser action that returns a value, within browserStep.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// docPicture writes a screenshot for the docs when asked or missing.
func docPicture(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	if _, err := os.Stat(file); err == nil && os.Getenv("KAIRO_UPDATE_SCREENSHOT") != "1" {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", file, err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserWalkOfWooCommercesCartAndOrderReceivedPages(t *testing.T) {
	base := kairo(t)
	s := woo
	ctx := chromium(t)

	// The cart: WooCommerce's add-to-cart link starts the session, the
	// block cart renders it, Kairo's widget offers the socks.
	step(t, ctx, "add the mug to the cart", chromedp.Navigate(fmt.Sprintf("%s/?add-to-cart=%d", base, s.mug)))
	step(t, ctx, "the block cart with the widget",
		chromedp.Navigate(base+"/cart/"),
		chromedp.WaitVisible(chromedp.CSS(`.wc-block-cart`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-kairo-offer=%q] .kairo-accept`, cartOffer))),
	)
	// For the picture, let the block cart finish drawing its lines (it
	// hydrates after load); the walk does not depend on it.
	lines, cancel := context.WithTimeout(ctx, 20*time.Second)
	_, _ = chromedp.Run(lines, chromedp.WaitVisible(chromedp.CSS(`.wc-block-cart-items .wc-block-components-product-name`)))
	cancel()
	docPicture(t, ctx, cartScreenshot)

	// The order-received page of a cash-on-delivery order: the first visit
	// gets Kairo's offer page at the same address; one click adds the
	// offer to the same order, and the way on is WooCommerce's own page.
	_, placed := s.codOrder(t, s.url)
	page := fmt.Sprintf("%s/checkout/order-received/%d/?key=%s", base, placed.ID, placed.OrderKey)
	offer := fmt.Sprintf(`[data-kairo-step=%q]`, thankYouOffer)
	step(t, ctx, "the offer page at the order-received address",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(offer+` .kairo-pay`)),
	)
	button := read(t, ctx, "the offer's button", chromedp.Text(chromedp.CSS(offer+` .kairo-pay`)))
	note := read(t, ctx, "the charge note", chromedp.Text(chromedp.CSS(offer+` .kairo-charge-note`)))
	// Cash on delivery: nothing is charged now.
	if button != "Add to my order · $15.00" || !strings.Contains(note, "(Cash on delivery)") {
		t.Errorf("the cash-on-delivery offer page says %q and %q", button, note)
	}
	docPicture(t, ctx, thankYouScreenshot)
	step(t, ctx, "accept the offer",
		chromedp.Click(chromedp.CSS(offer+` .kairo-pay`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-kairo-done]`)),
	)
	step(t, ctx, "on to WooCommerce's order-received page, which lists the thermos",
		chromedp.Navigate(page),
		// The block theme's order confirmation, or the classic template's.
		chromedp.WaitVisible(chromedp.CSS(`[class*="wc-block-order-confirmation"], .woocommerce-order`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href*="/product/steel-thermos/"]`)),
	)
	if got := s.order(t, placed.ID); got.linesOf(s.thermos) != 1 || got.Total != "27.50" {
		t.Fatalf("after the click: %d thermos lines, total %s; want 1 and 27.50", got.linesOf(s.thermos), got.Total)
	}
}

func TestBrowserWalkOfACardOrderToWooCommercesPayPage(t *testing.T) {
	base := kairo(t)
	s := woo
	for _, scripts := range []bool{true, false} {
		t.Run(map[bool]string{true: "with JavaScript", false: "without JavaScript"}[scripts], func(t *testing.T) {
			ctx := chromiumWith(t, scripts)
			placed := s.cardOrder(t)
			page := fmt.Sprintf("%s/checkout/order-received/%d/?key=%s", base, placed.ID, placed.OrderKey)
			offer := fmt.Sprintf(`[data-kairo-step=%q]`, thankYouOffer)
			step(t, ctx, "the offer page at the card order's order-received address",
				chromedp.Navigate(page),
				chromedp.WaitVisible(chromedp.CSS(offer+` .kairo-pay`)),
			)
			button := read(t, ctx, "the offer's button", chromedp.Text(chromedp.CSS(offer+` .kairo-pay`)))
			if button != "Add to my order · $15.00" {
				t.Errorf("the card order's offer button says %q", button)
			}
			if scripts {
				// The script shows the end of the offers with the way to pay.
				step(t, ctx, "accept: the page says Complete payment",
					chromedp.Click(chromedp.CSS(offer+` .kairo-pay`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-kairo-done] a.kairo-complete-payment`)),
				)
				if link := read(t, ctx, "the payment link", chromedp.Text(chromedp.CSS(`a.kairo-complete-payment`))); link != "Complete payment" {
					t.Errorf("the payment link says %q", link)
				}
				docPicture(t, ctx, payLinkScreenshot)
				step(t, ctx, "follow Complete payment", chromedp.Click(chromedp.CSS(`a.kairo-complete-payment`)))
			} else {
				// A plain form post goes straight to the payment page.
				step(t, ctx, "accept", chromedp.Click(chromedp.CSS(offer+` .kairo-pay`)))
			}
			step(t, ctx, "WooCommerce's own pay page for the follow-up order", chromedp.WaitVisible(chromedp.CSS(`#order_review`)))
			at := read(t, ctx, "the page's address", chromedp.Location())
			kids := s.children(t, placed.ID)
			if len(kids) != 1 {
				t.Fatalf("%d follow-up orders, want 1", len(kids))
			}
			if want := fmt.Sprintf("%s/checkout/order-pay/%d/", base, kids[0].ID); !strings.HasPrefix(at, want) {
				t.Errorf("the buyer is at %s, want %s…", at, want)
			}
		})
	}
}
