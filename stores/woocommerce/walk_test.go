package woocommerce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/woocommerce"
)

// The walks through Kairo in front of the real store.

func TestCartOfferFromARealSessionIsAddedAtTheOfferPrice(t *testing.T) {
	base := kairo(t)
	s := woo
	sh := newShopper(t, base)
	sh.addToCart(s.mug)

	token := sh.pageOffer("/cart/", cartOffer)
	ans := sh.accept(token, "/cart/")
	if !ans.OK || ans.Status != "accepted" {
		t.Fatalf("cart accept: %+v", ans)
	}
	cart := s.storeAPICart(t, sh)
	if got := cart.quantityOf(s.socks); got != 1 {
		t.Fatalf("the cart holds %d socks, want 1: %+v", got, cart.Items)
	}
	if len(cart.Coupons) != 1 || !strings.HasPrefix(cart.Coupons[0].Code, "offer-") {
		t.Fatalf("the cart's coupons are %+v, want the offer's own", cart.Coupons)
	}
	// The mug at 12.50 and the socks at the offer's 6.00.
	if cart.Totals.TotalPrice != strconv.Itoa(1250+cartUnitPrice) {
		t.Fatalf("cart total %s, want %d", cart.Totals.TotalPrice, 1250+cartUnitPrice)
	}
	if want := "$18.50"; ans.Total != want {
		t.Errorf("the accept says the total is %q, want %q", ans.Total, want)
	}
	// The socks are in the cart now: the cart page offers them no more.
	if _, body := sh.get("/cart/"); strings.Contains(body, `data-kairo-offer="`+cartOffer+`"`) {
		t.Errorf("the cart page still offers %s after it was added", cartOffer)
	}
}

func TestCashOnDeliveryOrderIsEditedInPlace(t *testing.T) {
	base := kairo(t)
	s := woo
	sh := newShopper(t, base)
	sh.addToCart(s.mug)
	id, page := sh.checkout(s.url)
	before := s.order(t, id)
	if before.PaymentMethod != "cod" || before.Total != "12.50" {
		t.Fatalf("placed order: %s %s", before.PaymentMethod, before.Total)
	}

	token, offerPage := sh.pageWithOffer(page, thankYouOffer)
	// Nothing is charged now: the buyer pays the new total on delivery.
	for _, want := range []string{"Add to my order · $15.00", "you pay the new total the way you chose for this order (Cash on delivery)"} {
		if !strings.Contains(offerPage, want) {
			t.Errorf("the cash-on-delivery offer page lacks %q", want)
		}
	}
	for _, never := range []string{"Pay now", "payment went through", "Charged now"} {
		if strings.Contains(offerPage, never) {
			t.Errorf("the cash-on-delivery offer page says %q", never)
		}
	}
	ans := sh.pageAccept(token, page)
	if !ans.OK || ans.Status != "accepted" || ans.Total != "$27.50" || ans.PaymentURL != "" {
		t.Fatalf("thank-you accept: %+v", ans)
	}
	if want := "Your new order total is $27.50, to pay the way you chose (Cash on delivery)."; !strings.Contains(ans.HTML, want) {
		t.Errorf("after the accept the page lacks %q:\n%s", want, ans.HTML)
	}
	after := s.order(t, id)
	if after.Total != "27.50" || after.linesOf(s.thermos) != 1 {
		t.Fatalf("order after the accept: total %s, %d thermos lines; want 27.50 and 1", after.Total, after.linesOf(s.thermos))
	}
	for _, l := range after.LineItems {
		if l.ProductID == s.thermos && (l.Total != "15.00" || l.Subtotal != "20.00") {
			t.Errorf("thermos line: subtotal %s total %s, want 20.00 and 15.00", l.Subtotal, l.Total)
		}
	}
	var notes []struct {
		Note string `json:"note"`
	}
	if err := s.admin(http.MethodGet, fmt.Sprintf("/orders/%d/notes", id), nil, &notes); err != nil {
		t.Fatal(err)
	}
	if !anyNoteNames(notes, thankYouOffer) {
		t.Errorf("no order note names the offer: %+v", notes)
	}
	if kids := s.children(t, id); len(kids) != 0 {
		t.Errorf("an edited order got %d follow-up orders", len(kids))
	}

	// The same token again: the first answer, no second line.
	if again := sh.pageAccept(token, page); again.Status != "accepted" {
		t.Errorf("repeat: %+v", again)
	}
	if n := s.order(t, id).linesOf(s.thermos); n != 1 {
		t.Errorf("after a repeat the order has %d thermos lines", n)
	}
}

