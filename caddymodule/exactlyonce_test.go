package caddymodule_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Two renders of one thank-you page sign two tokens for the same offer;
// 50 concurrent accepts of each (a double click in two tabs, many times
// over) make one store call and one line in the order, and every request
// gets the same answer.
func TestTwoRendersManyAcceptsOneApplication(t *testing.T) {
	start(t, setup{})
	s, orderID := orderWithBeans(t)
	pagePath := "/checkout/success/" + orderID
	var toks []string
	for range 2 {
		_, page := s.get(kairoURL + pagePath)
		tk := tokens(page)
		if len(tk) == 0 {
			t.Fatal("no offer on the thank-you page")
		}
		toks = append(toks, tk[0])
	}
	if toks[0] == toks[1] {
		t.Fatal("the two renders signed one token; the test needs two")
	}
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/faults", map[string]any{"accept_delay": "300ms"}); status/100 != 2 {
		t.Fatalf("setting faults: %d", status)
	}
	defer storeAPI(t, http.MethodDelete, "/_demo/faults", nil)
	calls, applied := storeStat(t, "accept_calls"), storeStat(t, "accept_applied")
	items := len(orderItems(t, orderID))

	answers := make([]acceptAnswer, 100)
	statuses := make([]int, 100)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			resp, ans := s.accept(toks[i%2], pagePath)
			answers[i], statuses[i] = ans, resp.StatusCode
		})
	}
	wg.Wait()
	for i := range answers {
		if answers[i] != answers[0] || statuses[i] != http.StatusOK || answers[i].Status != "accepted" {
			t.Errorf("answer %d: %d %+v, want the first's, accepted", i, statuses[i], answers[i])
		}
	}
	if got := storeStat(t, "accept_calls") - calls; got != 1 {
		t.Errorf("%d store calls, want 1", got)
	}
	if got := storeStat(t, "accept_applied") - applied; got != 1 {
		t.Errorf("%d applications, want 1", got)
	}
	if got := len(orderItems(t, orderID)) - items; got != 1 {
		t.Errorf("%d new lines in the order, want 1", got)
	}
}

// A cart token taken from one customer's cart page and posted with another
// customer's cookies is refused before the store.
func TestCartTokenOfAnotherCustomerIsRefused(t *testing.T) {
	start(t, setup{})
	owner := newShopper(t)
	owner.addToCart("coffee-beans")
	_, page := owner.get(kairoURL + "/cart")
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatal("no offer on the cart page")
	}
	other := newShopper(t)
	other.addToCart("coffee-beans")
	other.get(kairoURL + "/cart") // the other customer's own cart page, own cookies
	calls := storeStat(t, "cart_add_calls")
	for name, from := range map[string]*shopper{"another customer": other, "no cookies": newShopper(t)} {
		resp, ans := from.accept(toks[0], "/cart")
		if resp.StatusCode != http.StatusForbidden || ans.Status != "other_cart" || !strings.Contains(ans.Message, "belongs to another cart") {
			t.Errorf("%s: %d %+v, want 403 other_cart", name, resp.StatusCode, ans)
		}
	}
	if got := storeStat(t, "cart_add_calls") - calls; got != 0 {
		t.Errorf("refused cart tokens made %d store calls", got)
	}
	// The owner still can.
	if _, ans := owner.accept(toks[0], "/cart"); ans.Status != "accepted" {
		t.Errorf("the owner's accept: %+v", ans)
	}
}

