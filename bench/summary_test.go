package main

import (
	"math"
	"testing"
	"time"
)

// A row run while the host slowed down is set against A as it ran at the
// row's moment: interpolated between the A that opened the round and the
// one that closed it, by the row's place in the round.
func TestRatiosAreToAAtTheRowsMomentOfTheRound(t *testing.T) {
	cell := func(rps float64, cpuPerReq time.Duration) cellRun {
		n := int64(rps * 2)
		return cellRun{Load: loadResult{Requests: n, RPS: rps, P50: time.Millisecond, P99: 4 * time.Millisecond}, CPU: time.Duration(n) * cpuPerReq}
	}
	opening := []cellRun{cell(1000, 100*time.Microsecond), cell(1000, 100*time.Microsecond)}
	closing := []cellRun{cell(800, 120*time.Microsecond), cell(1000, 100*time.Microsecond)}
	// Round 1: the host slowed by a fifth over the round; round 2: no
	// drift. The row ran a quarter of the way through each round, at A's
	// speed of that moment in round 1 and a tenth slower in round 2.
	row := []cellRun{cell(950, 105*time.Microsecond), cell(900, 110*time.Microsecond)}

	s := summarize(row, bracketAll(opening, closing, 1, 4), 1)
	if got := s.RPSxRounds; math.Abs(got[0]-1) > 1e-9 || math.Abs(got[1]-0.9) > 1e-9 {
		t.Errorf("req/s ratios %v, want [1 0.9]", got)
	}
	if want := (1 + 1.1) / 2; math.Abs(s.CPUReqx-want) > 1e-6 {
		t.Errorf("CPU per request ratio %.4f, want the median of 1 and 1.1", s.CPUReqx)
	}
	if mid, widest := drift(opening, closing); mid != 0.9 || widest != 0.8 {
		t.Errorf("drift %.2f (furthest %.2f), want 0.90 and 0.80", mid, widest)
	}
	// The first row of a round is A's own moment; without a closing A (a
	// run cut short) the opening one is the baseline.
	if got := bracketAll(opening, closing, 0, 4); got[0].Load.RPS != 1000 {
		t.Errorf("baseline at the round's start: %v req/s, want 1000", got[0].Load.RPS)
	}
	if got := bracketAll(opening, nil, 2, 4); got[0].Load.RPS != 1000 {
		t.Errorf("baseline without a closing A: %v req/s, want 1000", got[0].Load.RPS)
	}
}
