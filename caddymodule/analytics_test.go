package caddymodule

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/redistest"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
	"github.com/kairoedge/kairo/stores"
)

func TestAnalyticsCaddyfileOptions(t *testing.T) {
	tests := []struct {
		src  string
		want AnalyticsConfig
		err  string
	}{
		{"holdout 10%", AnalyticsConfig{Holdout: "10%"}, ""},
		{"holdout 2.5%", AnalyticsConfig{Holdout: "2.5%"}, ""},
		{"dashboard", AnalyticsConfig{Dashboard: true}, ""},
		{"auto_pause 3 2m", AnalyticsConfig{AutoPauseFailures: 3, AutoPauseWindow: caddy.Duration(2 * time.Minute)}, ""},
		{"auto_pause off", AnalyticsConfig{AutoPauseFailures: -1}, ""},
		// Provision checks the value (TestConfigRulesNameFileAndLine).
		{"holdout 60%", AnalyticsConfig{Holdout: "60%"}, ""},
		{"holdout", AnalyticsConfig{}, "holdout needs a value"},
		{"dashboard on", AnalyticsConfig{}, `dashboard takes no value, got "on"`},
		{"auto_pause 0 1m", AnalyticsConfig{}, `auto_pause: "0" is not a positive number of failures`},
		{"auto_pause 3 soon", AnalyticsConfig{}, `auto_pause: "soon" is not a positive duration`},
		{"auto_pause 3", AnalyticsConfig{}, "auto_pause needs <failures> <window>"},
	}
	for _, tt := range tests {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser("upsell {\n" + tt.src + "\n}"))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
		} else if h.AnalyticsConfig != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.src, h.AnalyticsConfig, tt.want)
		}
	}
}

func TestProvisionRejectsABadHoldout(t *testing.T) {
	_, srv := newSimStore(t)
	h := &Handler{Catalog: "testdata/sim-offers.json", Secrets: []string{testSecret}, CartPaths: []string{"/cart"},
		StoreRaw: []byte(`{"url":"` + srv.URL + `"}`), AnalyticsConfig: AnalyticsConfig{Holdout: "ten"}}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	err := h.Provision(ctx)
	defer h.Cleanup()
	if err == nil || !strings.Contains(err.Error(), `holdout "ten"`) {
		t.Errorf("Provision: %v, want the holdout named", err)
	}
}

// getDashboard asks for a dashboard page, as an operator who passed an
// authentication handler when user is not "".
func getDashboard(t *testing.T, h *Handler, target, user string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	repl := caddy.NewReplacer()
	if user != "" {
		repl.Set(authUserPlaceholder, user)
	}
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	err := h.ServeHTTP(rec, req, caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusTeapot) // the store: the dashboard is not Kairo's here
		return nil
	}))
	return rec, err
}

func statusOf(rec *httptest.ResponseRecorder, err error) int {
	if he, ok := err.(caddyhttp.HandlerError); ok {
		return he.StatusCode
	}
	if err != nil {
		return -1
	}
	return rec.Code
}

func TestDashboardIsOffByDefaultAndNeedsAuthentication(t *testing.T) {
	_, srv := newSimStore(t)
	off := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, nil, AnalyticsConfig{})
	if got := statusOf(getDashboard(t, off, "/_upsell/dashboard", "operator")); got != http.StatusNotFound {
		t.Errorf("dashboard not enabled: %d, want 404", got)
	}
	on := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, nil, AnalyticsConfig{Dashboard: true})
	for _, path := range []string{"/_upsell/dashboard", "/_upsell/dashboard.json", "/_upsell/dashboard.csv", "/_upsell/dashboard.css"} {
		rec, err := getDashboard(t, on, path, "")
		if got := statusOf(rec, err); got != http.StatusForbidden || !strings.Contains(fmt.Sprint(err), "basic_auth") {
			t.Errorf("%s without authentication: %d %v, want 403 saying basic_auth", path, got, err)
		}
	}
	rec, err := getDashboard(t, on, "/_upsell/dashboard", "operator")
	if statusOf(rec, err) != http.StatusOK {
		t.Fatalf("dashboard: %d %v", statusOf(rec, err), err)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	// Nothing a strict CSP would block, nothing from elsewhere.
	body := strings.ReplaceAll(rec.Body.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, bad := range []string{"<script", "style=", "<style", "http://", "https://", "onclick", "onload"} {
		if strings.Contains(body, bad) {
			t.Errorf("the dashboard holds %q", bad)
		}
	}
	for _, bad := range []string{"/_upsell/dashboard?days=0", "/_upsell/dashboard?days=93", "/_upsell/dashboard.csv?table=x"} {
		if got := statusOf(getDashboard(t, on, bad, "operator")); got != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, got)
		}
	}
	rec, err = getDashboard(t, on, "/_upsell/dashboard.csv?table=ab&days=3", "operator")
	if statusOf(rec, err) != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "offer,variant,currency,impressions") {
		t.Errorf("A/B CSV: %d %q", statusOf(rec, err), rec.Body.String())
	}
	if lines := strings.Count(rec.Body.String(), "\n"); lines != 3 {
		t.Errorf("A/B CSV has %d lines, want a header and the two variants:\n%s", lines, rec.Body)
	}
}