// thermosShownThenRepriced serves a buyer's thank-you page with the demo
// catalog, runs before (between the page and the change), then reloads
// Kairo with the thermos re-priced. It returns the buyer, the page's path
// and its tokens.
func thermosShownThenRepriced(t *testing.T, before func(s *shopper, pagePath string, toks []string)) (*shopper, string, []string) {
	t.Helper()
	demo, err := os.ReadFile("../demo/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	catalog := filepath.Join(t.TempDir(), "offers.json")
	if err := os.WriteFile(catalog, demo, 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, setup{catalog: catalog})
	s, pagePath, toks := thankYouTokens(t)
	before(s, pagePath, toks)
	repriced := strings.Replace(string(demo), `"unit_price": 2999`, `"unit_price": 3499`, 1)
	if repriced == string(demo) {
		t.Fatal("the demo catalog no longer prices the thermos at 2999")
	}
	if err := os.WriteFile(catalog, []byte(repriced), 0o600); err != nil {
		t.Fatal(err)
	}
	// A reload with the new catalog (the config must change to be loaded).
	start(t, setup{catalog: catalog, extra: "max_offers 3"})
	return s, pagePath, toks
}

// An offer re-priced after its token was signed (the catalog reloaded) is
// refused with 410, before the store.
func TestRepricedOfferIsRefused(t *testing.T) {
	s, pagePath, toks := thermosShownThenRepriced(t, func(*shopper, string, []string) {})
	calls := storeStat(t, "accept_calls")
	resp, ans := s.accept(toks[0], pagePath)
	if resp.StatusCode != http.StatusGone || ans.Status != "changed" || !strings.Contains(ans.Message, "has changed") {
		t.Errorf("accept of a re-priced offer: %d %+v, want 410 changed", resp.StatusCode, ans)
	}
	if got := storeStat(t, "accept_calls") - calls; got != 0 {
		t.Errorf("the re-priced offer made %d store calls", got)
	}
}

// A repeat of an accept the store applied gets that first answer, even
// once the offer has changed (here re-priced): "added" must not turn into
// "nothing was added" for a card that was charged.
func TestRepeatOfAnAppliedAcceptOutlivesAChange(t *testing.T) {
	var first acceptAnswer
	s, pagePath, toks := thermosShownThenRepriced(t, func(s *shopper, pagePath string, toks []string) {
		if _, first = s.accept(toks[0], pagePath); first.Status != "accepted" {
			t.Fatalf("first accept: %+v", first)
		}
	})
	repeatGetsTheFirstAnswer(t, s, toks[0], pagePath, first, "after the offer changed")
}

// repeatGetsTheFirstAnswer accepts tok again and checks that the answer is
// the first one, and that the store was not asked.
func repeatGetsTheFirstAnswer(t *testing.T, s *shopper, tok, pagePath string, first acceptAnswer, when string) {
	t.Helper()
	calls := storeStat(t, "accept_calls")
	resp, again := s.accept(tok, pagePath)
	if resp.StatusCode != http.StatusOK || again.Status != "accepted" || again.Message != first.Message {
		t.Errorf("repeat %s: %d %+v, want the first answer %+v", when, resp.StatusCode, again, first)
	}
	if got := storeStat(t, "accept_calls") - calls; got != 0 {
		t.Errorf("the repeat %s made %d store calls", when, got)
	}
}

// An accept begun before the signing secret was rotated (the new secret
// put first, the old one kept) is repeated under the key it began with:
// the repeat gets the first answer and the store is not asked again.
func TestAcceptKeyOutlivesASecretRotation(t *testing.T) {
	start(t, setup{})
	s, pagePath, toks := thankYouTokens(t)
	_, first := s.accept(toks[0], pagePath)
	if first.Status != "accepted" {
		t.Fatalf("first accept: %+v", first)
	}
	start(t, setup{secrets: "rotated-secret-0123456789abcdefghijkl " + secret})
	repeatGetsTheFirstAnswer(t, s, toks[0], pagePath, first, "after the rotation")
}

// An accept the store answers with a linked follow-up order (the buyer pays
// it at its own link) makes an order that is not the buyer's to be offered
// to again: its thank-you page, shown once it is paid, gets no offers of
// its own (no upsell of the upsell) and is not counted as a placed order.
func TestFollowUpOrderGetsNoOffersOfItsOwn(t *testing.T) {
	var followUpID atomic.Value // the follow-up order's id, set below before any accept
	demo, _ := url.Parse(storeURL)
	proxy := httputil.NewSingleHostReverseProxy(demo)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/upsells") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"total":2999,"charged":2999,"mode":"follow_up","follow_up_order_id":%q}`, followUpID.Load())
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer api.Close()
	start(t, setup{apiURL: api.URL})
	// Another order stands for the follow-up: a real order of the demo
	// store, so that its thank-you page is there to visit.
	_, followUp := orderWithBeans(t)
	followUpID.Store(followUp)
	s, pagePath, toks := thankYouTokens(t)
	if _, ans := s.accept(toks[0], pagePath); ans.Status != "accepted" {
		t.Fatalf("accept: %+v", ans)
	}
	followed := newShopper(t)
	before := metricValue(t, followed, `kairo_upsell_pages_total{outcome="follow_up",placement="thank_you"}`)
	if _, page := followed.get(kairoURL + "/checkout/success/" + followUp); len(tokens(page)) != 0 {
		t.Error("the follow-up order's thank-you page got offers of its own")
	}
	if got := metricValue(t, followed, `kairo_upsell_pages_total{outcome="follow_up",placement="thank_you"}`) - before; got != 1 {
		t.Errorf("follow_up counted %v times, want 1", got)
	}
}
