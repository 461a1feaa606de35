package main

import (
	"strings"
	"testing"
	"time"
)

// TestProfileRoundsAddUp checks that a configuration's profile rounds add
// up to one profile: requests, areas and files.
func TestProfileRoundsAddUp(t *testing.T) {
	area := profileAreas[0].Name
	var run profileRun
	run.add(profileRun{Paths: []string{"a-1"}, Requests: 100, Areas: map[string]time.Duration{area: time.Millisecond}})
	run.add(profileRun{Paths: []string{"a-2"}, Requests: 300, Areas: map[string]time.Duration{area: 3 * time.Millisecond}})
	if run.Requests != 400 || len(run.Paths) != 2 || run.perRequest(area) != 10000 || run.total() != 10000 {
		t.Errorf("added up: %d requests, %v, %v ns per request, want 400, both files, 10000", run.Requests, run.Paths, run.perRequest(area))
	}
}

// TestWriteProfileSaysWhenTheHostChangedSpeed checks the profile table's
// row of the load rounds' CPU per request, and the warning when the
// profiles measured the configurations at different host speeds.
func TestWriteProfileSaysWhenTheHostChangedSpeed(t *testing.T) {
	area := profileAreas[len(profileAreas)-1].Name
	profile := func(perRequest time.Duration) profileResult {
		p := profileResult{Size: size16K}
		for k, cfg := range kairoConfigs {
			p.Runs = append(p.Runs, profileRun{Config: cfg, Paths: []string{cfg.Key + ".pprof"}, Requests: 1000,
				Areas: map[string]time.Duration{area: 1000 * (perRequest + time.Duration(k)*time.Microsecond)}})
		}
		return p
	}
	rows := map[string]rowSummary{}
	for k, cfg := range kairoConfigs {
		rows[cfg.Key] = rowSummary{CPUReq: float64(100*time.Microsecond + time.Duration(k)*time.Microsecond)}
	}
	var out strings.Builder
	writeProfile(&out, profile(100*time.Microsecond), rows)
	if !strings.Contains(out.String(), "| CPU per request in the load rounds | 100.0 µs | 101.0 µs | +1.0 µs |") || strings.Contains(out.String(), "not reliable") {
		t.Errorf("profiles that match their rounds:\n%s", out.String())
	}
	skewed := profile(100 * time.Microsecond)
	skewed.Runs[0].Areas[area] *= 2 // A profiled in a slow spell
	out.Reset()
	writeProfile(&out, skewed, rows)
	if !strings.Contains(out.String(), "not reliable") {
		t.Errorf("A's profile at twice its rounds' CPU per request, and no warning:\n%s", out.String())
	}
}