// failingStore answers every accept with status.
func failingStore(t *testing.T, status int) (*simStore, string) {
	store, srv := newSimStore(t)
	store.status = status
	return store, srv.URL
}

func TestAutoPauseStopsAnOfferThatKeepsFailingUntilReload(t *testing.T) {
	store, url := failingStore(t, http.StatusConflict)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	opts := AnalyticsConfig{AutoPauseFailures: 3, AutoPauseWindow: caddy.Duration(time.Minute), Dashboard: true}
	h := simHandler(t, url, "testdata/sim-offers.json", nil, &now, opts)
	c := newSimClient(t, h)
	accept := func(i int) (paused bool) {
		cookie := fmt.Sprintf("p%d", i)
		store.startCart(cookie, "c-treated-"+cookie, offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: 1500})
		store.checkout(cookie, "op"+cookie)
		page := offersOnPage(c.page("/checkout/success/op"+cookie, cookie))
		tok, ok := page["thermos-pp"]
		if !ok {
			return true
		}
		if status, _ := c.post("accept", tok, "/checkout/success/op"+cookie, cookie); status != http.StatusConflict {
			t.Fatalf("accept: %d, want the store's 409", status)
		}
		flushAnalytics(t, h)
		return false
	}
	// Two failures, then one more after the window: never three within it.
	i := 0
	for _, gap := range []time.Duration{0, 10 * time.Second, 2 * time.Minute} {
		now = now.Add(gap)
		if accept(i) {
			t.Fatalf("failure %d: the offer is paused already", i)
		}
		i++
	}
	// Two more within a minute of the last: the third in the window pauses it.
	for range 2 {
		now = now.Add(5 * time.Second)
		if accept(i) {
			t.Fatalf("failure %d: paused too early", i)
		}
		i++
	}
	if !accept(i) {
		t.Fatal("after three failures within a minute the offer is still shown")
	}
	if got := metricValue(h.analytics.metrics.paused.WithLabelValues("thermos-pp")); got != 1 {
		t.Errorf("offer_paused = %v, want 1", got)
	}
	rep := dashboardJSON(t, h, 1)
	if len(rep.Paused) != 1 || rep.Paused[0].Offer != "thermos-pp" {
		t.Errorf("report paused = %+v", rep.Paused)
	}
	for _, l := range rep.Lines {
		if l.Offer == "thermos-pp" && !l.Paused {
			t.Errorf("line %s/%s not marked paused", l.Offer, l.Variant)
		}
	}
	// Another handler on the same catalog (what a reload provisions) shows
	// it again.
	reloaded := simHandler(t, url, "testdata/sim-offers.json", nil, &now, opts)
	store.startCart("after", "c-after", offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: 1500})
	store.checkout("after", "op-after")
	if _, ok := offersOnPage(newSimClient(t, reloaded).page("/checkout/success/op-after", ""))["thermos-pp"]; !ok {
		t.Error("after a reload the paused offer is still not shown")
	}
}

