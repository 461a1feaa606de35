package offers

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

// near reports whether got is within tol of want, relatively.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// The values below were computed independently (Python, the formulas of
// Johari et al. 2017 written out by hand).
func TestMixtureLikelihoodRatioKnownValues(t *testing.T) {
	// 10% against 15% on 1000 impressions each, unshrunk variance.
	if got := MixtureLikelihoodRatio(0.05, 2.175e-4, 0.0025); !near(got, 55.95291042988858, 1e-12) {
		t.Errorf("Λ = %v, want 55.95291042988858", got)
	}
	if got := AlwaysValidP(0, 2.175e-4, 0.0025); !near(got, 1, 0) {
		t.Errorf("p with no difference = %v, want 1 (Λ below 1 is capped)", got)
	}
	lo, hi := ConfidenceSequence(0.05, 2.175e-4, 0.0025, 0.05)
	if !near(lo, 0.005127431739408578, 1e-12) || !near(hi, 0.09487256826059143, 1e-12) {
		t.Errorf("interval = [%v, %v], want [0.005127431739408578, 0.09487256826059143]", lo, hi)
	}
}

func TestJudgeNamesTheWinnerAtKnownPValue(t *testing.T) {
	days := [][]VariantCounts{{
		{Variant: "a", Impressions: 1000, Accepts: 100, Revenue: 100 * 2000},
		{Variant: "b", Impressions: 1000, Accepts: 150, Revenue: 150 * 1800},
	}}
	got := SequentialTest{}.Judge(days)
	if got[0].Verdict != VerdictLoser || got[1].Verdict != VerdictWinner {
		t.Fatalf("verdicts %s, %s; want loser, winner", got[0].Verdict, got[1].Verdict)
	}
	// Shrunk variances (x+0.5)/(n+1): p = 1/55.198124361157.
	if !near(got[1].PValue, 0.018116557610854282, 1e-12) || got[0].PValue != got[1].PValue {
		t.Errorf("p = %v, %v; want 0.018116557610854282 for both", got[0].PValue, got[1].PValue)
	}
	if got[1].Variant != "b" || got[1].TakeRate != 0.15 || got[1].RevenuePerImpression != 270 {
		t.Errorf("b: %q take rate %v, revenue per impression %v; want \"b\", 0.15, 270", got[1].Variant, got[1].TakeRate, got[1].RevenuePerImpression)
	}
}

func TestJudgeWaitsForEvidence(t *testing.T) {
	tests := []struct {
		name string
		days [][]VariantCounts
	}{
		{"too few impressions", [][]VariantCounts{{{Impressions: 99, Accepts: 0}, {Impressions: 99, Accepts: 50}}}},
		{"same take rate", [][]VariantCounts{{{Impressions: 5000, Accepts: 500}, {Impressions: 5000, Accepts: 500}}}},
		{"small difference", [][]VariantCounts{{{Impressions: 1000, Accepts: 100}, {Impressions: 1000, Accepts: 110}}}},
		{"one variant", [][]VariantCounts{{{Impressions: 100000, Accepts: 100}}}},
	}
	for _, tt := range tests {
		for _, r := range (SequentialTest{}).Judge(tt.days) {
			if r.Verdict != VerdictNotYet {
				t.Errorf("%s: variant %q is %s, want not_yet", tt.name, r.Variant, r.Verdict)
			}
		}
	}
}

// A pair's p-value is the smallest over the daily looks: evidence seen on
// an earlier day is not lost when later days dilute it.
func TestJudgeKeepsTheSmallestPValueOverLooks(t *testing.T) {
	strong := []VariantCounts{{Impressions: 1000, Accepts: 100}, {Impressions: 1000, Accepts: 150}}
	flat := []VariantCounts{{Impressions: 1000, Accepts: 130}, {Impressions: 1000, Accepts: 80}}
	one := SequentialTest{}.Judge([][]VariantCounts{strong})
	two := SequentialTest{}.Judge([][]VariantCounts{strong, flat})
	if two[1].PValue != one[1].PValue {
		t.Errorf("p after a flat day = %v, want the first day's %v", two[1].PValue, one[1].PValue)
	}
}

// Evidence counts in the direction it was seen: a's early lead, however
// significant, does not make b the winner once b has caught up and edged
// ahead without significant evidence of its own.
func TestJudgeKeepsTheDirectionOfTheEvidence(t *testing.T) {
	days := [][]VariantCounts{
		{{Variant: "a", Impressions: 1000, Accepts: 200}, {Variant: "b", Impressions: 1000, Accepts: 100}},
		{{Variant: "a", Impressions: 1000, Accepts: 50}, {Variant: "b", Impressions: 1000, Accepts: 152}},
	}
	for _, r := range (SequentialTest{}).Judge(days) {
		if r.Verdict != VerdictNotYet {
			t.Errorf("variant %s is %s (p %v): a led significantly, b only barely, want not_yet for both", r.Variant, r.Verdict, r.PValue)
		}
	}
	// b's own lead, significant at a later look, still makes it the winner.
	days = append(days, []VariantCounts{{Variant: "a", Impressions: 4000, Accepts: 200}, {Variant: "b", Impressions: 4000, Accepts: 800}})
	if r := (SequentialTest{}).Judge(days); r[1].Verdict != VerdictWinner || r[0].Verdict != VerdictLoser {
		t.Errorf("after b's significant lead: a %s, b %s; want loser and winner", r[0].Verdict, r[1].Verdict)
	}
}

