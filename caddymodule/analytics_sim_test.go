package caddymodule

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
)

// The analytics simulation: customers shop through the real handler (its
// ServeHTTP, called in process with httptest: caddytest would add a
// loopback hop per request and nothing else to what is measured) in front
// of a store that speaks the contract over real HTTP. The customers behave
// by known probabilities from a fixed seed; the test keeps its own ledger
// of what happened and checks the dashboard's figures against it.

// simStore is a small contract store: carts by cookie, orders by id, both
// changed by accepts as the contract says.
type simStore struct {
	mu     sync.Mutex
	carts  map[string]*offers.Context // by cart cookie
	orders map[string]*offers.Context
	status int // answer to accepts when not 0 (fault injection)
	// charges, when set, is what the order accept answers it charged:
	// "charged" with the amount, or, when negative, neither "charged" nor
	// "added" (a store that does not say).
	charges func(items []offers.Item) int64
}

func newSimStore(t *testing.T) (*simStore, *httptest.Server) {
	s := &simStore{carts: map[string]*offers.Context{}, orders: map[string]*offers.Context{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/cart", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sim_cart")
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil || s.carts[c.Value] == nil {
			writeSimJSON(w, http.StatusOK, offers.Context{ID: "empty", Currency: "USD", Items: []offers.Item{}})
			return
		}
		writeSimJSON(w, http.StatusOK, s.carts[c.Value])
	})
	mux.HandleFunc("POST /api/cart/items", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sim_cart")
		body := s.readAccept(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != 0 {
			w.WriteHeader(s.status)
			return
		}
		if err != nil || s.carts[c.Value] == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		cart := s.carts[c.Value]
		cart.Items = append(cart.Items, body.Items...)
		cart.Subtotal = subtotal(cart.Items)
		writeSimJSON(w, http.StatusOK, map[string]any{"cart_id": cart.ID, "subtotal": cart.Subtotal, "added": body.Items})
	})
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		o := s.orders[r.PathValue("id")]
		if o == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeSimJSON(w, http.StatusOK, o)
	})
	mux.HandleFunc("POST /api/orders/{id}/upsells", func(w http.ResponseWriter, r *http.Request) {
		body := s.readAccept(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != 0 {
			w.WriteHeader(s.status)
			return
		}
		o := s.orders[r.PathValue("id")]
		if o == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		o.Items = append(o.Items, body.Items...)
		o.Subtotal = subtotal(o.Items)
		answer := map[string]any{"order_id": o.ID, "total": o.Subtotal, "added": body.Items}
		if s.charges != nil {
			if charged := s.charges(body.Items); charged >= 0 {
				answer["charged"], answer["currency"] = charged, o.Currency
			} else {
				delete(answer, "added")
			}
		}
		writeSimJSON(w, http.StatusOK, answer)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv
}

// simAccept is the part of an accept body the store uses.
type simAccept struct {
	Items []offers.Item `json:"items"`
}

func (s *simStore) readAccept(r *http.Request) simAccept {
	var a simAccept
	_ = json.NewDecoder(r.Body).Decode(&a)
	return a
}

func subtotal(items []offers.Item) int64 {
	var n int64
	for _, it := range items {
		n += it.UnitPrice * int64(it.Quantity)
	}
	return n
}

func writeSimJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// startCart gives a customer a cart with the given items.
func (s *simStore) startCart(cookie, customerID string, items ...offers.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.carts[cookie] = &offers.Context{ID: "cart-" + cookie, Currency: "USD", Items: items, Subtotal: subtotal(items),
		Customer: &offers.Customer{ID: customerID, OrdersCount: 1}, Status: "open"}
}

// removeFromCart drops a product from a cart (the customer changed their mind).
func (s *simStore) removeFromCart(cookie, productID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.carts[cookie]
	var keep []offers.Item
	for _, it := range c.Items {
		if it.ProductID != productID {
			keep = append(keep, it)
		}
	}
	c.Items, c.Subtotal = keep, subtotal(keep)
}

// checkout turns a cart into a paid order and returns it.
func (s *simStore) checkout(cookie, orderID string) offers.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.carts[cookie]
	o := &offers.Context{ID: orderID, Currency: c.Currency, Items: c.Items, Subtotal: c.Subtotal, Customer: c.Customer, Status: "paid"}
	s.orders[orderID] = o
	delete(s.carts, cookie)
	return *o
}

// orderTotal is an order's value now.
func (s *simStore) orderTotal(orderID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orders[orderID].Subtotal
}

// simClient sends requests to the handler in process.
type simClient struct {
	t *testing.T
	h *Handler
	// jars are the customers' browsers, by sim cookie: Kairo's own cookies
	// (the cart binding, the buyer's cookie) go back with later requests.
	jars map[string]*cookiejar.Jar
}

// newSimClient is a client of h whose customers start without cookies.
func newSimClient(t *testing.T, h *Handler) simClient {
	return simClient{t, h, map[string]*cookiejar.Jar{}}
}

func (c simClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	repl := caddy.NewReplacer()
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	var jar *cookiejar.Jar
	if sim, err := req.Cookie("sim_cart"); err == nil {
		if jar = c.jars[sim.Value]; jar == nil {
			jar, _ = cookiejar.New(nil)
			c.jars[sim.Value] = jar
		}
		at := &url.URL{Scheme: "http", Host: req.Host, Path: req.URL.Path}
		for _, ck := range jar.Cookies(at) {
			req.AddCookie(ck)
		}
		defer func() { jar.SetCookies(at, rec.Result().Cookies()) }()
	}
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := io.WriteString(w, "<!doctype html><html><head><title>shop</title></head><body><main>"+r.URL.Path+"</main></body></html>")
		return err
	})
	if err := c.h.ServeHTTP(rec, req, next); err != nil {
		var he caddyhttp.HandlerError
		if ok := asHandlerError(err, &he); ok {
			return he.StatusCode, he.Err.Error()
		}
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return rec.Code, rec.Body.String()
}

