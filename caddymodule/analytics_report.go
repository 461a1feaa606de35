package caddymodule

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
)

// Days a report covers: the default, and the most a request may ask for.
const (
	defaultReportDays = 14
	maxReportDays     = 92
)

// reportReaders is how many counters a report reads at once.
const reportReaders = 8

// Report is what the dashboard shows and exports: the figures of the days
// shown, read from the counters in the state layer, so every instance of
// a fleet on one store shows the same.
type Report struct {
	From        string      `json:"from"`
	To          string      `json:"to"`
	Days        []string    `json:"days"`
	Holdout     string      `json:"holdout"`
	Generated   time.Time   `json:"generated"`
	Lines       []OfferLine `json:"offers"`
	Experiments []ABTest    `json:"experiments"`
	Orders      []ArmsByCur `json:"orders"`
	Paused      []Paused    `json:"paused"`
	// Alpha is the significance level of the verdicts and 1-Alpha the
	// confidence of the intervals.
	Alpha float64 `json:"alpha"`
}

// Figures are the counts of one offer line on one day (or in total).
type Figures struct {
	Day         string `json:"day,omitempty"`
	Impressions int64  `json:"impressions"`
	Shadow      int64  `json:"shadow"`
	Accepts     int64  `json:"accepts"`
	Failures    int64  `json:"failures"`
	Declines    int64  `json:"declines"`
	// Revenue is attributed revenue in minor units of the offer's currency.
	Revenue int64 `json:"revenue"`
	// Orders counts orders that contain an accepted cart offer.
	Orders int64 `json:"orders"`
	// Unconfirmed is the part of Revenue counted at the offer's price:
	// post-purchase accepts whose store did not say what it charged.
	Unconfirmed int64 `json:"revenue_unconfirmed"`
}

// TakeRate is accepts per impression.
func (f Figures) TakeRate() float64 {
	if f.Impressions == 0 {
		return 0
	}
	return float64(f.Accepts) / float64(f.Impressions)
}

func (f *Figures) add(o Figures) {
	f.Impressions += o.Impressions
	f.Shadow += o.Shadow
	f.Accepts += o.Accepts
	f.Failures += o.Failures
	f.Declines += o.Declines
	f.Revenue += o.Revenue
	f.Orders += o.Orders
	f.Unconfirmed += o.Unconfirmed
}

// set puts one counter's value into its figure.
func (f *Figures) set(figure string, v int64) {
	switch figure {
	case figImpressions:
		f.Impressions = v
	case figShadow:
		f.Shadow = v
	case figAccepts:
		f.Accepts = v
	case figFailures:
		f.Failures = v
	case figDeclines:
		f.Declines = v
	case figRevenue:
		f.Revenue = v
	case figOrders:
		f.Orders = v
	case figUnconfirmed:
		f.Unconfirmed = v
	}
}

// OfferLine is one offer × variant × placement over the days shown (the
// treated arm: held-out customers are never shown an offer).
type OfferLine struct {
	Offer     string    `json:"offer"`
	Variant   string    `json:"variant"`
	Placement string    `json:"placement"`
	Currency  string    `json:"currency"`
	Shadow    bool      `json:"shadow"`
	Paused    bool      `json:"paused"`
	Daily     []Figures `json:"daily"`
	Total     Figures   `json:"total"`
}

// ABTest is the A/B table of one offer with variants.
type ABTest struct {
	Offer    string                 `json:"offer"`
	Currency string                 `json:"currency"`
	Variants []offers.VariantResult `json:"variants"`
}

// ArmsByCur compares treated and held-out orders in one currency.
type ArmsByCur struct {
	Currency string             `json:"currency"`
	Treated  offers.OrderValues `json:"treated"`
	Holdout  offers.OrderValues `json:"holdout"`
	// TreatedAOV and HoldoutAOV are average order values, minor units.
	TreatedAOV float64 `json:"treated_aov"`
	HoldoutAOV float64 `json:"holdout_aov"`
	// Incremental is nil until both arms have two orders.
	Incremental *offers.Incremental `json:"incremental,omitempty"`
	// IncrementalRevenue is Incremental.PerOrder times the treated orders.
	IncrementalRevenue float64 `json:"incremental_revenue"`
}

// Paused is an offer the auto-pause took off the pages.
type Paused struct {
	Offer string    `json:"offer"`
	Since time.Time `json:"since"`
}

// counterRead is one counter to read and where its value goes.
type counterRead struct {
	key string
	put func(int64)
}

