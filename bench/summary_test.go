package main

import (
	"math"
	"testing"
	"time"
)

// A row run while the host slowed down is set against A in the middle of
// that drift: the mean of the A that opened the round and the one that
// closed it, not the first alone.
func TestRatiosAreToTheAOnBothSidesOfTheRound(t *testing.T) {
	cell := func(rps float64, cpuPerReq time.Duration) cellRun {
		n := int64(rps * 2)
		return cellRun{Load: loadResult{Requests: n, RPS: rps, P50: time.Millisecond, P99: 4 * time.Millisecond}, CPU: time.Duration(n) * cpuPerReq}
	}
	opening := []cellRun{cell(1000, 100*time.Microsecond), cell(1000, 100*time.Microsecond)}
	closing := []cellRun{cell(800, 125*time.Microsecond), cell(1000, 100*time.Microsecond)}
	// Round 1: the host slowed by a fifth over the round, and the row ran
	// in its middle; round 2: no drift, the row is a tenth slower.
	row := []cellRun{cell(900, 111*time.Microsecond), cell(900, 111*time.Microsecond)}

	s := summarize(row, bracketAll(opening, closing), 1)
	if got := s.RPSxRounds; math.Abs(got[0]-1) > 1e-9 || math.Abs(got[1]-0.9) > 1e-9 {
		t.Errorf("req/s ratios %v, want [1 0.9]", got)
	}
	// CPU per request: round 1's baseline is both A's CPU over both A's
	// requests (2·1000·100 + 2·800·125 µs over 3600 requests).
	if want := 111.0 / (2 * (1000*100 + 800*125) / 3600.0); math.Abs(s.CPUReqx-(want+111.0/100)/2) > 1e-9 {
		t.Errorf("CPU per request ratio %.4f, want the median of %.4f and 1.11", s.CPUReqx, want)
	}
	if mid, widest := drift(opening, closing); mid != 0.9 || widest != 0.8 {
		t.Errorf("drift %.2f (furthest %.2f), want 0.90 and 0.80", mid, widest)
	}
	// Without a closing A (a run cut short), the opening one is the baseline.
	if got := bracketAll(opening, nil); got[0].Load.RPS != 1000 {
		t.Errorf("baseline without a closing A: %v req/s, want 1000", got[0].Load.RPS)
	}
}
