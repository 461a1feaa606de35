package offers

import "math"

// Experiment statistics: the A/B verdict between an offer's variants and
// the incremental order value of the held-back control group. Both use the
// mixture sequential probability ratio test (mSPRT) with a normal mixture
// (Johari, Pekelis, Walsh, "Always Valid Inference", 2017): its p-values
// and intervals stay valid however often the operator looks, so a
// dashboard read every day does not inflate false winners the way a
// repeated fixed-horizon test does.

// Verdict is what an A/B test says about one variant.
type Verdict string

// The verdicts. A winner beats every other variant, a loser is beaten by
// at least one, both at the test's significance level; otherwise not yet.
const (
	VerdictWinner Verdict = "winner"
	VerdictLoser  Verdict = "loser"
	VerdictNotYet Verdict = "not_yet"
)

// Defaults of SequentialTest.
const (
	DefaultAlpha          = 0.05
	DefaultTakeRateTau    = 0.05
	DefaultAOVTauShare    = 0.05
	DefaultMinImpressions = 100
)

// SequentialTest holds the settings of the always-valid tests. The zero
// value uses the defaults.
type SequentialTest struct {
	// Alpha is the significance level: the chance of ever naming a winner
	// that is not better, over any number of looks. Default 0.05. With k
	// variants each pair is tested at Alpha/(k-1) (Bonferroni).
	Alpha float64
	// TakeRateTau is the standard deviation of the normal mixture over the
	// difference of take rates: the size of difference the test is
	// quickest to find. Default 0.05 (5 points).
	TakeRateTau float64
	// AOVTauShare sets the mixture's standard deviation for the difference
	// of order values as a share of the pooled average order value.
	// Default 0.05 (a 5% lift).
	AOVTauShare float64
	// MinImpressions is how many impressions each of two variants needs
	// before they are compared. Default 100.
	MinImpressions int64
}

func (t SequentialTest) alpha() float64 {
	if t.Alpha > 0 && t.Alpha < 1 {
		return t.Alpha
	}
	return DefaultAlpha
}

func (t SequentialTest) takeRateTau() float64 {
	if t.TakeRateTau > 0 {
		return t.TakeRateTau
	}
	return DefaultTakeRateTau
}

func (t SequentialTest) aovTauShare() float64 {
	if t.AOVTauShare > 0 {
		return t.AOVTauShare
	}
	return DefaultAOVTauShare
}

func (t SequentialTest) minImpressions() int64 {
	if t.MinImpressions > 0 {
		return t.MinImpressions
	}
	return DefaultMinImpressions
}

// MixtureLikelihoodRatio is the mSPRT statistic for the hypothesis that a
// difference is zero, given its estimate d, the estimate's variance v and
// the mixture variance tau2: sqrt(v/(v+tau2)) * exp(tau2*d^2 / (2v(v+tau2))).
func MixtureLikelihoodRatio(d, v, tau2 float64) float64 {
	if v <= 0 || tau2 <= 0 {
		return 1
	}
	return math.Sqrt(v/(v+tau2)) * math.Exp(tau2*d*d/(2*v*(v+tau2)))
}

// AlwaysValidP is the always-valid p-value at one look: 1/Λ, at most 1.
// Taking the smallest over successive looks keeps it valid.
func AlwaysValidP(d, v, tau2 float64) float64 {
	return math.Min(1, 1/MixtureLikelihoodRatio(d, v, tau2))
}

// ConfidenceSequence is the always-valid interval of a difference at
// level alpha: the values theta for which the mSPRT of "the difference is
// theta" does not reject.
func ConfidenceSequence(d, v, tau2, alpha float64) (low, high float64) {
	if v <= 0 || tau2 <= 0 {
		return math.Inf(-1), math.Inf(1)
	}
	half := math.Sqrt(2 * v * (v + tau2) / tau2 * (math.Log(1/alpha) + 0.5*math.Log((v+tau2)/v)))
	return d - half, d + half
}

// VariantCounts is what was counted for one variant of an offer.
type VariantCounts struct {
	Variant     string `json:"variant"`
	Impressions int64  `json:"impressions"`
	Accepts     int64  `json:"accepts"`
	// Revenue is the attributed revenue, minor units of the offer's currency.
	Revenue int64 `json:"revenue"`
}

// add sums two counts of the same variant.
func (c VariantCounts) add(o VariantCounts) VariantCounts {
	c.Impressions += o.Impressions
	c.Accepts += o.Accepts
	c.Revenue += o.Revenue
	return c
}

// TakeRate is accepts per impression, 0 without impressions.
func (c VariantCounts) TakeRate() float64 {
	if c.Impressions == 0 {
		return 0
	}
	return float64(c.Accepts) / float64(c.Impressions)
}

// RevenuePerImpression is the attributed revenue per impression, in minor
// units, 0 without impressions.
func (c VariantCounts) RevenuePerImpression() float64 {
	if c.Impressions == 0 {
		return 0
	}
	return float64(c.Revenue) / float64(c.Impressions)
}

// takeRateVariance is the variance of the take-rate estimate. Rates are
// shrunk by half an accept ((x+0.5)/(n+1)) so that a variant with no
// accepts yet still has a variance to compare with.
func (c VariantCounts) takeRateVariance() float64 {
	n := float64(c.Impressions)
	p := (float64(c.Accepts) + 0.5) / (n + 1)
	return p * (1 - p) / n
}