func anyNoteNames(notes []struct {
	Note string `json:"note"`
}, offerID string) bool {
	for _, n := range notes {
		if strings.Contains(n.Note, offerID) {
			return true
		}
	}
	return false
}

func TestCardOrderGetsALinkedFollowUpOrderToPay(t *testing.T) {
	base := kairo(t)
	s := woo
	placed := s.cardOrder(t)
	page := fmt.Sprintf("/checkout/order-received/%d/?key=%s", placed.ID, placed.OrderKey)
	sh := newShopper(t, base)

	token, offerPage := sh.pageWithOffer(page, thankYouOffer)
	if !strings.Contains(offerPage, "Add to my order · $15.00") || !strings.Contains(offerPage, "Nothing is charged until you complete payment") || strings.Contains(offerPage, "Pay now") {
		t.Errorf("the card order's offer page promises one click")
	}
	ans := sh.pageAccept(token, page)
	if !ans.OK || ans.Status != "accepted" {
		t.Fatalf("thank-you accept: %+v", ans)
	}
	if got := s.order(t, placed.ID); got.Total != placed.Total || got.linesOf(s.thermos) != 0 {
		t.Fatalf("the card order itself changed: total %s, %d thermos lines", got.Total, got.linesOf(s.thermos))
	}
	kids := s.children(t, placed.ID)
	if len(kids) != 1 {
		t.Fatalf("%d follow-up orders, want 1", len(kids))
	}
	f := kids[0]
	if f.Status != "pending" || f.Total != "15.00" || f.linesOf(s.thermos) != 1 {
		t.Errorf("follow-up order: status %s total %s thermos lines %d", f.Status, f.Total, f.linesOf(s.thermos))
	}
	if f.Billing.Email != "grace@example.com" || f.Shipping.Address1 != "1 Main St" || f.PaymentMethod != "stripe" {
		t.Errorf("follow-up order is not for the same buyer: %+v %+v %s", f.Billing, f.Shipping, f.PaymentMethod)
	}
	if !strings.Contains(f.PaymentURL, fmt.Sprintf("/checkout/order-pay/%d/", f.ID)) || !strings.Contains(f.PaymentURL, "key="+f.OrderKey) {
		t.Errorf("follow-up pay link %q", f.PaymentURL)
	}

	// The buyer is sent on to pay: the store's pay link, as a path on
	// Kairo's site (the store's own address is the upstream's).
	if ans.PaymentURL != pagePath(f.PaymentURL) || ans.AmountDue != "$15.00" {
		t.Errorf("the accept's pay link %q (due %q), want %q ($15.00)", ans.PaymentURL, ans.AmountDue, pagePath(f.PaymentURL))
	}
	if !strings.Contains(ans.HTML, "Complete payment") || !strings.Contains(ans.HTML, `href="`+strings.ReplaceAll(ans.PaymentURL, "&", "&amp;")+`"`) {
		t.Errorf("the page after the accept has no \"Complete payment\" link to %s:\n%s", ans.PaymentURL, ans.HTML)
	}
	resp, payPage := sh.get(ans.PaymentURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(payPage, `id="order_review"`) || !strings.Contains(payPage, "Steel Thermos") {
		t.Errorf("the pay link through Kairo: %d, order-pay form and thermos shown: %v %v", resp.StatusCode,
			strings.Contains(payPage, `id="order_review"`), strings.Contains(payPage, "Steel Thermos"))
	}
	// A repeat gets the same link from Kairo's record; the offers are over.
	if again := sh.pageAccept(token, page); again.PaymentURL != ans.PaymentURL {
		t.Errorf("a repeat's pay link %q, want %q", again.PaymentURL, ans.PaymentURL)
	}
	if kids := s.children(t, placed.ID); len(kids) != 1 {
		t.Errorf("after a repeat: %d follow-up orders", len(kids))
	}
	if _, body := sh.get(page); strings.Contains(body, "data-kairo-page") {
		t.Errorf("after a follow-up order to pay the order-received page still shows offers")
	}
}

func TestLoggedInShoppersCartIsSeenAndAddedTo(t *testing.T) {
	base := kairo(t)
	s := woo
	var customer struct {
		ID int64 `json:"id"`
	}
	const user, password = "bob", "bob-passw0rd-long"
	if err := s.admin(http.MethodPost, "/customers", map[string]any{
		"email": "bob@example.com", "username": user, "password": password,
	}, &customer); err != nil {
		t.Fatal(err)
	}
	sh := newShopper(t, base)
	sh.logIn(user, password)
	sh.addToCart(s.mug)

	// The connector sees the cart with the shopper's cookies (WordPress's
	// login cookie among them), as the customer's.
	c := s.connector(t, true)
	cc, err := c.CartContext(context.Background(), stores.Shopper{Cookie: shopperCookie(t, sh, s.url), ClientAddr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cc.Items) != 1 || cc.Items[0].ProductID != strconv.FormatInt(s.mug, 10) || cc.Subtotal != 1250 || cc.ID != strconv.FormatInt(customer.ID, 10) {
		t.Fatalf("a logged-in customer's cart context %+v items %+v, want the mug in customer %d's cart", cc, cc.Items, customer.ID)
	}

	// Through Kairo: the cart page offers the socks, and the accept adds
	// them to the customer's own cart at the offer price.
	token := sh.pageOffer("/cart/", cartOffer)
	ans := sh.accept(token, "/cart/")
	if !ans.OK || ans.Status != "accepted" || ans.Total != "$18.50" {
		t.Fatalf("a logged-in customer's cart accept: %+v", ans)
	}
	cart := s.storeAPICart(t, sh)
	if cart.quantityOf(s.socks) != 1 || cart.quantityOf(s.mug) != 1 || len(cart.Coupons) != 1 || cart.Totals.TotalPrice != strconv.Itoa(1250+cartUnitPrice) {
		t.Fatalf("the customer's cart after the accept: %+v coupons %+v total %s", cart.Items, cart.Coupons, cart.Totals.TotalPrice)
	}
	// The same customer in another browser sees the same cart: it is the
	// account's, not one session's.
	other := newShopper(t, base)
	other.logIn(user, password)
	if got := s.storeAPICart(t, other); got.quantityOf(s.socks) != 1 {
		t.Errorf("the customer's other browser sees %+v", got.Items)
	}
}

func TestFiftyConcurrentRepeatsOfOneAcceptMakeOneChange(t *testing.T) {
	base := kairo(t)
	s := woo
	sh, placed := s.codOrder(t, base)
	page := fmt.Sprintf("/checkout/order-received/%d/?key=%s", placed.ID, placed.OrderKey)
	token := sh.pageOffer(page, thankYouOffer)

	const n = 50
	statuses := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = sh.pageAccept(token, page).Status
		}()
	}
	wg.Wait()
	accepted := 0
	for _, st := range statuses {
		switch st {
		case "accepted":
			accepted++
		case "in_progress":
		default:
			t.Errorf("a repeat was answered %q", st)
		}
	}
	if accepted == 0 {
		t.Errorf("no repeat was told the offer was accepted: %v", statuses)
	}
	if got := s.order(t, placed.ID); got.linesOf(s.thermos) != 1 || got.Total != "27.50" {
		t.Fatalf("after %d concurrent repeats: %d thermos lines, total %s; want 1 and 27.50", n, got.linesOf(s.thermos), got.Total)
	}
}

