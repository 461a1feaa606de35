package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The offer page over plain HTTP: when Kairo answers with it, and when it
// steps aside for the store's own page.

// isOfferPage tells Kairo's offer page from the store's thank-you page.
func isOfferPage(t *testing.T, body string) bool {
	t.Helper()
	offer, store := strings.Contains(body, "data-kairo-page"), strings.Contains(body, `id="order-summary"`)
	if offer == store {
		t.Fatalf("the page is neither clearly the offer page nor the store's (offer %v, store %v):\n%.400s", offer, store, body)
	}
	return offer
}

// createOrder makes a paid order of coffee beans in the store, placed at
// placedAt (zero: now), and returns its id.
func createOrder(t *testing.T, placedAt time.Time) string {
	t.Helper()
	body := map[string]any{"items": []map[string]any{{"product_id": "coffee-beans"}}}
	if !placedAt.IsZero() {
		body["placed_at"] = placedAt.Format(time.RFC3339)
	}
	status, order := storeAPI(t, http.MethodPost, "/_demo/orders", body)
	id, _ := order["id"].(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("creating an order: %d %v", status, order)
	}
	return id
}

var remainingMS = regexp.MustCompile(`data-kairo-remaining-ms="(\d+)"`)

// timeLeft reads the time an offer page says its window has left.
func timeLeft(t *testing.T, page string) time.Duration {
	t.Helper()
	m := remainingMS.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the offer page has no data-kairo-remaining-ms")
	}
	ms, _ := strconv.Atoi(m[1])
	return time.Duration(ms) * time.Millisecond
}

func TestOfferPageWindow(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	s := newShopper(t)

	// placed_at fixes the window: 15 minutes from the order, not from the
	// first view.
	recent := createOrder(t, time.Now().Add(-5*time.Minute))
	_, page := s.get(kairoURL + "/checkout/success/" + recent)
	if !isOfferPage(t, page) {
		t.Fatalf("an order placed 5 minutes ago gets the store's page, want the offer page")
	}
	if left := timeLeft(t, page); left < 9*time.Minute || left > 10*time.Minute {
		t.Errorf("an order placed 5 minutes ago has %s left, want about 10 minutes", left)
	}

	// A store clock that runs fast does not stretch the window.
	ahead := createOrder(t, time.Now().Add(time.Hour))
	if _, page := s.get(kairoURL + "/checkout/success/" + ahead); !isOfferPage(t, page) || timeLeft(t, page) > 15*time.Minute {
		t.Errorf("an order placed_at an hour ahead gets more than the 15-minute window")
	}

	old := createOrder(t, time.Now().Add(-20*time.Minute))
	if _, page := s.get(kairoURL + "/checkout/success/" + old); isOfferPage(t, page) {
		t.Errorf("an order placed 20 minutes ago gets the offer page, want the store's")
	}

	// An order the store closed (status fulfilled) gets no offer.
	closed := createOrder(t, time.Time{})
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/orders/"+closed+"/expire", nil); status != http.StatusOK {
		t.Fatalf("closing the order: %d", status)
	}
	if _, page := s.get(kairoURL + "/checkout/success/" + closed); isOfferPage(t, page) {
		t.Errorf("a fulfilled order gets the offer page, want the store's")
	}
}

func TestOfferPageWindowRunsOutAndStaysShut(t *testing.T) {
	start(t, setup{postPurchase: "page {\n\t\t\twindow 2s\n\t\t}"})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	order := s.checkout()
	page := kairoURL + "/checkout/success/" + order
	// The demo store sends placed_at: the window starts with the order.
	_, body := s.get(page)
	if !isOfferPage(t, body) {
		t.Fatalf("the first visit gets the store's page, want the offer page")
	}
	first := timeLeft(t, body)
	time.Sleep(500 * time.Millisecond)
	_, body = s.get(page)
	if !isOfferPage(t, body) || timeLeft(t, body) >= first {
		t.Fatalf("a reload within the window restarted it or lost the page (%s left, had %s)", timeLeft(t, body), first)
	}
	time.Sleep(first)
	for i := range 2 {
		if _, body := s.get(page); isOfferPage(t, body) {
			t.Errorf("visit %d after the window gets the offer page, want the store's", i+1)
		}
	}
}