// VariantResult is one variant's line of the A/B table.
type VariantResult struct {
	VariantCounts
	TakeRate             float64 `json:"take_rate"`
	RevenuePerImpression float64 `json:"revenue_per_impression"`
	// PValue is the always-valid p-value of the comparison with the best
	// other variant (by take rate), smallest over the daily looks.
	PValue  float64 `json:"p_value"`
	Verdict Verdict `json:"verdict"`
}

// Judge compares an offer's variants on take rate. days[d][i] holds the
// counts of variant i on day d (every day lists the variants in the same
// order); each day is one look, at the totals up to and including it, and
// a pair's p-value, in each direction, is the smallest over the looks
// where that one of the two led. A variant wins when it has the higher
// take rate against every other variant and, for each, a look where it
// led with a p-value of at most Alpha/(k-1); it loses when some variant
// with a higher take rate beats it so. Evidence seen while one variant
// led never counts for the other.
func (t SequentialTest) Judge(days [][]VariantCounts) []VariantResult {
	if len(days) == 0 {
		return nil
	}
	k := len(days[0])
	totals := make([]VariantCounts, k)
	for i := range totals {
		totals[i].Variant = days[0][i].Variant
	}
	pmin := make([][]float64, k)
	for i := range pmin {
		pmin[i] = make([]float64, k)
		for j := range pmin[i] {
			pmin[i][j] = 1
		}
	}
	tau2 := t.takeRateTau() * t.takeRateTau()
	for _, day := range days {
		for i := range totals {
			if i < len(day) {
				totals[i] = totals[i].add(day[i])
			}
		}
		for i := 0; i < k; i++ {
			for j := i + 1; j < k; j++ {
				a, b := totals[i], totals[j]
				if a.Impressions < t.minImpressions() || b.Impressions < t.minImpressions() {
					continue
				}
				// Evidence counts for the direction it was seen in: a look
				// where i led j says nothing for j over i.
				p := AlwaysValidP(a.TakeRate()-b.TakeRate(), a.takeRateVariance()+b.takeRateVariance(), tau2)
				switch {
				case a.TakeRate() > b.TakeRate():
					pmin[i][j] = math.Min(pmin[i][j], p)
				case b.TakeRate() > a.TakeRate():
					pmin[j][i] = math.Min(pmin[j][i], p)
				}
			}
		}
	}
	level := t.alpha()
	if k > 1 {
		level /= float64(k - 1)
	}
	out := make([]VariantResult, k)
	for i, c := range totals {
		r := VariantResult{VariantCounts: c, TakeRate: c.TakeRate(), RevenuePerImpression: c.RevenuePerImpression(), PValue: 1, Verdict: VerdictNotYet}
		best, wins, loses := -1, k > 1, false
		for j, o := range totals {
			if j == i {
				continue
			}
			if best < 0 || o.TakeRate() > totals[best].TakeRate() {
				best = j
			}
			wins = wins && pmin[i][j] <= level && c.TakeRate() > o.TakeRate()
			loses = loses || pmin[j][i] <= level && o.TakeRate() > c.TakeRate()
		}
		if best >= 0 {
			r.PValue = math.Min(pmin[i][best], pmin[best][i]) // of a difference, either way
		}
		switch {
		case wins:
			r.Verdict = VerdictWinner
		case loses:
			r.Verdict = VerdictLoser
		}
		out[i] = r
	}
	return out
}

// OrderValues sums the totals of a set of orders, in minor units of one
// currency: enough for their mean and variance.
type OrderValues struct {
	Orders     int64   `json:"orders"`
	Sum        int64   `json:"sum"`
	SumSquares float64 `json:"sum_squares"`
}

// Mean is the average order value, 0 without orders.
func (o OrderValues) Mean() float64 {
	if o.Orders == 0 {
		return 0
	}
	return float64(o.Sum) / float64(o.Orders)
}

// Variance is the sample variance of the order values, 0 below two orders.
func (o OrderValues) Variance() float64 {
	if o.Orders < 2 {
		return 0
	}
	n := float64(o.Orders)
	mean := float64(o.Sum) / n
	return math.Max(0, (o.SumSquares-n*mean*mean)/(n-1))
}

// Incremental is what the offers add to an average order, against the
// held-back customers, with its always-valid interval.
type Incremental struct {
	// PerOrder is treated AOV minus held-out AOV, minor units.
	PerOrder float64 `json:"per_order"`
	// Low and High bound PerOrder at level 1-Alpha.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Level is the interval's confidence, e.g. 0.95.
	Level float64 `json:"level"`
}

// IncrementalPerOrder compares the average order value of treated and
// held-out customers. ok is false until each side has two orders.
func (t SequentialTest) IncrementalPerOrder(treated, holdout OrderValues) (inc Incremental, ok bool) {
	if treated.Orders < 2 || holdout.Orders < 2 {
		return Incremental{}, false
	}
	d := treated.Mean() - holdout.Mean()
	v := treated.Variance()/float64(treated.Orders) + holdout.Variance()/float64(holdout.Orders)
	pooled := float64(treated.Sum+holdout.Sum) / float64(treated.Orders+holdout.Orders)
	tau := t.aovTauShare() * pooled
	lo, hi := ConfidenceSequence(d, v, tau*tau, t.alpha())
	return Incremental{PerOrder: d, Low: lo, High: hi, Level: 1 - t.alpha()}, true
}