func asHandlerError(err error, he *caddyhttp.HandlerError) bool {
	e, ok := err.(caddyhttp.HandlerError)
	if ok {
		*he = e
	}
	return ok
}

func (c simClient) page(path, cookie string) string {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) simulated customer")
	if cookie != "" {
		req.Header.Set("Cookie", "sim_cart="+cookie)
	}
	status, body := c.do(req)
	if status != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, status)
	}
	return body
}

// post sends a token to accept or decline as the widget's script does.
func (c simClient) post(action, token, returnTo, cookie string) (int, string) {
	c.t.Helper()
	payload, _ := json.Marshal(map[string]string{"token": token, "return_to": returnTo})
	req := httptest.NewRequest(http.MethodPost, "/_upsell/"+action, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", "sim_cart="+cookie)
	}
	return c.do(req)
}

// offerTokenRE finds an offer and its token in the inline box
// (data-kairo-offer) or on the offer page (data-kairo-step).
var offerTokenRE = regexp.MustCompile(`data-kairo-(?:offer|step)="([^"]+)"[\s\S]*?name="token" value="([^"]+)"`)

// offersOnPage maps the offers of a page to their tokens.
func offersOnPage(page string) map[string]string {
	out := map[string]string{}
	for _, m := range offerTokenRE.FindAllStringSubmatch(page, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// simHandler provisions a handler on the catalog, counting in st (a fresh
// memory store when nil), with its clocks on *now; the test's end cleans
// it up.
func simHandler(t *testing.T, storeURL, catalog string, st state.Store, now *time.Time, opts AnalyticsConfig) *Handler {
	t.Helper()
	h := provisionSimHandler(t, storeURL, catalog, st, now, opts)
	t.Cleanup(func() { h.Cleanup() })
	return h
}

// provisionSimHandler is simHandler, but the caller cleans it up.
func provisionSimHandler(t testing.TB, storeURL, catalog string, st state.Store, now *time.Time, opts AnalyticsConfig) *Handler {
	t.Helper()
	path, err := filepath.Abs(catalog)
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		st = state.NewMemory(0)
	}
	h := &Handler{
		Catalog:         path,
		Secrets:         []string{testSecret},
		CartPaths:       []string{"/cart"},
		ThankYouPaths:   []string{"/checkout/success/{order_id}"},
		StoreRaw:        json.RawMessage(`{"url":"` + storeURL + `","timeout":"5s"}`),
		AnalyticsConfig: opts,
		// The simulation's customers see the inline box on thank-you pages.
		PostPurchase: &PostPurchaseConfig{Mode: PostPurchaseInline},
		state:        st,
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	if err := h.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if now != nil {
		clock := func() time.Time { return *now }
		h.now, h.analytics.now = clock, clock
		if h.signer, err = offers.NewSigner([][]byte{[]byte(testSecret)}, clock); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// flushAnalytics waits until the handler's events are in the state layer.
func flushAnalytics(t *testing.T, h *Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.analytics.flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// dashboardJSON reads the dashboard's JSON export as an operator who
// passed basic_auth.
func dashboardJSON(t *testing.T, h *Handler, days int) Report {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/_upsell/dashboard.json?days=%d", days), nil)
	repl := caddy.NewReplacer()
	repl.Set(authUserPlaceholder, "operator")
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	if err := h.ServeHTTP(rec, req, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	var rep Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("dashboard JSON: %v\n%s", err, rec.Body)
	}
	return rep
}

// The truth of the simulation.
const (
	simCustomers    = 10_000
	simDays         = 7
	simHoldout      = 0.10 // holdout 10%
	simAbandon      = 0.15 // carts never checked out, whatever was added
	simMugTake      = 0.20 // cart offer accepted
	simMugRemoved   = 0.10 // of those, taken out of the cart again before checkout
	simMugPrice     = 1200
	simRevisit      = 0.30 // thank-you page opened a second time
	simDeclineShare = 0.50 // of those who do not accept, click "No thanks"
	simBasePrice    = 1500 // the beans every cart holds
	simExtraMax     = 6000 // plus other goods, uniform in [0, simExtraMax] by 100
)

// simThermos is the truth of the A/B test: variant → take rate, price.
var simThermos = map[string]struct {
	take  float64
	price int64
}{"a": {0.10, 2400}, "b": {0.16, 2700}}

// simTruth is what the simulation saw happen, to compare with the report.
type simTruth struct {
	impressions, accepts, declines, revenue map[string]int64 // by offer/variant
	shadow                                  int64
	cartAdds, abandonedAdds, removedAdds    int64
	orders                                  map[offers.Arm]offers.OrderValues
	heldOutShown                            int64
	offerPages                              int64 // thank-you visits answered with the offer page
}

func (tr *simTruth) order(arm offers.Arm, total int64) {
	v := tr.orders[arm]
	v.Orders++
	v.Sum += total
	v.SumSquares += float64(total) * float64(total)
	tr.orders[arm] = v
}

// expectedIncrement is the true effect of the offers on an order: cart
// offer kept in the order, and the post-purchase offer by variant.
func expectedIncrement() float64 {
	cart := simMugTake * (1 - simMugRemoved) * simMugPrice
	post := 0.0
	for _, v := range simThermos {
		post += 0.5 * v.take * float64(v.price)
	}
	return cart + post
}

// simulate runs customers through h and store over days from start
// (moving *now along), and returns what happened.
func simulate(t *testing.T, h *Handler, store *simStore, now *time.Time, start time.Time, customers, days int) *simTruth {
	t.Helper()
	c := newSimClient(t, h)
	// A thank-you offer is answered where it is: the offer page's buttons,
	// or the inline box's.
	orderAction := func(kind string) string {
		if h.pageMode() {
			return "page/" + kind
		}
		return kind
	}
	rng := rand.New(rand.NewPCG(16, 2026))
	tr := &simTruth{impressions: map[string]int64{}, accepts: map[string]int64{}, declines: map[string]int64{}, revenue: map[string]int64{}, orders: map[offers.Arm]offers.OrderValues{}}

	for i := range customers {
		*now = start.Add(time.Duration(i) * time.Duration(days) * 24 * time.Hour / time.Duration(customers))
		cookie := fmt.Sprintf("k%05d", i)
		customer := fmt.Sprintf("c%05d", i)
		arm := offers.ArmOf(1000, "customer:"+customer)
		extra := int64(rng.IntN(simExtraMax/100+1)) * 100
		store.startCart(cookie, customer,
			offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: simBasePrice},
			offers.Item{ProductID: "goods", Quantity: 1, UnitPrice: extra})

		// The cart page.
		cartOffers := offersOnPage(c.page("/cart", cookie))
		if arm == offers.ArmHoldout && len(cartOffers) > 0 {
			tr.heldOutShown++
		}
		mugAdded := false
		if tok, ok := cartOffers["mug-cart"]; ok {
			tr.impressions["mug-cart/"]++
			if rng.Float64() < simMugTake {
				if status, body := c.post("accept", tok, "/cart", cookie); status != http.StatusOK {
					t.Fatalf("cart accept: %d %s", status, body)
				}
				tr.accepts["mug-cart/"]++
				tr.cartAdds++
				mugAdded = true
			}
		}
		abandon := rng.Float64() < simAbandon
		removed := mugAdded && rng.Float64() < simMugRemoved
		if removed {
			store.removeFromCart(cookie, "mug")
			tr.removedAdds++
		}
		if abandon {
			if mugAdded && !removed {
				tr.abandonedAdds++
			}
			continue
		}
		orderID := fmt.Sprintf("o%05d", i)
		store.checkout(cookie, orderID)
		if mugAdded && !removed {
			tr.revenue["mug-cart/"] += simMugPrice
		}

		// The thank-you page, perhaps twice.
		thankYou := "/checkout/success/" + orderID
		firstVisit := c.page(thankYou, cookie)
		if strings.Contains(firstVisit, "data-kairo-step=") {
			tr.offerPages++
		}
		pageOffers := offersOnPage(firstVisit)
		if arm == offers.ArmHoldout && len(pageOffers) > 0 {
			tr.heldOutShown++
		}
		if _, shown := pageOffers["socks-preview"]; shown {
			t.Fatal("the shadow offer was shown")
		}
		if arm == offers.ArmTreated {
			tr.shadow++
		}
		if tok, ok := pageOffers["thermos-pp"]; ok {
			variant := h.catalog.Offer("thermos-pp").Resolve(orderID).Variant
			key := "thermos-pp/" + variant
			tr.impressions[key]++
			if rng.Float64() < simThermos[variant].take {
				if status, body := c.post(orderAction("accept"), tok, thankYou, cookie); status != http.StatusOK {
					t.Fatalf("order accept: %d %s", status, body)
				}
				tr.accepts[key]++
				tr.revenue[key] += simThermos[variant].price
			} else if rng.Float64() < simDeclineShare {
				if status, body := c.post(orderAction("decline"), tok, thankYou, cookie); status != http.StatusOK {
					t.Fatalf("decline: %d %s", status, body)
				}
				tr.declines[key]++
			}
		}
		if rng.Float64() < simRevisit {
			revisit := offersOnPage(c.page(thankYou, cookie))
			// An offer ignored the first time is shown again, but the
			// same order seeing it again is not another impression.
			for id := range revisit {
				if _, before := pageOffers[id]; !before {
					t.Errorf("%s: offer %s shown only on the second visit", orderID, id)
				}
			}
		}
		tr.order(arm, store.orderTotal(orderID))
	}
	flushAnalytics(t, h)
	return tr
}

// The simulation runs with each way of showing post-purchase offers: the
// offer page (the default) and the inline box.
func TestAnalyticsSimulationMatchesTheTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("the simulation runs 10k customers")
	}
	for _, mode := range []string{PostPurchasePage, PostPurchaseInline} {
		t.Run(mode, func(t *testing.T) { simulationMatchesTheTruth(t, mode) })
	}
}

func simulationMatchesTheTruth(t *testing.T, mode string) {
	store, srv := newSimStore(t)
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	now := start
	h := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, &now, AnalyticsConfig{Holdout: "10%", Dashboard: true})
	h.PostPurchase.Mode = mode
	tr := simulate(t, h, store, &now, start, simCustomers, simDays)
	if (mode == PostPurchasePage) != (tr.offerPages > 0) {
		t.Fatalf("mode %s: %d thank-you visits got the offer page", mode, tr.offerPages)
	}
	rep := dashboardJSON(t, h, simDays)

	if tr.heldOutShown != 0 {
		t.Errorf("held-out customers were shown offers %d times", tr.heldOutShown)
	}
	// Exact counts: every event went through the handler once.
	lines := map[string]Figures{}
	for _, l := range rep.Lines {
		lines[l.Offer+"/"+l.Variant] = l.Total
	}
	for _, key := range []string{"mug-cart/", "thermos-pp/a", "thermos-pp/b"} {
		got := lines[key]
		if got.Impressions != tr.impressions[key] || got.Accepts != tr.accepts[key] || got.Declines != tr.declines[key] || got.Revenue != tr.revenue[key] {
			t.Errorf("%s: report imp %d acc %d dec %d rev %d; truth %d %d %d %d", key,
				got.Impressions, got.Accepts, got.Declines, got.Revenue, tr.impressions[key], tr.accepts[key], tr.declines[key], tr.revenue[key])
		}
	}
	if got := lines["socks-preview/"]; got.Shadow != tr.shadow || got.Impressions != 0 {
		t.Errorf("shadow offer: %d selections, %d impressions; truth %d, 0", got.Shadow, got.Impressions, tr.shadow)
	}
	// No abandoned or removed cart add is revenue.
	mug := lines["mug-cart/"]
	if want := tr.cartAdds - tr.abandonedAdds - tr.removedAdds; mug.Orders != want || mug.Revenue != want*simMugPrice {
		t.Errorf("mug: %d orders with it, revenue %d; truth %d orders (%d adds, %d abandoned, %d removed)", mug.Orders, mug.Revenue, want, tr.cartAdds, tr.abandonedAdds, tr.removedAdds)
	}
	if tr.abandonedAdds == 0 || tr.removedAdds == 0 {
		t.Fatalf("the simulation has %d abandoned and %d removed adds; it must have some", tr.abandonedAdds, tr.removedAdds)
	}

	// The take rates are within 4 standard errors of the truth.
	for _, e := range rep.Experiments {
		for _, v := range e.Variants {
			truth := simThermos[v.Variant].take
			se := math.Sqrt(truth * (1 - truth) / float64(v.Impressions))
			if math.Abs(v.TakeRate-truth) > 4*se {
				t.Errorf("variant %s: take rate %.4f, truth %.2f ± %.4f (4 SE)", v.Variant, v.TakeRate, truth, 4*se)
			}
			want := offers.VerdictLoser
			if v.Variant == "b" {
				want = offers.VerdictWinner
			}
			if v.Verdict != want {
				t.Errorf("variant %s: verdict %s (p %.4g), want %s", v.Variant, v.Verdict, v.PValue, want)
			}
			t.Logf("variant %s: %d impressions, take rate %.4f (truth %.2f), revenue/impression %.1f, p %.3g, %s",
				v.Variant, v.Impressions, v.TakeRate, truth, v.RevenuePerImpression, v.PValue, v.Verdict)
		}
	}
	if len(rep.Experiments) != 1 {
		t.Fatalf("%d experiments, want 1", len(rep.Experiments))
	}

	// Orders: the arms' sums are exact; the incremental value is within its
	// interval of the true effect, and the interval excludes zero.
	if len(rep.Orders) != 1 {
		t.Fatalf("order figures for %d currencies, want 1", len(rep.Orders))
	}
	o := rep.Orders[0]
	for arm, got := range map[offers.Arm]offers.OrderValues{offers.ArmTreated: o.Treated, offers.ArmHoldout: o.Holdout} {
		if want := tr.orders[arm]; got != want {
			t.Errorf("%s orders: report %+v, truth %+v", arm, got, want)
		}
	}
	effect := expectedIncrement()
	inc := o.Incremental
	if inc == nil {
		t.Fatal("no incremental figure")
	}
	t.Logf("orders: treated %d AOV %.1f, held out %d AOV %.1f; incremental %.1f in [%.1f, %.1f], truth %.1f",
		o.Treated.Orders, o.TreatedAOV, o.Holdout.Orders, o.HoldoutAOV, inc.PerOrder, inc.Low, inc.High, effect)
	if share := float64(o.Holdout.Orders) / float64(o.Holdout.Orders+o.Treated.Orders); math.Abs(share-simHoldout) > 0.015 {
		t.Errorf("held-out share of orders %.3f, want %.2f ± 0.015", share, simHoldout)
	}
	if inc.Low > effect || inc.High < effect || inc.Low <= 0 {
		t.Errorf("incremental per order %.1f in [%.1f, %.1f]: want the truth %.1f inside and zero outside", inc.PerOrder, inc.Low, inc.High, effect)
	}
	if math.Abs(inc.PerOrder-effect) > 200 {
		t.Errorf("incremental per order %.1f, truth %.1f: off by more than 200 (2.00 USD)", inc.PerOrder, effect)
	}
	// Per day: the days add up to the totals and every day has traffic.
	if len(rep.Days) != simDays {
		t.Errorf("%d days, want %d", len(rep.Days), simDays)
	}
	for _, l := range rep.Lines {
		if l.Offer == "thermos-pp" {
			for _, d := range l.Daily {
				if d.Impressions == 0 {
					t.Errorf("%s/%s: no impressions on %s", l.Offer, l.Variant, d.Day)
				}
			}
		}
	}
}