// orderKind is a way of placing an order, and how the connector then
// takes an offer for it.
type orderKind struct {
	name  string
	order func(t *testing.T) wcOrder
	mode  stores.Mode
}

// orderKinds are the two: paid on delivery (the order is edited) and by
// card (a follow-up order to pay).
func (s *realStore) orderKinds() []orderKind {
	return []orderKind{
		{"cash on delivery", func(t *testing.T) wcOrder { _, o := s.codOrder(t, s.url); return o }, stores.ModeEdited},
		{"card", s.cardOrder, stores.ModeFollowUp},
	}
}

func TestTheConnectorAppliesAKeyOnceEvenWhenCalledConcurrently(t *testing.T) {
	s := needStore(t)
	// Kairo's own record lets one call of a key through (the test above);
	// these calls reach the store module together, and queue on its
	// per-order lock, each reading the order again.
	const n = 8
	for _, tt := range s.orderKinds() {
		t.Run(tt.name, func(t *testing.T) {
			placed := tt.order(t)
			req := stores.AcceptRequest{
				Key: "key-" + strconv.FormatInt(placed.ID, 10), OrderID: strconv.FormatInt(placed.ID, 10),
				OfferID: thankYouOffer, Currency: "USD",
				Items: []stores.Line{{ProductID: strconv.FormatInt(s.thermos, 10), Quantity: 1, UnitPrice: 1500, Discount: 500}},
			}
			c := s.connector(t, false)
			answers := make([]stores.Answer, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i], errs[i] = c.OrderAccept(context.Background(), req)
				}()
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil || answers[i] != answers[0] {
					t.Fatalf("call %d: %+v %v; call 0: %+v", i, answers[i], errs[i], answers[0])
				}
			}
			if answers[0].Status != http.StatusOK || answers[0].Mode != tt.mode {
				t.Fatalf("answer %+v, want 200 %s", answers[0], tt.mode)
			}
			// A connector that shares no lock with the first (another
			// instance, or after a restart) finds the record in the order.
			again, err := s.connector(t, true).OrderAccept(context.Background(), req)
			if err != nil || again != answers[0] {
				t.Fatalf("a fresh connector's repeat: %+v %v, want %+v", again, err, answers[0])
			}
			got, kids := s.order(t, placed.ID), s.children(t, placed.ID)
			switch tt.mode {
			case stores.ModeEdited:
				if got.linesOf(s.thermos) != 1 || len(kids) != 0 || answers[0].Total != 2750 {
					t.Fatalf("%d thermos lines, %d follow-ups, total %d", got.linesOf(s.thermos), len(kids), answers[0].Total)
				}
				// What the accept added, read from its own marked line:
				// the order's first line (12.50) is not the accept's, and
				// every repeat (the fresh connector's above) says the same.
				if answers[0].Charged != (offers.Money{Amount: 1500, Currency: "USD"}) {
					t.Fatalf("edited order's charge %+v, want 15.00 USD", answers[0].Charged)
				}
			case stores.ModeFollowUp:
				if got.linesOf(s.thermos) != 0 || len(kids) != 1 {
					t.Fatalf("%d thermos lines on the order, %d follow-ups", got.linesOf(s.thermos), len(kids))
				}
				a := answers[0]
				if a.FollowUpOrderID != strconv.FormatInt(kids[0].ID, 10) || a.FollowUpURL != kids[0].PaymentURL || !a.PaymentDue() || a.Total != 1500 || a.Charged != (offers.Money{Amount: 1500, Currency: "USD"}) {
					t.Fatalf("answer %+v for follow-up %d (%s)", a, kids[0].ID, kids[0].PaymentURL)
				}
			}
		})
	}
}