func TestOfferPageStepsAsideForBotsHeadAndPrefetch(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	s := newShopper(t)
	order := createOrder(t, time.Time{})
	page := kairoURL + "/checkout/success/" + order

	for name, prepare := range map[string]func(*http.Request){
		"a crawler":  func(r *http.Request) { r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)") },
		"a prefetch": func(r *http.Request) { r.Header.Set("Sec-Purpose", "prefetch") },
		"no agent":   func(r *http.Request) { r.Header.Set("User-Agent", "") },
	} {
		req, _ := http.NewRequest(http.MethodGet, page, nil)
		prepare(req)
		if _, body := s.do(req); isOfferPage(t, body) {
			t.Errorf("%s gets the offer page, want the store's", name)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, page, nil)
	if resp, _ := s.do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD answered %d, want the store's 200", resp.StatusCode)
	}
	// None of them used up the buyer's first visit.
	if _, body := s.get(page); !isOfferPage(t, body) {
		t.Errorf("after a crawler, a prefetch and a HEAD the buyer gets the store's page, want the offer page")
	}
}

// pageAction posts an offer page form as its script does.
func (s *shopper) pageAction(action, token, returnTo string, quantity int) (int, map[string]any) {
	s.t.Helper()
	body := map[string]string{"token": token, "return_to": returnTo}
	if quantity > 0 {
		body["quantity"] = strconv.Itoa(quantity)
	}
	return s.postPageAction(action, body)
}

// pageActionWith posts an accept with the given fields.
func (s *shopper) pageActionWith(body map[string]string) (int, map[string]any) {
	s.t.Helper()
	return s.postPageAction("accept", body)
}

func (s *shopper) postPageAction(action string, body map[string]string) (int, map[string]any) {
	s.t.Helper()
	payload, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, kairoURL+"/_upsell/page/"+action, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", kairoURL)
	resp, text := s.do(req)
	var ans map[string]any
	if err := json.Unmarshal([]byte(text), &ans); err != nil {
		s.t.Fatalf("%s answer is not JSON: %d %q", action, resp.StatusCode, text)
	}
	return resp.StatusCode, ans
}

// twoTabsOnTheThermosStep makes a paid order and shows its offer page in
// two tabs (browsers of their own), each with tokens of its own for the
// thermos step. It returns the order, its page's path, the tabs and their
// tokens.
func twoTabsOnTheThermosStep(t *testing.T) (order, path string, a, b *shopper, tokA, tokB []string) {
	t.Helper()
	order = createOrder(t, time.Time{})
	path = "/checkout/success/" + order
	a, b = newShopper(t), newShopper(t)
	_, pageA := a.get(kairoURL + path)
	_, pageB := b.get(kairoURL + path)
	tokA, tokB = tokens(pageA), tokens(pageB)
	for _, page := range []string{pageA, pageB} {
		if !strings.Contains(page, `data-kairo-step="thermos-20"`) {
			t.Fatalf("the two tabs do not both show the thermos step")
		}
	}
	return order, path, a, b, tokA, tokB
}