// Post-purchase revenue is what the store says it charged (here the
// offer's price with the store's 8% tax), not the token's price; a store
// that does not say is counted at the token's price, marked as such.
func TestPostPurchaseRevenueIsWhatTheStoreCharged(t *testing.T) {
	withTax := func(items []offers.Item) int64 { return subtotal(items) * 108 / 100 }
	for _, tt := range []struct {
		name    string
		charges func([]offers.Item) int64
		said    bool
	}{
		{"the store says", withTax, true},
		{"the store does not say", func([]offers.Item) int64 { return -1 }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store, srv := newSimStore(t)
			store.charges = tt.charges
			h := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, nil, AnalyticsConfig{Dashboard: true})
			c := newSimClient(t, h)
			unconfirmedMetric := func() float64 {
				return metricValue(h.analytics.metrics.unconfirmed.WithLabelValues("thank_you", "thermos-pp", "a", "USD")) +
					metricValue(h.analytics.metrics.unconfirmed.WithLabelValues("thank_you", "thermos-pp", "b", "USD"))
			}
			metricBefore := unconfirmedMetric()
			var tokenPrices, charged, orderValues int64
			for i := range 6 {
				cookie := fmt.Sprintf("charge%d", i)
				store.startCart(cookie, "c-"+cookie, offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: 1500})
				order := "o" + cookie
				store.checkout(cookie, order)
				thankYou := "/checkout/success/" + order
				tok, ok := offersOnPage(c.page(thankYou, cookie))["thermos-pp"]
				if !ok {
					t.Fatalf("%s: no thermos offer", order)
				}
				if status, body := c.post("accept", tok, thankYou, cookie); status != http.StatusOK {
					t.Fatalf("accept: %d %s", status, body)
				}
				store.mu.Lock()
				added := store.orders[order].Items[1:]
				store.mu.Unlock()
				tokenPrices += subtotal(added)
				charged += withTax(added)
				orderValues += 1500
			}
			flushAnalytics(t, h)
			var rev, unconfirmed int64
			for _, l := range dashboardJSON(t, h, 1).Lines {
				if l.Offer == "thermos-pp" {
					rev += l.Total.Revenue
					unconfirmed += l.Total.Unconfirmed
				}
			}
			orders := dashboardJSON(t, h, 1).Orders[0].Treated
			rec, err := getDashboard(t, h, "/_upsell/dashboard", "operator")
			if statusOf(rec, err) != http.StatusOK {
				t.Fatalf("dashboard: %d %v", statusOf(rec, err), err)
			}
			marked := strings.Contains(rec.Body.String(), "not confirmed")
			if tt.said {
				if rev != charged || rev == tokenPrices || unconfirmed != 0 || marked {
					t.Errorf("revenue %d (%d unconfirmed, marked %v); the store charged %d, the tokens said %d", rev, unconfirmed, marked, charged, tokenPrices)
				}
				orderValues += charged
			} else {
				if rev != tokenPrices || unconfirmed != tokenPrices || !marked {
					t.Errorf("revenue %d (%d unconfirmed, marked %v); want the tokens' %d, all unconfirmed and marked", rev, unconfirmed, marked, tokenPrices)
				}
				orderValues += tokenPrices
			}
			if got := unconfirmedMetric() - metricBefore; got != float64(unconfirmed) {
				t.Errorf("revenue_unconfirmed metric grew by %v, want %d", got, unconfirmed)
			}
			if orders.Sum != orderValues {
				t.Errorf("order values %d, want %d (the orders and what their accepts charged)", orders.Sum, orderValues)
			}
		})
	}
}

