package caddymodule

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/offers"
)

// The operator's dashboard: {prefix}/dashboard (HTML with SVG charts),
// {prefix}/dashboard.json and {prefix}/dashboard.csv?table=daily|ab|orders
// (the same figures), {prefix}/dashboard.css. All take ?days=N (1 to 92,
// default 14), the days up to and including today (UTC).

var (
	//go:embed dashboard.gohtml
	dashboardHTML string
	//go:embed dashboard.css
	dashboardCSS []byte

	dashboardTemplate = template.Must(template.New("dashboard").Parse(dashboardHTML))
)

// dashboardCSP allows the page its own stylesheet and nothing else.
const dashboardCSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// authUserPlaceholder is set by Caddy's authentication handler when it
// lets a request through.
const authUserPlaceholder = "http.auth.user.id"

// serveDashboard serves the dashboard's pages to an authenticated operator.
func (h *Handler) serveDashboard(w http.ResponseWriter, r *http.Request, rest string) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return caddyhttp.Error(http.StatusMethodNotAllowed, errors.New("the dashboard is read with GET"))
	}
	if !authenticated(r) {
		// Order values and revenue are the operator's business: without an
		// authentication handler in front, the dashboard stays shut.
		return caddyhttp.Error(http.StatusForbidden, errors.New("the upsell dashboard needs authentication: put basic_auth (or forward_auth) in front of "+h.Prefix+"/dashboard*"))
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if rest == "dashboard.css" {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, err := w.Write(dashboardCSS)
		return err
	}
	days, err := reportDays(r)
	if err != nil {
		return caddyhttp.Error(http.StatusBadRequest, err)
	}
	to := h.now().UTC()
	rep, err := h.report(r.Context(), to.AddDate(0, 0, -(days-1)), to)
	if err != nil {
		return caddyhttp.Error(http.StatusServiceUnavailable, fmt.Errorf("reading the analytics counters: %w", err))
	}
	switch rest {
	case "dashboard.json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "dashboard.csv":
		return writeReportCSV(w, r, rep)
	}
	var buf bytes.Buffer
	if err := dashboardTemplate.Execute(&buf, newDashboardView(h.Prefix, days, rep)); err != nil {
		return caddyhttp.Error(http.StatusInternalServerError, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", dashboardCSP)
	_, err = w.Write(buf.Bytes())
	return err
}

// authenticated reports whether an authentication handler let the request
// through.
func authenticated(r *http.Request) bool {
	repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	if !ok {
		return false
	}
	user, _ := repl.GetString(authUserPlaceholder)
	return user != ""
}

// reportDays reads ?days=N.
func reportDays(r *http.Request) (int, error) {
	s := r.URL.Query().Get("days")
	if s == "" {
		return defaultReportDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxReportDays {
		return 0, fmt.Errorf("days=%q: want a whole number from 1 to %d", s, maxReportDays)
	}
	return n, nil
}

// writeReportCSV writes one table of the report as CSV.
func writeReportCSV(w http.ResponseWriter, r *http.Request, rep *Report) error {
	table := r.URL.Query().Get("table")
	if table == "" {
		table = "daily"
	}
	var rows [][]string
	switch table {
	case "daily":
		rows = append(rows, []string{"day", "offer", "variant", "placement", "currency", "shadow", "impressions", "accepts", "take_rate", "declines", "failures", "shadow_impressions", "orders_with_cart_accept", "revenue_minor_units", "revenue_unconfirmed_minor_units"})
		for _, l := range rep.Lines {
			for _, f := range l.Daily {
				rows = append(rows, []string{f.Day, l.Offer, l.Variant, l.Placement, l.Currency, strconv.FormatBool(l.Shadow),
					itoa(f.Impressions), itoa(f.Accepts), ftoa(f.TakeRate()), itoa(f.Declines), itoa(f.Failures), itoa(f.Shadow), itoa(f.Orders), itoa(f.Revenue), itoa(f.Unconfirmed)})
			}
		}
	case "ab":
		rows = append(rows, []string{"offer", "variant", "currency", "impressions", "accepts", "take_rate", "revenue_minor_units", "revenue_per_impression", "p_value", "verdict"})
		for _, e := range rep.Experiments {
			for _, v := range e.Variants {
				rows = append(rows, []string{e.Offer, v.Variant, e.Currency, itoa(v.Impressions), itoa(v.Accepts), ftoa(v.TakeRate), itoa(v.Revenue), ftoa(v.RevenuePerImpression), ftoa(v.PValue), string(v.Verdict)})
			}
		}
	case "orders":
		rows = append(rows, []string{"currency", "treated_orders", "treated_aov", "holdout_orders", "holdout_aov", "incremental_per_order", "low", "high", "level", "incremental_revenue"})
		for _, o := range rep.Orders {
			row := []string{o.Currency, itoa(o.Treated.Orders), ftoa(o.TreatedAOV), itoa(o.Holdout.Orders), ftoa(o.HoldoutAOV), "", "", "", "", ""}
			if inc := o.Incremental; inc != nil {
				row[5], row[6], row[7], row[8], row[9] = ftoa(inc.PerOrder), ftoa(inc.Low), ftoa(inc.High), ftoa(inc.Level), ftoa(o.IncrementalRevenue)
			}
			rows = append(rows, row)
		}
	default:
		return caddyhttp.Error(http.StatusBadRequest, fmt.Errorf("table=%q: want daily, ab or orders", table))
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kairo-%s-%s-%s.csv"`, table, rep.From, rep.To))
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// dashboardView is what the template shows.
type dashboardView struct {
	Prefix      string
	Days        int
	Report      *Report
	TakeRate    template.HTML
	Revenue     template.HTML
	Reach       template.HTML // nil without shadow offers
	Incremental template.HTML // nil until an arm comparison exists
	Lines       []lineView
	Tests       []testView
	Orders      []ordersView
	Paused      []Paused
	Level       string
	// AnyUnconfirmed is set when some revenue was not confirmed by the store.
	AnyUnconfirmed bool
}

type lineView struct {
	OfferLine
	TakeRate, Revenue, PerImpression string
	// Unconfirmed is the revenue counted at the offer's price, "" when none.
	Unconfirmed string
}

type testView struct {
	Offer    string
	Variants []variantView
}

type variantView struct {
	offers.VariantResult
	TakeRate, Revenue, PerImpression, PValue string
}

type ordersView struct {
	Currency, TreatedAOV, HoldoutAOV, PerOrder, Interval, Total string
	Treated, Holdout                                            int64
	Verdict                                                     string
}

func newDashboardView(prefix string, days int, rep *Report) dashboardView {
	v := dashboardView{Prefix: prefix, Days: days, Report: rep, Paused: rep.Paused, Level: percent(1 - rep.Alpha)}
	var rates, revenue, reach []chartSeries
	for _, l := range rep.Lines {
		name := l.Offer
		if l.Variant != "" {
			name += " / " + l.Variant
		}
		name += " · " + l.Placement
		rate, rev, shadow := make([]float64, len(l.Daily)), make([]float64, len(l.Daily)), make([]float64, len(l.Daily))
		for i, f := range l.Daily {
			rate[i] = f.TakeRate()
			rev[i] = major(f.Revenue, l.Currency)
			shadow[i] = float64(f.Shadow)
		}
		if l.Shadow {
			reach = append(reach, chartSeries{name, shadow})
		} else {
			rates = append(rates, chartSeries{name, rate})
			revenue = append(revenue, chartSeries{name + " (" + l.Currency + ")", rev})
		}
		lv := lineView{OfferLine: l, TakeRate: percent(l.Total.TakeRate()),
			Revenue: money(float64(l.Total.Revenue), l.Currency), PerImpression: money(perImpression(l.Total), l.Currency)}
		if l.Total.Unconfirmed != 0 {
			lv.Unconfirmed = money(float64(l.Total.Unconfirmed), l.Currency)
			v.AnyUnconfirmed = true
		}
		v.Lines = append(v.Lines, lv)
	}
	v.TakeRate = lineChart("Take rate per day (accepts per impression)", rep.Days, rates, percent)
	v.Revenue = lineChart("Attributed revenue per day", rep.Days, revenue, func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) })
	if len(reach) > 0 {
		v.Reach = lineChart("Shadow offers: pages they would have been on, per day", rep.Days, reach, func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) })
	}
	for _, e := range rep.Experiments {
		tv := testView{Offer: e.Offer}
		for _, r := range e.Variants {
			tv.Variants = append(tv.Variants, variantView{VariantResult: r, TakeRate: percent(r.TakeRate),
				Revenue: money(float64(r.Revenue), e.Currency), PerImpression: money(r.RevenuePerImpression, e.Currency), PValue: pvalue(r.PValue)})
		}
		v.Tests = append(v.Tests, tv)
	}
	var intervals []chartInterval
	for _, o := range rep.Orders {
		ov := ordersView{Currency: o.Currency, Treated: o.Treated.Orders, Holdout: o.Holdout.Orders,
			TreatedAOV: money(o.TreatedAOV, o.Currency), HoldoutAOV: money(o.HoldoutAOV, o.Currency), Verdict: "not enough orders yet"}
		if inc := o.Incremental; inc != nil {
			ov.PerOrder = money(inc.PerOrder, o.Currency)
			ov.Interval = money(inc.Low, o.Currency) + " to " + money(inc.High, o.Currency)
			ov.Total = money(o.IncrementalRevenue, o.Currency)
			switch {
			case inc.Low > 0:
				ov.Verdict = "the offers add to the average order"
			case inc.High < 0:
				ov.Verdict = "the offers lower the average order"
			default:
				ov.Verdict = "no difference shown yet"
			}
			intervals = append(intervals, chartInterval{o.Currency, major(int64(math.Round(inc.PerOrder)), o.Currency), major(int64(math.Floor(inc.Low)), o.Currency), major(int64(math.Ceil(inc.High)), o.Currency)})
		}
		v.Orders = append(v.Orders, ov)
	}
	if len(intervals) > 0 {
		v.Incremental = intervalChart("Incremental revenue per order, treated minus held out, with its interval", intervals, func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) })
	}
	return v
}

// perImpression is a line's revenue per impression.
func perImpression(f Figures) float64 {
	if f.Impressions == 0 {
		return 0
	}
	return float64(f.Revenue) / float64(f.Impressions)
}

// major converts minor units to major units of the currency.
func major(minor int64, currency string) float64 {
	digits, _ := offers.CurrencyDigits(currency)
	return float64(minor) / math.Pow10(digits)
}

// money writes an amount in minor units (maybe fractional) as major units
// with the currency's digits.
func money(minor float64, currency string) string {
	digits, _ := offers.CurrencyDigits(currency)
	return strconv.FormatFloat(minor/math.Pow10(digits), 'f', digits, 64) + " " + currency
}

// percent writes a share as a percentage with one decimal.
func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// pvalue writes a p-value for the A/B table.
func pvalue(p float64) string {
	if p < 0.0001 {
		return "< 0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}
