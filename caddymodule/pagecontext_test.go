package caddymodule_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// pageContextCounts are Kairo's context calls to the store and the demo
// store's count of pages that brought their own context.
type pageContextCounts struct{ calls, pages int }

// countsSince returns a function counting from now. Calls are counted on
// Kairo's side (its store request metric): the store's own count would
// also hold Kairo's check of the store at start, which may come later.
func countsSince(t *testing.T) func() pageContextCounts {
	t.Helper()
	s := newShopper(t)
	storeAPI(t, http.MethodDelete, "/_demo/stats", nil)
	before := contextCallsMade(t, s)
	return func() pageContextCounts {
		return pageContextCounts{contextCallsMade(t, s) - before, storeStat(t, "page_contexts")}
	}
}

// pageContextsCounted reads Kairo's count of the pages of placement asked
// for their context that brought result (context, none, cached, bad).
func pageContextsCounted(t *testing.T, s *shopper, placement, result string) float64 {
	t.Helper()
	return metricValue(t, s, `kairo_upsell_page_contexts_total{placement="`+placement+`",result="`+result+`"}`)
}

// contextCallsMade is how many cart and order context calls Kairo's pages
// have made so far, whatever their result.
func contextCallsMade(t *testing.T, s *shopper) int {
	t.Helper()
	_, metrics := s.get("http://localhost:2999/metrics")
	n := 0
	for _, line := range strings.Split(metrics, "\n") {
		rest, ok := strings.CutPrefix(line, "kairo_upsell_store_request_duration_seconds_count{")
		if !ok || !strings.Contains(rest, `call="cart_context"`) && !strings.Contains(rest, `call="order_context"`) {
			continue
		}
		v, err := strconv.Atoi(rest[strings.LastIndexByte(rest, ' ')+1:])
		if err != nil {
			t.Fatalf("metric %s: %v", line, err)
		}
		n += v
	}
	return n
}

// With context_in_page the store's cart and checkout pages bring their
// own cart context: the widget is there as with a context call, the
// store's cart context endpoint is never called, and the header never
// reaches the browser. Thank-you pages are not asked: an order's context
// is the store's to give, with its credential.
func TestPagesBringTheirOwnContext(t *testing.T) {
	start(t, setup{extra: "context_in_page\n\t\tcheckout /checkout"})
	counts := countsSince(t)
	s := newShopper(t)
	s.addToCart("coffee-beans")
	brought := pageContextsCounted(t, s, "cart", "context")

	resp, page := s.get(kairoURL + "/cart")
	if !strings.Contains(page, `data-kairo-offer="mug-with-beans"`) || len(tokens(page)) == 0 {
		t.Fatalf("the cart page has no mug offer:\n%s", page)
	}
	if v := resp.Header.Values("Kairo-Context"); len(v) != 0 {
		t.Errorf("the browser got the store's Kairo-Context header: %q", v)
	}
	if got := counts(); got != (pageContextCounts{calls: 0, pages: 1}) {
		t.Errorf("the cart page: %d context calls, %d pages with their context; want 0 and 1", got.calls, got.pages)
	}
	if n := pageContextsCounted(t, s, "cart", "context") - brought; n != 1 {
		t.Errorf("Kairo counted %v cart pages that brought their context, want 1", n)
	}
	// The offer from the page's context is as good as one from a call.
	if _, ans := s.accept(tokens(page)[0], "/cart"); !ans.OK || ans.Status != "accepted" {
		t.Fatalf("accepting the cart page's offer: %+v", ans)
	}

	_, page = s.get(kairoURL + "/checkout")
	if !strings.Contains(page, "data-kairo-widget") {
		t.Errorf("the checkout page has no order bump:\n%s", page)
	}
	if got := counts(); got != (pageContextCounts{calls: 0, pages: 2}) {
		t.Errorf("after the checkout page: %d context calls, %d pages with their context; want 0 and 2", got.calls, got.pages)
	}

	orderID := s.checkout()
	_, page = s.get(kairoURL + "/checkout/success/" + orderID)
	if !strings.Contains(page, `data-kairo-offer="thermos-20"`) {
		t.Fatalf("the thank-you page has no thermos offer:\n%s", page)
	}
	if got := counts(); got != (pageContextCounts{calls: 1, pages: 2}) {
		t.Errorf("after the thank-you page: %d context calls, %d pages with their context; want 1 (the order's) and 2", got.calls, got.pages)
	}
}