// Two instances on one redis-server, each with its own Redis client: what
// each counts adds up in the dashboard of either, and the process's
// Prometheus counters to the events sent to both.
func TestTwoInstancesOnOneRedisAddUp(t *testing.T) {
	redis := redistest.Start(t, 0)
	client := func() state.Store {
		r, err := state.OpenRedis(redis.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	store, srv := newSimStore(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	opts := AnalyticsConfig{Dashboard: true}
	a := simHandler(t, srv.URL, "testdata/sim-offers.json", client(), &now, opts)
	b := simHandler(t, srv.URL, "testdata/sim-offers.json", client(), &now, opts)
	// One customer's browser goes to both instances.
	browsers := map[string]*cookiejar.Jar{}
	instances := []simClient{{t, a, browsers}, {t, b, browsers}}
	var accepts, cartAccepts, pages int64
	for i := range 200 {
		cookie := fmt.Sprintf("two%03d", i)
		store.startCart(cookie, "c"+cookie, offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: 1500})
		// Each step on the other instance than the one before.
		cartPage := offersOnPage(instances[i%2].page("/cart", cookie))
		if tok, ok := cartPage["mug-cart"]; ok && i%3 == 0 {
			if status, _ := instances[(i+1)%2].post("accept", tok, "/cart", cookie); status != http.StatusOK {
				t.Fatalf("cart accept: %d", status)
			}
			cartAccepts++
		}
		orderID := "otwo" + cookie
		store.checkout(cookie, orderID)
		thankYou := "/checkout/success/" + orderID
		page := offersOnPage(instances[i%2].page(thankYou, cookie))
		pages++
		instances[(i+1)%2].page(thankYou, cookie) // a reload, on the other instance
		if tok, ok := page["thermos-pp"]; ok && i%4 == 0 {
			if status, _ := instances[(i+1)%2].post("accept", tok, thankYou, cookie); status != http.StatusOK {
				t.Fatalf("order accept: %d", status)
			}
			accepts++
		}
	}
	flushAnalytics(t, a)
	flushAnalytics(t, b)
	repA, repB := dashboardJSON(t, a, 1), dashboardJSON(t, b, 1)
	repA.Generated, repB.Generated = time.Time{}, time.Time{}
	if fmt.Sprint(repA) != fmt.Sprint(repB) {
		t.Errorf("the two instances report differently:\n%+v\n%+v", repA, repB)
	}
	var gotAccepts, gotCart, gotImpressions int64
	for _, l := range repA.Lines {
		switch l.Offer {
		case "thermos-pp":
			gotAccepts += l.Total.Accepts
			gotImpressions += l.Total.Impressions
		case "mug-cart":
			gotCart += l.Total.Accepts
		}
	}
	orders := repA.Orders[0].Treated.Orders + repA.Orders[0].Holdout.Orders
	if gotAccepts != accepts || gotCart != cartAccepts || orders != pages {
		t.Errorf("shared figures: %d order accepts, %d cart accepts, %d orders; sent %d, %d, %d", gotAccepts, gotCart, orders, accepts, cartAccepts, pages)
	}
	// Every order is counted once though both instances saw its page.
	if gotImpressions != pages {
		t.Errorf("%d thermos impressions for %d orders seen twice each: want one per order", gotImpressions, pages)
	}
	// Prometheus: handlers in one process share one set of collectors (it
	// outlives config reloads), as two handlers in one Caddy do, so here
	// that set holds what the two instances sent; on two machines each
	// counts its own part and Prometheus sums them.
	if a.metrics != b.metrics || a.analytics.metrics != b.analytics.metrics {
		t.Fatal("two handlers in one process count into different collectors")
	}
	acceptMetric := metricValue(a.metrics.accepts.WithLabelValues("thank_you", "thermos-pp", "a", "accepted")) +
		metricValue(a.metrics.accepts.WithLabelValues("thank_you", "thermos-pp", "b", "accepted"))
	orderMetric := metricValue(a.analytics.metrics.orders.WithLabelValues("treated", "USD")) +
		metricValue(a.analytics.metrics.orders.WithLabelValues("holdout", "USD"))
	if acceptMetric != float64(accepts) || orderMetric != float64(pages) {
		t.Errorf("metrics of the instances: %v accepts, %v orders; sent %d, %d", acceptMetric, orderMetric, accepts, pages)
	}
}

// Counters wait in memory for the recorder's next write; a config reload
// (Caddy provisions the new handler, then cleans up the old one) writes
// them before the old handler goes, so none is lost.
func TestAReloadLosesNoCounts(t *testing.T) {
	store, srv := newSimStore(t)
	st, err := state.OpenFile(filepath.Join(t.TempDir(), "state.db"), state.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The old handler's recorder writes every hour: only its cleanup can
	// have written what the new one reads.
	old := provisionSimHandler(t, srv.URL, "testdata/sim-offers.json", st, nil, AnalyticsConfig{Dashboard: true, flushEvery: time.Hour})
	cleaned := false
	t.Cleanup(func() {
		if !cleaned {
			old.Cleanup()
		}
	})
	c := newSimClient(t, old)
	const customers = 20
	var accepts int64
	for i := range customers {
		cookie := fmt.Sprintf("reload%02d", i)
		store.startCart(cookie, "c-"+cookie, offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: 1500})
		order := "o" + cookie
		store.checkout(cookie, order)
		thankYou := "/checkout/success/" + order
		tok, ok := offersOnPage(c.page(thankYou, cookie))["thermos-pp"]
		if ok && i%2 == 0 {
			if status, body := c.post("accept", tok, thankYou, cookie); status != http.StatusOK {
				t.Fatalf("accept: %d %s", status, body)
			}
			accepts++
		}
	}
	today := dayOf(time.Now())
	if _, found, _ := st.Get(context.Background(), orderKey(today, offers.ArmTreated, "USD", figOrderCount)); found {
		t.Fatal("the order counter was written before the recorder's hourly write or its cleanup")
	}
	next := simHandler(t, srv.URL, "testdata/sim-offers.json", st, nil, AnalyticsConfig{Dashboard: true})
	old.Cleanup()
	cleaned = true
	rep := dashboardJSON(t, next, 1)
	var impressions, gotAccepts int64
	for _, l := range rep.Lines {
		if l.Offer == "thermos-pp" {
			impressions += l.Total.Impressions
			gotAccepts += l.Total.Accepts
		}
	}
	if orders := rep.Orders[0].Treated.Orders; orders != customers || impressions != customers || gotAccepts != accepts {
		t.Errorf("after the reload: %d orders, %d impressions, %d accepts; want %d, %d, %d", orders, impressions, gotAccepts, customers, customers, accepts)
	}
}

// While the state layer refuses the batch, the counts wait in memory; once
// it answers again they are written, none lost and none twice.
func TestCountsWaitOutAStateOutage(t *testing.T) {
	first := redistest.Start(t, 0)
	store, err := state.OpenRedis(first.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m := newAnalyticsMetrics(newMetrics().revenue)
	rec := newRecorder(store, m, nil, zap.NewNop(), time.Hour)
	defer rec.close(10 * time.Second)
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	send := func(from, to int) {
		for i := from; i < to; i++ {
			rec.send(event{kind: evImpression, at: at, offer: "thermos-pp", variant: "a", placement: offers.PlacementThankYou, arm: offers.ArmTreated, subject: fmt.Sprintf("order-%d", i)})
			rec.send(event{kind: evDeclined, at: at, offer: "thermos-pp", variant: "a", placement: offers.PlacementThankYou, arm: offers.ArmTreated})
		}
	}
	ctx := context.Background()
	counter := func(figure string) string {
		v, _, err := store.Get(ctx, offerKey(dayOf(at), "thermos-pp", "a", offers.PlacementThankYou, offers.ArmTreated, figure))
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	send(0, 10)
	if err := rec.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if imp, dec := counter(figImpressions), counter(figDeclines); imp != "10" || dec != "10" {
		t.Fatalf("before the outage: %s impressions, %s declines; want 10, 10", imp, dec)
	}
	first.Stop()
	send(10, 35)
	send(30, 35) // reloads while Redis is down: one impression each
	if err := rec.flush(ctx); err != nil {
		t.Fatal(err)
	}
	// Redis is back on its port, empty: what it had before is gone, what
	// waited in memory is written.
	second := redistest.Start(t, first.Port)
	if second.Port != first.Port {
		t.Fatalf("Redis came back on %d, not %d", second.Port, first.Port)
	}
	// Each flush tries the batch again (the client may need a try to find
	// the server back).
	var imp, dec string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := rec.flush(ctx); err != nil {
			t.Fatal(err)
		}
		if imp, dec = counter(figImpressions), counter(figDeclines); imp != "" {
			break
		}
	}
	if imp != "25" || dec != "30" {
		t.Errorf("after the outage: %s impressions, %s declines; want the 25 and 30 that waited", imp, dec)
	}
	if dropped := metricValue(m.dropped.WithLabelValues("state_error")); dropped != 0 {
		t.Errorf("%v events dropped", dropped)
	}
}

// metricValue reads one counter or gauge.
func metricValue(m prometheus.Metric) float64 {
	var pb dto.Metric
	if err := m.Write(&pb); err != nil {
		panic(err)
	}
	if pb.Counter != nil {
		return pb.Counter.GetValue()
	}
	return pb.Gauge.GetValue()
}

// The Grafana dashboard in docs/ asks only for metrics Kairo has, with
// labels they carry.
func TestGrafanaDashboardNamesRealMetrics(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	_, srv := newSimStore(t)
	h := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, nil, AnalyticsConfig{})
	labels := map[string][]string{} // metric name → its variable labels
	ch := make(chan *prometheus.Desc, 64)
	for _, c := range []prometheus.Collector{h.metrics.impressions, h.metrics.accepts, h.metrics.declines, h.metrics.revenue, h.metrics.pages,
		h.analytics.metrics.shadow, h.analytics.metrics.unconfirmed, h.analytics.metrics.orders, h.analytics.metrics.orderValue, h.analytics.metrics.paused, h.analytics.metrics.dropped} {
		c.Describe(ch)
	}
	close(ch)
	descRE := regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)
	for d := range ch {
		m := descRE.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read %s", d)
		}
		labels[m[1]] = strings.Split(m[2], ",")
	}
	metricRE := regexp.MustCompile(`(kairo_upsell_[a-z_]+)(\{[^}]*\})?`)
	byRE := regexp.MustCompile(`by \(([^)]*)\)`)
	exprs := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs++
			for _, m := range metricRE.FindAllStringSubmatch(tg.Expr, -1) {
				have, ok := labels[m[1]]
				if !ok {
					t.Errorf("panel %q: no metric %s", p.Title, m[1])
					continue
				}
				for _, sel := range regexp.MustCompile(`(\w+)=`).FindAllStringSubmatch(m[2], -1) {
					if !slices.Contains(have, sel[1]) {
						t.Errorf("panel %q: %s has no label %s", p.Title, m[1], sel[1])
					}
				}
				for _, by := range byRE.FindAllStringSubmatch(tg.Expr, -1) {
					for _, l := range strings.Split(by[1], ",") {
						if l = strings.TrimSpace(l); !slices.Contains(have, l) {
							t.Errorf("panel %q: %s has no label %s to sum by", p.Title, m[1], l)
						}
					}
				}
			}
		}
	}
	if exprs < 8 {
		t.Errorf("%d queries in the Grafana dashboard, want the panels the README describes", exprs)
	}
}