func TestOfferPageAcceptsOncePerOrderAndOffer(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	order, path, a, b, tokA, tokB := twoTabsOnTheThermosStep(t)
	callsBefore := storeStat(t, "accept_calls")

	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, s := tokA[0], a
			if i%2 == 1 {
				tok, s = tokB[0], b
			}
			statuses[i], _ = s.pageAction("accept", tok, path, 0)
		}()
	}
	wg.Wait()
	if got := storeStat(t, "accept_calls") - callsBefore; got != 1 {
		t.Errorf("four accepts of one step from two tabs made %d store calls, want 1 (statuses %v)", got, statuses)
	}
	if n := hasProduct(orderItems(t, order), "thermos"); n != 1 {
		t.Errorf("the order has %d thermos lines, want 1", n)
	}

	// Quantities outside the offer's range are refused; nothing reaches the store.
	_, next := a.get(kairoURL + path)
	if !strings.Contains(next, `data-kairo-step="tote-bundle"`) {
		t.Fatalf("after the accept the page does not show the next step")
	}
	calls := storeStat(t, "accept_calls")
	if status, ans := a.pageAction("accept", tokens(next)[0], path, 2); status != http.StatusBadRequest || ans["status"] != "invalid" {
		t.Errorf("a quantity of 2 for an offer of 1 answered %d %v, want 400 invalid", status, ans)
	}
	if storeStat(t, "accept_calls") != calls {
		t.Errorf("a refused quantity reached the store")
	}
	// A step the page no longer shows cannot be accepted: the thermos
	// token's step is answered, a forged step is not the page's.
	if status, ans := a.pageAction("decline", tokens(next)[0], path, 0); status != http.StatusOK || ans["status"] != "declined" {
		t.Errorf("declining the tote answered %d %v", status, ans)
	}
	if status, ans := a.pageAction("accept", tokens(next)[0], path, 0); status != http.StatusConflict {
		t.Errorf("accepting the declined tote answered %d %v, want 409", status, ans)
	}
	// The socks come next; only a size the catalog offers is accepted.
	_, socks := a.get(kairoURL + path)
	if !strings.Contains(socks, `data-kairo-step="socks-half"`) {
		t.Fatalf("after declining the tote the page does not show the socks")
	}
	calls = storeStat(t, "accept_calls")
	if status, ans := a.pageActionWith(map[string]string{"token": tokens(socks)[0], "return_to": path, "variant": "socks-xl"}); status != http.StatusBadRequest || ans["status"] != "invalid" {
		t.Errorf("a size the offer does not list answered %d %v, want 400 invalid", status, ans)
	}
	if storeStat(t, "accept_calls") != calls {
		t.Errorf("a refused size reached the store")
	}
}

func TestOfferPageFrequencyCap(t *testing.T) {
	start(t, setup{postPurchase: "page", catalog: "testdata/capped-offers.json"})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	first := s.checkout()
	_, body := s.get(kairoURL + "/checkout/success/" + first)
	if !isOfferPage(t, body) {
		t.Fatalf("the customer's first order gets the store's page, want the capped offer")
	}
	// A reload of the same order still shows it: the cap counts orders.
	if _, body := s.get(kairoURL + "/checkout/success/" + first); !isOfferPage(t, body) {
		t.Errorf("a reload of the first order lost the offer")
	}
	s.addToCart("coffee-beans")
	second := s.checkout()
	if _, body := s.get(kairoURL + "/checkout/success/" + second); isOfferPage(t, body) {
		t.Errorf("the same customer's second order gets the capped offer again")
	}
	other := newShopper(t)
	other.addToCart("coffee-beans")
	theirs := other.checkout()
	if _, body := other.get(kairoURL + "/checkout/success/" + theirs); !isOfferPage(t, body) {
		t.Errorf("another customer's order does not get the offer")
	}
}

var expiresAttr = regexp.MustCompile(`data-kairo-expires="(\d+)"`)

func TestInlineBoxHasTheSameHonestWindow(t *testing.T) {
	start(t, setup{})
	s := newShopper(t)
	order := createOrder(t, time.Now().Add(-5*time.Minute))
	page := kairoURL + "/checkout/success/" + order
	_, first := s.get(page)
	m := expiresAttr.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("the inline box shows no countdown on an order placed 5 minutes ago")
	}
	want := time.Now().Add(10 * time.Minute).Unix()
	if got, _ := strconv.ParseInt(m[1], 10, 64); got < want-60 || got > want+5 {
		t.Errorf("the offer ends at %d, want about %d: 15 minutes from placed_at", got, want)
	}
	time.Sleep(1100 * time.Millisecond)
	_, again := s.get(page)
	if m2 := expiresAttr.FindStringSubmatch(again); m2 == nil || m2[1] != m[1] {
		t.Errorf("a reload moved the end of the offer from %s to %v", m[1], m2)
	}

	for name, id := range map[string]string{
		"placed 20 minutes ago": createOrder(t, time.Now().Add(-20*time.Minute)),
		"fulfilled":             createOrder(t, time.Time{}),
	} {
		if name == "fulfilled" {
			storeAPI(t, http.MethodPost, "/_demo/orders/"+id+"/expire", nil)
		}
		if _, body := s.get(kairoURL + "/checkout/success/" + id); strings.Contains(body, "data-kairo-widget") {
			t.Errorf("an order %s gets the inline box, want none", name)
		}
	}
}