// The routes below run after upsell (in a route block), as a store
// behind Kairo would.

// A page that does not bring its context (the store left it out), or one
// a shared cache may keep or did (it may hold another customer's cart),
// costs one context call: the offers are the same.
func TestPagesWithoutTheirContextFallBackToACall(t *testing.T) {
	for _, c := range []struct{ name, routes, result string }{
		{"not asked on to the store", "route {\n\t\trequest_header -Kairo-Context\n\t}", "none"},
		{"from a cache", "route {\n\t\theader Age 12\n\t}", "cached"},
		{"for shared caches", "route {\n\t\theader >Cache-Control \"public, max-age=60\"\n\t}", "cached"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start(t, setup{extra: "context_in_page", storeRoutes: c.routes})
			counts := countsSince(t)
			s := newShopper(t)
			s.addToCart("coffee-beans")
			counted := pageContextsCounted(t, s, "cart", c.result)
			resp, page := s.get(kairoURL + "/cart")
			if !strings.Contains(page, `data-kairo-offer="mug-with-beans"`) {
				t.Fatalf("the cart page has no mug offer:\n%s", page)
			}
			if n := pageContextsCounted(t, s, "cart", c.result) - counted; n != 1 {
				t.Errorf("Kairo counted %v cart pages as %q, want 1", n, c.result)
			}
			if v := resp.Header.Values("Kairo-Context"); len(v) != 0 {
				t.Errorf("the browser got the store's Kairo-Context header: %q", v)
			}
			if got := counts(); got.calls != 1 {
				t.Errorf("%d context calls, want 1", got.calls)
			}
		})
	}
}

// A page whose context header is not a context is served unchanged (fail
// open), without a call to the store: the store said something wrong,
// and asking again would double its load.
func TestABadPageContextLeavesThePageUnchanged(t *testing.T) {
	for _, c := range []struct{ name, header string }{
		{"not JSON", "{not json"},
		{"a context without an id", `{"currency":"USD","items":[]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start(t, setup{extra: "context_in_page", storeRoutes: "route {\n\t\theader >Kairo-Context `" + c.header + "`\n\t}"})
			counts := countsSince(t)
			s := newShopper(t)
			s.addToCart("coffee-beans")
			bad := pageContextsCounted(t, s, "cart", "bad")
			_, plain := s.get(plainURL + "/cart")
			resp, viaKairo := s.get(kairoURL + "/cart")
			if n := pageContextsCounted(t, s, "cart", "bad") - bad; n != 1 {
				t.Errorf("Kairo counted %v pages with a bad context, want 1", n)
			}
			if viaKairo != plain {
				t.Errorf("the page changed:\n%s", viaKairo)
			}
			if v := resp.Header.Values("Kairo-Context"); len(v) != 0 {
				t.Errorf("the browser got the store's Kairo-Context header: %q", v)
			}
			if got := counts(); got.calls != 0 {
				t.Errorf("%d context calls, want none", got.calls)
			}
		})
	}
}

// A browser cannot ask the store for a page's context: its Kairo-Context
// is not passed on, with the option or without, on a matched page, a HEAD
// of one, or a route Kairo does not rewrite; and nothing comes back.
func TestABrowserCannotAskForThePageContext(t *testing.T) {
	for _, c := range []struct{ name, extra, method, path string }{
		{"a cart page, option off", "", http.MethodGet, "/cart"},
		{"a HEAD of a cart page", "context_in_page", http.MethodHead, "/cart"},
		{"a page Kairo does not rewrite", "context_in_page", http.MethodGet, "/checkout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start(t, setup{extra: c.extra})
			counts := countsSince(t)
			s := newShopper(t)
			s.addToCart("coffee-beans")
			req, _ := http.NewRequest(c.method, kairoURL+c.path, nil)
			req.Header.Set("Kairo-Context", "cart")
			resp, _ := s.do(req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", c.method, c.path, resp.StatusCode)
			}
			if v := resp.Header.Values("Kairo-Context"); len(v) != 0 {
				t.Errorf("the browser got a Kairo-Context header: %q", v)
			}
			if got := counts(); got.pages != 0 {
				t.Errorf("the store heard the browser's question: %d pages brought their context", got.pages)
			}
		})
	}
}
