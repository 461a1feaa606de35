package caddymodule_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The offer page for orders that are not charged with one click, walked in
// chromium over a store that speaks the contract: an order paid on
// delivery (the item joins the order, paid with it), and a card order the
// store makes a second order of, to be paid on its own payment page.

// payingStore speaks the contract for such orders. Its order ids say how
// they are paid: "cod-…" cash on delivery, "card-…" a card it cannot charge
// again. It answers a card order's accept with a follow-up order whose pay
// link is on the store's own address, and serves that pay page.
type payingStore struct {
	srv *httptest.Server

	mu      sync.Mutex
	accepts map[string]int // accept calls per order
}

func newPayingStore(t *testing.T) *payingStore {
	s := &payingStore{accepts: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *payingStore) serve(w http.ResponseWriter, r *http.Request) {
	page := func(body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Store</title><link rel=\"icon\" href=\"/images/coffee-beans.svg\"></head><body>"+body+"</body></html>")
	}
	switch path := r.URL.Path; {
	case strings.HasPrefix(path, "/checkout/success/"):
		page(`<h1 id="store-thanks">Thank you</h1>`)
	case strings.HasPrefix(path, "/pay/"):
		page(fmt.Sprintf(`<h1 id="store-pay">Pay for order %s</h1>`, strings.TrimPrefix(path, "/pay/")))
	case strings.HasPrefix(path, "/api/orders/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/api/orders/")
		payment := `{"method":"card","title":"Credit card","collect":"pay_link"}`
		if strings.HasPrefix(id, "cod-") {
			payment = `{"method":"cod","title":"Cash on delivery","collect":"offline"}`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"currency":"USD","subtotal":2499,"status":"processing","items":[{"product_id":"coffee-beans","quantity":1,"unit_price":2499,"tags":["coffee"]}],"payment":%s}`, id, payment)
	case strings.HasSuffix(path, "/upsells") && r.Method == http.MethodPost:
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/api/orders/"), "/upsells")
		s.mu.Lock()
		s.accepts[id]++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(id, "cod-") {
			fmt.Fprintf(w, `{"order_id":%q,"total":4898}`, id)
			return
		}
		fmt.Fprintf(w, `{"order_id":%q,"total":2399,"mode":"follow_up","follow_up_order_id":"%s-2","follow_up_url":"%s/pay/%s-2"}`, id, id, s.srv.URL, id)
	default:
		http.NotFound(w, r)
	}
}

// acceptsOf is how many accepts the store was sent for an order.
func (s *payingStore) acceptsOf(order string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepts[order]
}

// startPayingShop runs Kairo's offer page in front of a payingStore.
func startPayingShop(t *testing.T) *payingStore {
	t.Helper()
	s := newPayingStore(t)
	host := strings.TrimPrefix(s.srv.URL, "http://")
	// The page's icon comes from the demo store, behind the other routes.
	start(t, setup{apiURL: s.srv.URL, postPurchase: "page {\n\t\t\ticon /images/coffee-beans.svg\n\t\t}", storeRoutes: fmt.Sprintf(
		"reverse_proxy /checkout/success/* %[1]s\n\treverse_proxy /pay/* %[1]s", host)})
	return s
}

func TestBrowserOfferPageCashOnDeliveryWording(t *testing.T) {
	b := newTab(t, scriptsOn)
	s := startPayingShop(t)
	order := fmt.Sprintf("cod-%d", time.Now().UnixNano())
	b.open("/checkout/success/" + order)
	b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
	if got := b.text("button.kairo-pay"); got != "Add to my order · $23.99" {
		t.Errorf("the button says %q, want \"Add to my order · $23.99\"", got)
	}
	if got := b.text(".kairo-charge-note"); !strings.Contains(got, "Nothing is charged now") || !strings.Contains(got, "(Cash on delivery)") {
		t.Errorf("the note says %q", got)
	}
	for _, sel := range []string{"[data-kairo-banner]", "[data-kairo-step]"} {
		if got := b.text(sel); strings.Contains(got, "Pay now") || strings.Contains(got, "payment went through") || strings.Contains(got, "Charged now") {
			t.Errorf("a cash-on-delivery order's page says %q", got)
		}
	}
	b.do("accept: the next step says the new total and how it is paid",
		chromedp.Click(chromedp.CSS("button.kairo-pay")),
		chromedp.WaitVisible(chromedp.CSS(stepSel("tote-bundle"))),
	)
	if got, want := b.text("[data-kairo-notice]"), "Added to your order. Your new order total is $48.98, to pay the way you chose (Cash on delivery)."; got != want {
		t.Errorf("after the accept the page says %q, want %q", got, want)
	}
	if n := b.count("a.kairo-complete-payment"); n != 0 {
		t.Errorf("a cash-on-delivery order got %d payment links", n)
	}
	if n := s.acceptsOf(order); n != 1 {
		t.Errorf("the store was sent %d accepts, want 1", n)
	}
}

func TestBrowserOfferPageCompletePaymentLink(t *testing.T) {
	for name, js := range map[string]scripts{"with JavaScript": scriptsOn, "without JavaScript": scriptsOff} {
		t.Run(name, func(t *testing.T) {
			b := newTab(t, js)
			s := startPayingShop(t)
			order := fmt.Sprintf("card-%d", time.Now().UnixNano())
			b.open("/checkout/success/" + order)
			b.do("the offer page shows the thermos", chromedp.WaitVisible(chromedp.CSS(stepSel("thermos-20"))))
			if got := b.text("button.kairo-pay"); got != "Add to my order · $23.99" {
				t.Errorf("the button says %q: a second order to pay is not one click", got)
			}
			if got := b.text(".kairo-charge-note"); !strings.Contains(got, "complete payment on the store's payment page") {
				t.Errorf("the note says %q", got)
			}
			payPage := "/pay/" + order + "-2"
			if js == scriptsOn {
				b.do("accept: the offers end with the way to pay",
					chromedp.Click(chromedp.CSS("button.kairo-pay")),
					chromedp.WaitVisible(chromedp.CSS("[data-kairo-done] a.kairo-complete-payment")),
				)
				if got := b.text("a.kairo-complete-payment"); got != "Complete payment" {
					t.Errorf("the link says %q", got)
				}
				// The store's link is on its own address; the buyer is sent
				// to the same path on the site they are on.
				if got := b.attr("a.kairo-complete-payment", "href"); got != payPage {
					t.Errorf("the link leads to %q, want %q", got, payPage)
				}
				if got := b.text("[data-kairo-notice]"); !strings.Contains(got, "It is not paid yet. Its total is $23.99.") {
					t.Errorf("the notice says %q", got)
				}
				u, status := b.load("follow Complete payment", chromedp.Click(chromedp.CSS("a.kairo-complete-payment")))
				if u.Path != payPage || status != http.StatusOK {
					t.Fatalf("Complete payment led to %s (%d), want %s", u, status, payPage)
				}
			} else {
				u, status := b.load("accept with the plain form", chromedp.Click(chromedp.CSS("button.kairo-pay")))
				if u.Path != payPage || status != http.StatusOK || b.redirectFrom("/_upsell/page/accept") != http.StatusSeeOther {
					t.Fatalf("the accept led to %s (%d), want %s by a 303", u, status, payPage)
				}
			}
			b.do("the store's pay page", chromedp.WaitVisible(chromedp.CSS("#store-pay")))
			if n := s.acceptsOf(order); n != 1 {
				t.Errorf("the store was sent %d accepts, want 1", n)
			}
			// Back at the order's address: the store's own page, no more offers.
			b.open("/checkout/success/" + order)
			b.do("the store's thank-you page", chromedp.WaitVisible(chromedp.CSS("#store-thanks")))
		})
	}
}