// A customer's cart views write which customer the cart is once, not once
// a view (each write is a commit and an fsync on the embedded file); a new
// customer on the cart, or half the record's lifetime, writes it again, and
// a later accept is still credited to the customer.
func TestCartCustomerWrittenOncePerCart(t *testing.T) {
	store := &commitCounter{Store: state.NewMemory(0)}
	m := newAnalyticsMetrics(newMetrics().revenue)
	rec := newRecorder(store, m, nil, zap.NewNop(), time.Hour)
	defer rec.close(10 * time.Second)
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	view := func(cart, customer string, at time.Time) {
		rec.send(event{kind: evCartShown, at: at, order: &offers.Context{ID: cart, Customer: &offers.Customer{ID: customer}}})
	}
	writes := func(want int64, when string) {
		t.Helper()
		if err := rec.flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := store.commits.Load(); got != want {
			t.Errorf("%s: %d state writes, want %d", when, got, want)
		}
	}
	for range 50 {
		view("cart-1", "cust-1", at)
	}
	writes(1, "50 views of one customer's cart")
	view("cart-1", "cust-2", at)
	writes(2, "another customer on the cart")
	view("cart-1", "cust-2", at.Add(cartCustomerTTL/2))
	writes(3, "half the record's lifetime later")
	if v, _, err := store.Get(ctx, idKey("cartcust", "cart-1")); err != nil || string(v) != "cust-2" {
		t.Errorf("the cart's customer: %q %v, want cust-2", v, err)
	}
}

