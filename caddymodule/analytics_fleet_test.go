package caddymodule_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/redistest"
)

// The analytics of a fleet: two Caddy processes (cmd/caddy) on one
// redis-server, each customer's steps spread over both. Each process's
// Prometheus counters hold its own part, and the two add up to the events
// sent to the fleet; the dashboards of both show the same figures, equal
// to them. Ports 9185 and 9186.
func TestAnalyticsOfTwoCaddyProcessesOnOneRedisAddUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Caddy processes")
	}
	redis := redistest.Start(t, 0)
	store := newCountingStore(t)
	site := "basic_auth /_upsell/dashboard* {\n\t\toperator " + operatorHash + "\n\t}\n\tmetrics /metrics"
	opts := "post_purchase inline\n\t\tstate " + redis.URL + "\n\t\tdashboard"
	fleet := []*instance{newInstanceSite(t, 9185, site, opts, store), newInstanceSite(t, 9186, site, opts, store)}

	const customers = 60
	var accepts, declines int
	for i := range customers {
		s := newShopper(t)
		order := fmt.Sprintf("fleet-an-%d", i)
		thankYou := "/checkout/success/" + order
		first, other := fleet[i%2], fleet[(i+1)%2]
		tok := thankYouToken(t, s, first, order)
		s.get(other.base + thankYou) // a reload, on the other instance
		switch i % 3 {
		case 0:
			if status, ans := s.actAt(other.base, "accept", tok, thankYou); status != http.StatusOK || ans.Status != "accepted" {
				t.Fatalf("accept %d: %d %+v", i, status, ans)
			}
			accepts++
		case 1:
			if status, ans := s.actAt(other.base, "decline", tok, thankYou); status != http.StatusOK {
				t.Fatalf("decline %d: %d %+v", i, status, ans)
			}
			declines++
		}
	}

	// The counters are written within a second, each instance's on its own
	// tick: wait until both dashboards hold every order, accept and
	// decline sent.
	type report struct {
		Offers []struct {
			Offer string
			Total struct {
				Impressions, Accepts, Declines, Revenue int64
				Unconfirmed                             int64 `json:"revenue_unconfirmed"`
			}
		}
		Orders []struct {
			Treated, Holdout struct{ Orders, Sum int64 }
		}
	}
	dashboard := func(in *instance) report {
		resp, body := getAs(t, in.base+"/_upsell/dashboard.json?days=1", "operator", "open-sesame")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s dashboard: %d %s", in.base, resp.StatusCode, body)
		}
		var rep report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatalf("%s dashboard: %v", in.base, err)
		}
		return rep
	}
	orders := func(rep report) (n int64) {
		for _, o := range rep.Orders {
			n += o.Treated.Orders + o.Holdout.Orders
		}
		return n
	}
	complete := func(rep report) bool {
		return orders(rep) == customers && len(rep.Offers) == 1 &&
			rep.Offers[0].Total.Accepts == int64(accepts) && rep.Offers[0].Total.Declines == int64(declines)
	}
	var reps [2]report
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		reps = [2]report{dashboard(fleet[0]), dashboard(fleet[1])}
		if (complete(reps[0]) && complete(reps[1])) || time.Now().After(deadline) {
			break
		}
	}
	if !reflect.DeepEqual(reps[0], reps[1]) {
		t.Errorf("the two dashboards differ:\n%+v\n%+v", reps[0], reps[1])
	}
	rep := reps[0]
	if len(rep.Offers) != 1 || rep.Offers[0].Offer != "thermos" {
		t.Fatalf("dashboard offers %+v", rep.Offers)
	}
	got := rep.Offers[0].Total
	revenue := int64(accepts) * 2999 // the store's answer does not say what it charged
	if orders(rep) != customers || got.Impressions != customers || got.Accepts != int64(accepts) || got.Declines != int64(declines) ||
		got.Revenue != revenue || got.Unconfirmed != revenue {
		t.Errorf("dashboard: %d orders, %+v; sent %d orders (one impression each), %d accepts, %d declines, %d revenue",
			orders(rep), got, customers, accepts, declines, revenue)
	}

	// Prometheus: each process counts what it saw; the sum is the fleet's.
	sum := map[string]float64{}
	for _, in := range fleet {
		_, text := newShopper(t).get(in.base + "/metrics")
		part := map[string]float64{
			"orders":   metricSum(text, "kairo_upsell_orders_total"),
			"accepts":  metricSum(text, "kairo_upsell_accepts_total", `outcome="accepted"`),
			"declines": metricSum(text, "kairo_upsell_declines_total"),
			"revenue":  metricSum(text, "kairo_upsell_revenue_minor_units_total"),
		}
		for name, v := range part {
			if v == 0 {
				t.Errorf("%s counted no %s: each instance should hold its part", in.base, name)
			}
			sum[name] += v
		}
	}
	want := map[string]float64{"orders": customers, "accepts": float64(accepts), "declines": float64(declines), "revenue": float64(revenue)}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("metrics of the two processes add up to %v, want %v", sum, want)
	}
}

// metricSum adds the values of a metric's series whose labels contain
// every one of match, in Prometheus's text format.
func metricSum(text, name string, match ...string) float64 {
	var total float64
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, m := range match {
			ok = ok && strings.Contains(line, m)
		}
		if !ok {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
			total += v
		}
	}
	return total
}
