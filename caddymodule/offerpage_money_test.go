package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// What the offer page charges and how it writes amounts: an offer's
// shipping is a line of the page, part of the amount charged now and of
// the button, and reaches the store in the accept; the order's locale
// writes every price.

// contractFront is a store of the contract in front of the demo store: it
// passes every call on, adds a locale to the order contexts it answers
// (when set) and keeps the body of every accept.
type contractFront struct {
	srv     *httptest.Server
	mu      sync.Mutex
	locale  string
	accepts []map[string]any
}

func newContractFront(t *testing.T) *contractFront {
	f := &contractFront{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *contractFront) setLocale(tag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locale = tag
}

// lastAccept is the body of the latest accept, or nil.
func (f *contractFront) lastAccept() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.accepts) == 0 {
		return nil
	}
	return f.accepts[len(f.accepts)-1]
}

func (f *contractFront) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method == http.MethodPost {
		var accept map[string]any
		if err := json.Unmarshal(body, &accept); err == nil {
			f.mu.Lock()
			f.accepts = append(f.accepts, accept)
			f.mu.Unlock()
		}
	}
	req, _ := http.NewRequest(r.Method, storeURL+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range []string{"Authorization", "Content-Type", "Accept", "Idempotency-Key", "Cookie"} {
		req.Header.Set(h, r.Header.Get(h))
	}
	resp, err := storeClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	f.mu.Lock()
	locale := f.locale
	f.mu.Unlock()
	if resp.StatusCode == http.StatusOK && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/orders/") && locale != "" &&
		json.Unmarshal(raw, &answer) == nil {
		answer["locale"] = locale
		raw, _ = json.Marshal(answer)
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	w.Write(raw)
}

// shippingCatalog is the demo's catalog with shipping of $4.99 and a word
// of its own on the thermos offer.
func shippingCatalog(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../demo/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]any
	if err := json.Unmarshal(raw, &cat); err != nil {
		t.Fatal(err)
	}
	for _, o := range cat["offers"].([]any) {
		if o := o.(map[string]any); o["id"] == "thermos-20" {
			o["shipping"] = 499
			o["text"] = map[string]string{"shipping": "Delivery"}
		}
	}
	path := filepath.Join(t.TempDir(), "offers.json")
	raw, _ = json.Marshal(cat)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOfferPageChargesShippingInTheOrdersLocale(t *testing.T) {
	front := newContractFront(t)
	start(t, setup{postPurchase: "page", apiURL: front.srv.URL, catalog: shippingCatalog(t)})
	const nb = "\u00a0"

	// No locale: amounts the plain way. The thermos is $23.99 after 20%
	// off, and $4.99 shipping comes on top.
	s := newShopper(t)
	_, page := s.get(kairoURL + "/checkout/success/" + createOrder(t, time.Time{}))
	if !isOfferPage(t, page) {
		t.Fatal("no offer page")
	}
	for _, want := range []string{
		`<html lang="en">`,
		`<dd data-kairo-line>$23.99</dd>`,
		"<dt>Delivery</dt>\n<dd data-kairo-shipping>$4.99</dd>",
		`<dd data-kairo-amount>$28.98</dd>`,
		`>Pay now · $28.98</button>`,
		`<option value="2" data-kairo-amount-for="$52.97" data-kairo-line-for="$47.98">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the offer page lacks %q", want)
		}
	}

	// The order's locale writes every amount on the page.
	front.setLocale("de-DE")
	order := createOrder(t, time.Time{})
	path := "/checkout/success/" + order
	_, page = s.get(kairoURL + path)
	for _, want := range []string{
		`<html lang="de-DE">`,
		`<span class="kairo-sr">Offer price: </span>23,99` + nb + `$</span>`,
		`<span class="kairo-sr">Regular price: </span>29,99` + nb + `$</del>`,
		`You save 6,00` + nb + `$`,
		`<dd data-kairo-shipping>4,99` + nb + `$</dd>`,
		`<dd data-kairo-amount>28,98` + nb + `$</dd>`,
		`>Pay now · 28,98` + nb + `$</button>`,
		`<option value="3" data-kairo-amount-for="76,96` + nb + `$" data-kairo-line-for="71,97` + nb + `$">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the de-DE offer page lacks %q", want)
		}
	}

	// Two thermoses: the store is sent the items and the shipping once,
	// and the new total comes back written the order's way.
	_, placed := storeAPI(t, http.MethodGet, "/api/orders/"+order, nil)
	before := int64(placed["total"].(float64))
	status, ans := s.pageAction("accept", tokens(page)[0], path, 2)
	if status != http.StatusOK || ans["status"] != "accepted" {
		t.Fatalf("accept: %d %v", status, ans)
	}
	sent := front.lastAccept()
	items, _ := sent["items"].([]any)
	if sent["shipping"] != float64(499) || len(items) != 1 || items[0].(map[string]any)["quantity"] != float64(2) || items[0].(map[string]any)["unit_price"] != float64(2399) {
		t.Errorf("the store was sent %v, want two thermoses at 2399 and shipping 499", sent)
	}
	want := (offers.Money{Amount: before + 2*2399 + 499, Currency: "USD"}).FormatIn(mustLocale(t, "de-DE"))
	if ans["total"] != want {
		t.Errorf("new total %v, want %q", ans["total"], want)
	}
}

func TestInlineBoxChargesShippingInTheOrdersLocale(t *testing.T) {
	front := newContractFront(t)
	front.setLocale("fr-FR")
	start(t, setup{apiURL: front.srv.URL, catalog: shippingCatalog(t)})
	s := newShopper(t)
	order := createOrder(t, time.Time{})
	_, page := s.get(kairoURL + "/checkout/success/" + order)
	for _, want := range []string{
		`data-kairo-offer="thermos-20"`,
		"23,99\u00a0$US",
		`<p class="kairo-shipping" data-kairo-shipping>Delivery: 4,99` + "\u00a0$US</p>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the thank-you page's box lacks %q", want)
		}
	}
	_, ans := s.accept(tokens(page)[0], "/checkout/success/"+order)
	if ans.Status != "accepted" || front.lastAccept()["shipping"] != float64(499) {
		t.Errorf("accept %+v sent %v, want accepted with shipping 499", ans, front.lastAccept())
	}
	if !strings.HasSuffix(ans.Total, "\u00a0$US") {
		t.Errorf("new total %q, want it written for fr-FR", ans.Total)
	}
}

func mustLocale(t *testing.T, tag string) offers.Locale {
	t.Helper()
	l, err := offers.ParseLocale(tag)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
