package caddymodule_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/redistest"
)

// popup_cap through a real Caddy, with a store speaking the contract whose
// carts belong to signed-in customers: one customer on two browsers sees
// the pop-up popup_cap times in all, counted in the state layer; a guest
// is counted per browser.

// accountStore answers cart contexts for sessions: the cookie sid names a
// session, and accounts maps a session to its signed-in customer (none: a
// guest). Every cart holds coffee beans, so the demo catalog's pop-up
// offer (popup-thermos) applies.
func accountStore(t *testing.T, accounts map[string]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/cart" {
			http.NotFound(w, r)
			return
		}
		sid := ""
		if c, err := r.Cookie("sid"); err == nil {
			sid = c.Value
		}
		customer := ""
		if id := accounts[sid]; id != "" {
			customer = fmt.Sprintf(`,"customer":{"id":%q,"orders_count":2}`, id)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"cart-%s","currency":"USD","subtotal":1500,"status":"open",`+
			`"items":[{"product_id":"coffee-beans","quantity":1,"unit_price":1500}]%s}`, sid, customer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// browser is a shopper whose store session is sid.
func browser(t *testing.T, sid string) *shopper {
	s := newShopper(t)
	u, _ := url.Parse(kairoURL)
	s.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: sid, Path: "/"}})
	return s
}

// askPopup asks for the pop-up as the loader does and reports whether one
// came: 200 with the dialog, or 204 and nothing.
func askPopup(t *testing.T, s *shopper) bool {
	t.Helper()
	resp, body := s.get(kairoURL + "/_upsell/popup?return_to=/cart")
	switch {
	case resp.StatusCode == http.StatusOK && strings.Contains(body, `data-kairo-offer="popup-thermos"`):
		return true
	case resp.StatusCode == http.StatusNoContent && body == "":
		return false
	}
	t.Fatalf("pop-up: %d %q, want 200 with the offer or 204", resp.StatusCode, body)
	return false
}

// countPopups asks n times and counts the pop-ups shown.
func countPopups(t *testing.T, s *shopper, n int) int {
	t.Helper()
	shown := 0
	for range n {
		if askPopup(t, s) {
			shown++
		}
	}
	return shown
}

func TestPopupCapHoldsPerCustomerAcrossBrowsers(t *testing.T) {
	for _, where := range []string{"file", "redis"} {
		t.Run(where, func(t *testing.T) {
			extra := prePurchase.extra
			if where == "redis" {
				extra += "\n\t\tstate " + redistest.Start(t, 0).URL
			}
			// Customer ids of their own: the file store outlives the test.
			run := fmt.Sprint(time.Now().UnixNano())
			ada, bob := "ada-"+run, "bob-"+run
			start(t, setup{apiURL: accountStore(t, map[string]string{
				"ada-phone": ada, "ada-laptop": ada, "bob-phone": bob, "bob-laptop": bob,
			}), extra: extra})

			// Ada on her phone, then her laptop, then her phone again: three
			// pop-ups (the default cap) in all.
			phone, laptop := browser(t, "ada-phone"), browser(t, "ada-laptop")
			if got := countPopups(t, phone, 2); got != 2 {
				t.Fatalf("Ada's phone was shown %d pop-ups of 2 asked, want 2", got)
			}
			if got := countPopups(t, laptop, 3); got != 1 {
				t.Errorf("Ada's laptop, after 2 pop-ups on her phone, was shown %d, want 1", got)
			}
			if askPopup(t, phone) {
				t.Errorf("Ada's phone was shown a pop-up past the cap")
			}
			// A browser counting only itself would go on; the customer's
			// count is not kept in a cookie.
			resp, _ := laptop.get(kairoURL + "/_upsell/popup?return_to=/cart")
			if strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), "; "), "kairo_popups") {
				t.Errorf("a signed-in customer's pop-ups are counted in a cookie")
			}

			// Bob's two browsers ask at once: the last pop-ups are not
			// handed out twice.
			var wg sync.WaitGroup
			statuses := make(chan int, 10)
			for _, sid := range []string{"bob-phone", "bob-laptop"} {
				for range 5 {
					b := browser(t, sid)
					wg.Go(func() {
						// Not askPopup: a helper goroutine must not stop the test.
						resp, err := b.c.Get(kairoURL + "/_upsell/popup?return_to=/cart")
						if err != nil {
							t.Errorf("pop-up: %v", err)
							return
						}
						resp.Body.Close()
						statuses <- resp.StatusCode
					})
				}
			}
			wg.Wait()
			close(statuses)
			shown := 0
			for status := range statuses {
				switch status {
				case http.StatusOK:
					shown++
				case http.StatusNoContent:
				default:
					t.Errorf("pop-up: %d, want 200 or 204", status)
				}
			}
			if shown != 3 {
				t.Errorf("10 concurrent asks from Bob's two browsers showed %d pop-ups, want 3", shown)
			}

			// Guests are counted per browser: each sees the cap.
			for _, sid := range []string{"guest-1-" + run, "guest-2-" + run} {
				if got := countPopups(t, browser(t, sid), 4); got != 3 {
					t.Errorf("guest browser %s was shown %d pop-ups of 4 asked, want 3", sid, got)
				}
			}
		})
	}
}

func TestPopupWithTheStateLayerDownIsNoPopup(t *testing.T) {
	// Nothing listens on port 1: every state operation fails.
	start(t, setup{
		apiURL: accountStore(t, map[string]string{"ada-phone": "ada"}),
		extra:  prePurchase.extra + "\n\t\tstate redis://127.0.0.1:1/0",
	})
	s := browser(t, "ada-phone")
	if askPopup(t, s) {
		t.Errorf("a pop-up was shown with its cap's count unreachable")
	}
	if got := metricValue(t, s, `kairo_upsell_pages_total{outcome="state_unavailable",placement="popup"}`); got < 1 {
		t.Errorf("the pop-up left out for the state layer is not counted (%v)", got)
	}
	// The store's pages are served as ever.
	resp, err := storeClient.Get(kairoURL + "/products/coffee-beans")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "</body>") {
		t.Errorf("a product page with the state layer down: %d", resp.StatusCode)
	}
}

// A pop-up request that did not come from the loader on the store's own
// pages (another site's image or link, a navigation) is refused and
// spends none of the customer's popup_cap: another site cannot use the
// cap up for them.
func TestPopupFromAnotherSiteSpendsNoCap(t *testing.T) {
	run := fmt.Sprint(time.Now().UnixNano())
	start(t, setup{apiURL: accountStore(t, map[string]string{"ada-phone": "ada-" + run}), extra: prePurchase.extra})
	s := browser(t, "ada-phone")
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
		{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"},
		{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"},
	} {
		for range 3 { // the default cap's worth
			req, _ := http.NewRequest(http.MethodGet, kairoURL+"/_upsell/popup?return_to=/cart", nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			if resp, _ := s.do(req); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a pop-up asked with %v: %d, want 403", h, resp.StatusCode)
			}
		}
	}
	// The loader's own fetch (same origin, not a navigation) still gets all three.
	req, _ := http.NewRequest(http.MethodGet, kairoURL+"/_upsell/popup?return_to=/cart", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Sec-Fetch-Mode", "cors")
	if resp, body := s.do(req); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-kairo-offer="popup-thermos"`) {
		t.Errorf("the loader's request: %d", resp.StatusCode)
	}
	if got := countPopups(t, s, 3); got != 2 {
		t.Errorf("after the refused requests the customer was shown %d more pop-ups, want 2 (3 in all)", got)
	}
}