// What an applied accept counts as revenue, and whether it is confirmed.
func TestChargedFor(t *testing.T) {
	cl := offers.Claims{UnitPrice: 1500, Quantity: 2, Currency: "USD"}
	usd := func(n int64) offers.Money { return offers.Money{Amount: n, Currency: "USD"} }
	for _, tc := range []struct {
		name        string
		ans         stores.Answer
		amount      int64
		unconfirmed bool
	}{
		{"the store says what it charged", stores.Answer{Status: 200, Charged: usd(3240)}, 3240, false},
		{"the store says nothing", stores.Answer{Status: 200}, 3000, true},
		{"another currency", stores.Answer{Status: 200, Charged: offers.Money{Amount: 2800, Currency: "EUR"}}, 3000, true},
		{"a follow-up order still to pay", stores.Answer{Status: 200, Mode: stores.ModeFollowUp, FollowUpURL: "/pay/9", Charged: usd(3240)}, 3240, true},
		{"a follow-up order without a link to pay", stores.Answer{Status: 200, Mode: stores.ModeFollowUp, Charged: usd(3240)}, 3240, false},
		{"a charge below zero", stores.Answer{Status: 200, Charged: usd(-500)}, 0, false},
	} {
		amount, unconfirmed := chargedFor(cl, tc.ans)
		if amount != tc.amount || unconfirmed != tc.unconfirmed {
			t.Errorf("%s: %d, unconfirmed %v; want %d, %v", tc.name, amount, unconfirmed, tc.amount, tc.unconfirmed)
		}
	}
	// An offer's shipping is part of what the buyer paid for the accept:
	// counted when the store does not say, as it is in the store's figure.
	shipped := cl
	shipped.Shipping = 499
	if amount, unconfirmed := chargedFor(shipped, stores.Answer{Status: 200}); amount != 3499 || !unconfirmed {
		t.Errorf("with shipping, the store saying nothing: %d, unconfirmed %v; want 3499, true", amount, unconfirmed)
	}
}