// An offer's shipping is a shipping line of its own, on the edited order
// and on the follow-up order, and counts in the order's total.
func TestAnOffersShippingIsAShippingLine(t *testing.T) {
	s := needStore(t)
	for _, tt := range s.orderKinds() {
		t.Run(tt.name, func(t *testing.T) {
			placed := tt.order(t)
			req := stores.AcceptRequest{
				Key: "shipped-" + strconv.FormatInt(placed.ID, 10), OrderID: strconv.FormatInt(placed.ID, 10),
				OfferID: thankYouOffer, Currency: "USD", Shipping: 499,
				Items: []stores.Line{{ProductID: strconv.FormatInt(s.thermos, 10), Quantity: 1, UnitPrice: 1500, Discount: 500}},
			}
			ans, err := s.connector(t, false).OrderAccept(context.Background(), req)
			if err != nil || ans.Status != http.StatusOK || ans.Mode != tt.mode {
				t.Fatalf("answer %+v %v, want 200 %s", ans, err, tt.mode)
			}
			holder := s.order(t, placed.ID)
			if tt.mode == stores.ModeFollowUp {
				kids := s.children(t, placed.ID)
				if len(kids) != 1 {
					t.Fatalf("%d follow-up orders, want 1", len(kids))
				}
				holder = kids[0]
				if ans.Total != 1999 || ans.Charged != (offers.Money{Amount: 1999, Currency: "USD"}) {
					t.Errorf("follow-up answer %+v, want total and charge 19.99 (the item and its shipping)", ans)
				}
			} else {
				if want := mustCents(t, placed.Total) + 1999; ans.Total != want {
					t.Errorf("edited order's total %d, want %d (the order, the item and its shipping)", ans.Total, want)
				}
				if ans.Charged != (offers.Money{Amount: 1999, Currency: "USD"}) {
					t.Errorf("edited order's charge %+v, want 19.99 USD (the item and its shipping)", ans.Charged)
				}
			}
			var shipped int
			for _, l := range holder.ShippingLines {
				if l.MethodID == "kairo_offer" && l.Total == "4.99" {
					shipped++
				}
			}
			if shipped != 1 {
				t.Errorf("shipping lines %+v, want one of 4.99 for the offer", holder.ShippingLines)
			}
		})
	}
}

// mustCents reads a REST v3 amount of USD ("12.50") in cents.
func mustCents(t *testing.T, amount string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(amount, ".")
	n, err := strconv.ParseInt(whole+(frac + "00")[:2], 10, 64)
	if err != nil {
		t.Fatalf("amount %q: %v", amount, err)
	}
	return n
}