func TestOfferPageFailedPaymentIsToldHonestly(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	storeFaults(t, map[string]any{"accept_status": 402})
	s := newShopper(t)
	order := createOrder(t, time.Time{})
	path := "/checkout/success/" + order
	_, page := s.get(kairoURL + path)
	tok := tokens(page)[0]

	status, ans := s.pageAction("accept", tok, path, 0)
	if status != http.StatusPaymentRequired || ans["status"] != "payment_failed" || ans["done"] == true || ans["html"] != nil {
		t.Errorf("a declined payment answered %d %v, want 402 payment_failed and the same step", status, ans)
	}
	// Without JavaScript: back to the page, which says so over the same offer.
	resp, _ := s.postForm(kairoURL+"/_upsell/page/accept", url.Values{"token": {tok}, "return_to": {path}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != path+"?kairo=payment_failed" {
		t.Fatalf("the form post answered %d to %q", resp.StatusCode, loc)
	}
	_, page = s.get(kairoURL + loc)
	if !strings.Contains(page, `data-kairo-step="thermos-20"`) || !strings.Contains(page, "you were not charged") {
		t.Errorf("after a declined payment the page does not show the offer with the reason")
	}
	if n := hasProduct(orderItems(t, order), "thermos"); n != 0 {
		t.Errorf("a declined payment added %d thermos lines", n)
	}
	// The buyer can still move on.
	if status, ans := s.pageAction("decline", tok, path, 0); status != http.StatusOK || ans["status"] != "declined" {
		t.Errorf("declining after a failed payment answered %d %v", status, ans)
	}
}

// A store shows an order's thank-you page only to its buyer (its session,
// or a key in the address). Kairo's offer page, and the buyer's cookie that
// lets a browser accept, go only where the store's page would: someone who
// guesses an order's address gets the store's refusal, never the offer.
func TestOfferPageOnlyForABrowserTheStoreShowsTheOrderTo(t *testing.T) {
	start(t, setup{postPurchase: "page", storeRoutes: `@stranger {
		path /checkout/success/*
		not header Cookie *buyer-session=1*
	}
	route @stranger {
		redir * /login 302
	}`})
	order := createOrder(t, time.Time{})
	page := kairoURL + "/checkout/success/" + order

	stranger := newShopper(t)
	resp, body := stranger.get(page)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login" {
		t.Fatalf("a stranger got %d (Location %q), want the store's 302 to /login:\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "kairo_buyer_") {
			t.Errorf("a stranger was given the buyer's cookie %s", c.Name)
		}
	}

	buyer := newShopper(t)
	u, _ := url.Parse(kairoURL)
	buyer.c.Jar.SetCookies(u, []*http.Cookie{{Name: "buyer-session", Value: "1"}})
	resp, body = buyer.get(page)
	if resp.StatusCode != http.StatusOK || !isOfferPage(t, body) {
		t.Fatalf("the buyer got %d and not the offer page", resp.StatusCode)
	}
	gotCookie := false
	for _, c := range resp.Cookies() {
		gotCookie = gotCookie || strings.HasPrefix(c.Name, "kairo_buyer_")
	}
	if !gotCookie {
		t.Errorf("the buyer's browser was not given the buyer's cookie")
	}
	if resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("the offer page kept the store page's fields: ETag %q, Cache-Control %q", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
}

// An offer page's token is accepted on the page's own endpoint only, which
// holds the buyer to the step on the page: posted to the inline box's
// endpoint it is refused before the store, so a declined offer cannot be
// added beside its downsell.
func TestOfferPageTokenIsRefusedByTheInlineEndpoint(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	s := newShopper(t)
	order := createOrder(t, time.Time{})
	path := "/checkout/success/" + order
	_, page := s.get(kairoURL + path)
	toks := tokens(page)
	if !isOfferPage(t, page) || len(toks) == 0 {
		t.Fatal("no offer page")
	}
	calls := storeStat(t, "accept_calls")
	resp, ans := s.accept(toks[0], path)
	if resp.StatusCode != http.StatusForbidden || ans.Status != "forbidden" {
		t.Errorf("the offer page's token at /_upsell/accept: %d %+v, want 403 forbidden", resp.StatusCode, ans)
	}
	if got := storeStat(t, "accept_calls") - calls; got != 0 {
		t.Errorf("it made %d store calls", got)
	}
	if n := hasProduct(orderItems(t, order), "thermos"); n != 0 {
		t.Errorf("it added %d thermos lines", n)
	}
}

// An order the store names otherwise than its address (another spelling,
// "01001" for order 1001) gets the store's own page: all that Kairo keeps
// of an order, its window and its accepts included, is under the id as
// the address writes it, and a second spelling must not open them anew.
func TestOfferPageForAnotherSpellingOfTheOrder(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Any spelling of order 1001 is order 1001, as a store that reads
		// the id as a number answers.
		fmt.Fprint(w, `{"id":"1001","currency":"USD","subtotal":1500,"status":"paid",`+
			`"items":[{"product_id":"coffee-beans","quantity":1,"unit_price":1500}]}`)
	}))
	defer api.Close()
	start(t, setup{postPurchase: "page", apiURL: api.URL})
	s := newShopper(t)
	count := func(outcome string) float64 {
		return metricValue(t, s, `kairo_upsell_pages_total{outcome="`+outcome+`",placement="thank_you"}`)
	}
	mismatched, refused := count("order_mismatch"), count("store_refused")
	if _, page := s.get(kairoURL + "/checkout/success/01001"); strings.Contains(page, "data-kairo-page") {
		t.Error("another spelling of the order got the offer page")
	}
	if got := count("order_mismatch") - mismatched; got != 1 {
		t.Errorf("order_mismatch counted %v times, want 1", got)
	}
	// Under its own id the order goes on to the store's page check (which
	// the demo store, that knows no order 1001, refuses).
	s.get(kairoURL + "/checkout/success/1001")
	if got := count("order_mismatch") - mismatched; got != 1 {
		t.Errorf("the order under its own id was counted as a mismatch")
	}
	if got := count("store_refused") - refused; got != 1 {
		t.Errorf("the order under its own id did not reach the store's page check (store_refused %v)", got)
	}
}