// report reads the figures of days [from, to] (UTC dates) from the state
// layer, enumerating every key from the catalog: offers × variants ×
// placements × days, and orders × arms × currencies × days.
func (h *Handler) report(ctx context.Context, from, to time.Time) (*Report, error) {
	a := h.analytics
	rep := &Report{From: dayOf(from), To: dayOf(to), Holdout: a.holdout.String(), Generated: h.now().UTC(), Alpha: offers.DefaultAlpha}
	if a.test.Alpha > 0 {
		rep.Alpha = a.test.Alpha
	}
	for d := from.UTC().Truncate(24 * time.Hour); !d.After(to); d = d.Add(24 * time.Hour) {
		rep.Days = append(rep.Days, dayOf(d))
	}
	var reads []counterRead
	var squares []func() // each day's sums of squares, joined after the reads
	var currencies []string
	paused := a.pause.pausedSince()
	for _, o := range h.catalog.Offers() {
		if !slices.Contains(currencies, o.Product.Currency) {
			currencies = append(currencies, o.Product.Currency)
		}
		variants := []string{""}
		if len(o.Variants) > 0 {
			variants = variants[:0]
			for _, v := range o.Variants {
				variants = append(variants, v.ID)
			}
		}
		for _, pl := range o.Placements {
			for _, v := range variants {
				line := &OfferLine{Offer: o.ID, Variant: v, Placement: string(pl), Currency: o.Product.Currency, Shadow: o.Shadow, Daily: make([]Figures, len(rep.Days))}
				_, line.Paused = paused[o.ID]
				for i, day := range rep.Days {
					line.Daily[i].Day = day
				}
				rep.Lines = append(rep.Lines, *line)
			}
		}
	}
	for li := range rep.Lines {
		line := &rep.Lines[li]
		for i, day := range rep.Days {
			f := &line.Daily[i]
			for _, fig := range offerFigures {
				reads = append(reads, counterRead{offerKey(day, line.Offer, line.Variant, offers.Placement(line.Placement), offers.ArmTreated, fig), func(n int64) { f.set(fig, n) }})
			}
		}
	}
	rep.Orders = make([]ArmsByCur, len(currencies))
	for ci, cur := range currencies {
		byArm := &rep.Orders[ci]
		byArm.Currency = cur
		for _, arm := range offers.Arms {
			ov := &byArm.Treated
			if arm == offers.ArmHoldout {
				ov = &byArm.Holdout
			}
			var mu sync.Mutex
			for _, day := range rep.Days {
				var high, low, old int64 // summed apart, joined once read (squaresOf)
				reads = append(reads,
					counterRead{orderKey(day, arm, cur, figOrderCount), func(n int64) { mu.Lock(); ov.Orders += n; mu.Unlock() }},
					counterRead{orderKey(day, arm, cur, figOrderSum), func(n int64) { mu.Lock(); ov.Sum += n; mu.Unlock() }},
					counterRead{orderKey(day, arm, cur, figOrderSquaresHigh), func(n int64) { mu.Lock(); high = n; mu.Unlock() }},
					counterRead{orderKey(day, arm, cur, figOrderSquaresLow), func(n int64) { mu.Lock(); low = n; mu.Unlock() }},
					counterRead{orderKey(day, arm, cur, figOrderSquaresOld), func(n int64) { mu.Lock(); old = n; mu.Unlock() }},
				)
				squares = append(squares, func() { ov.SumSquares += squaresOf(high, low, old) })
			}
		}
	}
	if err := readCounters(ctx, h.state, reads); err != nil {
		return nil, err
	}
	for _, join := range squares {
		join()
	}
	for i := range rep.Lines {
		for _, f := range rep.Lines[i].Daily {
			rep.Lines[i].Total.add(f)
		}
	}
	rep.Experiments = a.experiments(h.catalog, rep)
	for i := range rep.Orders {
		o := &rep.Orders[i]
		o.TreatedAOV, o.HoldoutAOV = o.Treated.Mean(), o.Holdout.Mean()
		if inc, ok := a.test.IncrementalPerOrder(o.Treated, o.Holdout); ok {
			o.Incremental = &inc
			o.IncrementalRevenue = inc.PerOrder * float64(o.Treated.Orders)
		}
	}
	for offer, since := range paused {
		rep.Paused = append(rep.Paused, Paused{Offer: offer, Since: since.UTC()})
	}
	slices.SortFunc(rep.Paused, func(x, y Paused) int { return x.Since.Compare(y.Since) })
	return rep, nil
}

// experiments judges every offer with variants, placements together.
func (a *analytics) experiments(cat *offers.Catalog, rep *Report) []ABTest {
	var out []ABTest
	for _, o := range cat.Offers() {
		if len(o.Variants) < 2 {
			continue
		}
		days := make([][]offers.VariantCounts, len(rep.Days))
		for d := range days {
			days[d] = make([]offers.VariantCounts, len(o.Variants))
			for vi, v := range o.Variants {
				days[d][vi].Variant = v.ID
			}
		}
		for _, line := range rep.Lines {
			if line.Offer != o.ID {
				continue
			}
			vi := slices.IndexFunc(o.Variants, func(v offers.Variant) bool { return v.ID == line.Variant })
			for d, f := range line.Daily {
				c := &days[d][vi]
				c.Impressions += f.Impressions
				c.Accepts += f.Accepts
				c.Revenue += f.Revenue
			}
		}
		out = append(out, ABTest{Offer: o.ID, Currency: o.Product.Currency, Variants: a.test.Judge(days)})
	}
	return out
}

// readCounters reads counters a few at a time; a missing counter is 0.
func readCounters(ctx context.Context, store state.Store, reads []counterRead) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan counterRead)
	errs := make(chan error, reportReaders)
	var wg sync.WaitGroup
	for range reportReaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rd := range next {
				v, found, err := store.Get(ctx, rd.key)
				if err != nil {
					errs <- err
					cancel()
					return
				}
				if found {
					if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
						rd.put(n)
					}
				}
			}
		}()
	}
feed:
	for _, rd := range reads {
		select {
		case next <- rd:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}