// The sum of the squares of order totals is kept in two counters, exact
// where one would overflow: the totals of a currency of large minor units
// (IDR 31,000,000.00 is 3.1e9), added to and changed by accepts.
func TestSquarePartsKeepLargeSumsExact(t *testing.T) {
	var high, low int64
	want := new(big.Int)
	square := func(x int64) *big.Int { return new(big.Int).Mul(big.NewInt(x), big.NewInt(x)) }
	totals := []int64{0, 1, 1 << 32, 3_100_000_000, 99_999_999_999, 190_000_000_000}
	for range 1000 {
		for _, x := range totals {
			h, l := squareParts(x)
			high, low = high+h, low+l
			want.Add(want, square(x))
		}
	}
	// An accept raises one order's total: its square changes part by part.
	fh, fl := squareParts(3_100_000_000)
	th, tl := squareParts(3_100_000_000 + 250_000_000)
	high, low = high+th-fh, low+tl-fl
	want.Sub(want, square(3_100_000_000)).Add(want, square(3_350_000_000))
	got := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(high), 32), big.NewInt(low))
	if got.Cmp(want) != 0 {
		t.Fatalf("the parts sum to %v, want %v", got, want)
	}
	wantF, _ := new(big.Float).SetInt(want).Float64()
	if f := squaresOf(high, low, 0); math.Abs(f-wantF)/wantF > 1e-12 {
		t.Errorf("squaresOf = %g, want %g", f, wantF)
	}
	if f := squaresOf(0, 0, 7); f != 7 {
		t.Errorf("a day written before the split: %g, want 7", f)
	}
}

// An applied accept counts once per accept key: a repeat that took over an
// attempt whose record was lost calls the store again, which answers from
// its own record, and that answer is not a second accept or more revenue.
func TestAcceptCountsOncePerKey(t *testing.T) {
	store := state.NewMemory(0)
	m := newAnalyticsMetrics(newMetrics().revenue)
	rec := newRecorder(store, m, nil, zap.NewNop(), time.Hour)
	defer rec.close(10 * time.Second)
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cl := offers.Claims{OfferID: "thermos-pp", Variant: "a", Placement: offers.PlacementThankYou, Subject: "order-1", Currency: "USD", UnitPrice: 2400, Quantity: 1}
	accept := func(key string) {
		rec.send(event{kind: evAccepted, at: at, offer: cl.OfferID, variant: cl.Variant, placement: cl.Placement, arm: offers.ArmTreated, claims: cl, acceptKey: key, amount: 2400})
	}
	accept("key-1")
	accept("key-1") // the same accept, answered twice
	accept("key-2") // another
	if err := rec.flush(ctx); err != nil {
		t.Fatal(err)
	}
	for fig, want := range map[string]string{figAccepts: "2", figRevenue: "4800"} {
		if v, _, _ := store.Get(ctx, offerKey(dayOf(at), "thermos-pp", "a", offers.PlacementThankYou, offers.ArmTreated, fig)); string(v) != want {
			t.Errorf("%s = %s, want %s", fig, v, want)
		}
	}
}