// A decline of a step that another tab is accepting is refused while the
// accept runs (the buyer would be shown its downsell, and could add it,
// beside it), and one after the accept moves on as the accept did: the
// step stays accepted.
func TestOfferPageDeclineWhileAnotherTabAccepts(t *testing.T) {
	start(t, setup{postPurchase: "page"})
	order, path, a, b, tokA, tokB := twoTabsOnTheThermosStep(t)
	storeFaults(t, map[string]any{"accept_delay": "1s"})
	accepted := make(chan map[string]any, 1)
	go func() {
		_, ans := a.pageAction("accept", tokA[0], path, 0)
		accepted <- ans
	}()
	time.Sleep(300 * time.Millisecond) // the accept is with the store
	status, ans := b.pageAction("decline", tokB[0], path, 0)
	if status != http.StatusConflict || ans["status"] != "in_progress" {
		t.Errorf("a decline while the other tab's accept runs: %d %v, want 409 in_progress", status, ans)
	}
	if ans := <-accepted; ans["status"] != "accepted" {
		t.Fatalf("the accept: %v", ans)
	}
	status, ans = b.pageAction("decline", tokB[0], path, 0)
	if status != http.StatusOK || ans["status"] != "accepted" {
		t.Errorf("a decline after the other tab's accept: %d %v, want it to move on as accepted", status, ans)
	}
	if n := hasProduct(orderItems(t, order), "thermos"); n != 1 {
		t.Errorf("the order has %d thermos lines, want 1", n)
	}
}