// Three variants: each pair is tested at alpha/2, so a p-value between
// 0.025 and 0.05 is not enough.
func TestJudgeCorrectsForSeveralVariants(t *testing.T) {
	days := [][]VariantCounts{{
		{Variant: "a", Impressions: 2000, Accepts: 200},
		{Variant: "b", Impressions: 2000, Accepts: 400},
		{Variant: "c", Impressions: 2000, Accepts: 205},
	}}
	got := SequentialTest{}.Judge(days)
	want := []Verdict{VerdictLoser, VerdictWinner, VerdictLoser}
	for i := range got {
		if got[i].Verdict != want[i] {
			t.Errorf("variant %s: %s, want %s", got[i].Variant, got[i].Verdict, want[i])
		}
	}
	// p ≈ 0.036 for 10% against 13.25% on 2000 each: significant for two
	// variants, not for three.
	pair := []VariantCounts{{Impressions: 2000, Accepts: 200}, {Impressions: 2000, Accepts: 265}}
	p := SequentialTest{}.Judge([][]VariantCounts{pair})[1].PValue
	if p <= 0.025 || p > 0.05 {
		t.Fatalf("fixture p = %v, want in (0.025, 0.05]", p)
	}
	three := SequentialTest{}.Judge([][]VariantCounts{append(pair, VariantCounts{Impressions: 2000, Accepts: 200})})
	if three[1].Verdict != VerdictNotYet {
		t.Errorf("with three variants the 13.25%% variant is %s, want not_yet", three[1].Verdict)
	}
}

func TestIncrementalPerOrderKnownValues(t *testing.T) {
	treated := orderValues(1000, 2000, 3000, 4000)
	holdout := orderValues(1000, 2000, 3000)
	if treated.Mean() != 2500 || treated.Variance() != 1666666.6666666667 {
		t.Errorf("treated mean %v variance %v", treated.Mean(), treated.Variance())
	}
	inc, ok := SequentialTest{}.IncrementalPerOrder(treated, holdout)
	if !ok {
		t.Fatal("not ok with 4 and 3 orders")
	}
	if inc.PerOrder != 500 || !near(inc.Low, -15725.934107390014, 1e-12) || !near(inc.High, 16725.934107390014, 1e-12) || inc.Level != 0.95 {
		t.Errorf("incremental = %+v, want 500 in [-15725.934107390014, 16725.934107390014] at 0.95", inc)
	}
	if _, ok := (SequentialTest{}).IncrementalPerOrder(treated, orderValues(1000)); ok {
		t.Error("ok with one held-out order")
	}
}

func orderValues(totals ...int64) OrderValues {
	var o OrderValues
	for _, v := range totals {
		o.Orders++
		o.Sum += v
		o.SumSquares += float64(v) * float64(v)
	}
	return o
}

func TestParseHoldout(t *testing.T) {
	good := map[string]BasisPoints{"10%": 1000, "0%": 0, "2.5%": 250, "0.01%": 1, "50%": 5000, " 7% ": 700}
	for in, want := range good {
		if got, err := ParseHoldout(in); err != nil || got != want {
			t.Errorf("ParseHoldout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"10", "51%", "-1%", "1.234%", "ten%", "%", "+5%", "1e1%"} {
		if _, err := ParseHoldout(in); err == nil {
			t.Errorf("ParseHoldout(%q) took it", in)
		}
	}
	if s := BasisPoints(250).String(); s != "2.5%" {
		t.Errorf("String = %q", s)
	}
}

func TestArmOfIsStableAndFollowsTheShare(t *testing.T) {
	held := 0
	const n = 100000
	for i := range n {
		id := HoldoutIdentity(&Context{ID: "cart", Customer: &Customer{ID: strconv.Itoa(i)}})
		arm := ArmOf(1000, id)
		if arm != ArmOf(1000, id) {
			t.Fatal("arm changed between calls")
		}
		if arm == ArmHoldout {
			held++
		}
	}
	if share := float64(held) / n; math.Abs(share-0.10) > 0.005 {
		t.Errorf("held out %.4f of customers, want 0.10 ± 0.005", share)
	}
	if ArmOf(0, "anyone") != ArmTreated {
		t.Error("a zero holdout held someone out")
	}
	// Pinned: the arm of a customer must not change between releases.
	var pinned []Arm
	for i := range 8 {
		pinned = append(pinned, ArmOf(3000, "customer:c"+strconv.Itoa(i)))
	}
	if fmt.Sprint(pinned) != "[treated treated treated treated treated treated holdout treated]" {
		t.Errorf("arms of c0..c7 at 30%% = %v, want %s", pinned, "[treated treated treated treated treated treated holdout treated]")
	}
	if HoldoutIdentity(&Context{ID: "o1"}) != "context:o1" || HoldoutIdentity(&Context{ID: "o1", Customer: &Customer{ID: "c"}}) != "customer:c" {
		t.Error("identity")
	}
}