func TestAWrongKeyShowsNoOffer(t *testing.T) {
	base := kairo(t)
	s := woo
	sh, placed := s.codOrder(t, base)
	for _, query := range []string{"?key=wc_order_guessed", "", "?key=" + placed.OrderKey + "x"} {
		path := fmt.Sprintf("/checkout/order-received/%d/%s", placed.ID, query)
		resp, body := sh.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if ids, tokens := offersOn(body); len(ids)+len(tokens) != 0 {
			t.Errorf("GET %s shows offers %v", path, ids)
		}
	}
	// With the right key the same order does show the offer.
	sh.pageOffer(fmt.Sprintf("/checkout/order-received/%d/?key=%s", placed.ID, url.QueryEscape(placed.OrderKey)), thankYouOffer)

	// The connector alone says why.
	c := s.connector(t, true)
	_, err := c.OrderContextFor(context.Background(), strconv.FormatInt(placed.ID, 10), &url.URL{RawQuery: "key=wc_order_guessed"})
	if stores.FailureReason(err) != stores.FailStatus {
		t.Errorf("a wrong key: %v, want a status failure", err)
	}
	if _, err := c.OrderContext(context.Background(), strconv.FormatInt(placed.ID, 10), stores.Shopper{}); err == nil {
		t.Errorf("OrderContext without the page showed the order")
	}
}

func TestContextsFromTheRealStore(t *testing.T) {
	s := needStore(t)
	sh, placed := s.codOrder(t, s.url)
	c := s.connector(t, true) // REST key, OAuth 1.0a over http
	sc, err := c.OrderContextFor(context.Background(), strconv.FormatInt(placed.ID, 10),
		&url.URL{Path: "/checkout/order-received/1/", RawQuery: "key=" + placed.OrderKey})
	if err != nil {
		t.Fatal(err)
	}
	want := offers.Item{ProductID: strconv.FormatInt(s.mug, 10), Quantity: 1, UnitPrice: 1250}
	if sc.Currency != "USD" || sc.Subtotal != 1250 || len(sc.Items) != 1 || sc.Items[0].ProductID != want.ProductID ||
		sc.Items[0].UnitPrice != want.UnitPrice || sc.Status != "processing" || sc.Customer != nil {
		t.Errorf("order context %+v items %+v", sc, sc.Items)
	}

	// The shopper's cart, with their cookies (the order emptied it).
	sh.addToCart(s.thermos)
	cookie := shopperCookie(t, sh, s.url)
	cc, err := c.CartContext(context.Background(), stores.Shopper{Cookie: cookie, ClientAddr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cc.Items) != 1 || cc.Items[0].ProductID != strconv.FormatInt(s.thermos, 10) || cc.Subtotal != 2000 || !strings.HasPrefix(cc.ID, "t_") {
		t.Errorf("cart context %+v items %+v", cc, cc.Items)
	}

	// A wrong secret is refused by the store.
	bad := &woocommerce.Connector{ConsumerKey: s.ck, ConsumerSecret: s.cs + "x"}
	bad.URL = s.url
	if err := bad.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bad.OrderContextFor(context.Background(), strconv.FormatInt(placed.ID, 10), &url.URL{RawQuery: "key=" + placed.OrderKey}); stores.FailureReason(err) != stores.FailStatus {
		t.Errorf("a wrong secret: %v, want the store's refusal", err)
	}

	// A made-up order, as Kairo's store check at start asks for: the
	// store's verdict on the credential, 404 with the right one and 401
	// with a wrong one.
	var f *stores.Failure
	if _, err := c.OrderContext(context.Background(), "kairo-start-check", stores.Shopper{}); !errors.As(err, &f) || f.Status != http.StatusNotFound {
		t.Errorf("a made-up order with the right key: %v, want 404", err)
	}
	if _, err := bad.OrderContext(context.Background(), "kairo-start-check", stores.Shopper{}); !errors.As(err, &f) || f.Status != http.StatusUnauthorized {
		t.Errorf("a made-up order with a wrong secret: %v, want 401", err)
	}
}

// shopperCookie is the Cookie header the shopper's browser sends the store.
func shopperCookie(t *testing.T, sh *shopper, storeURL string) string {
	t.Helper()
	u, _ := url.Parse(storeURL)
	var parts []string
	for _, c := range sh.c.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		t.Fatal("the shopper has no cookies")
	}
	return strings.Join(parts, "; ")
}
