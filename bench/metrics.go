package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
)

// pagesMetric is Kairo's counter of matched pages by outcome.
const pagesMetric = "kairo_upsell_pages_total"

// pageOutcomes reads Kairo's page counter from Caddy's admin metrics:
// how many matched pages were injected, and why the others were not.
func pageOutcomes(admin string) (map[string]float64, error) {
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := make(map[string]float64)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if outcome, v, ok := parseOutcomeSample(sc.Text()); ok {
			out[outcome] += v
		}
	}
	return out, sc.Err()
}

// parseOutcomeSample reads one exposition line such as
// kairo_upsell_pages_total{outcome="injected",placement="cart"} 42.
func parseOutcomeSample(line string) (outcome string, v float64, ok bool) {
	rest, found := strings.CutPrefix(line, pagesMetric+"{")
	if !found {
		return "", 0, false
	}
	labels, value, found := strings.Cut(rest, "} ")
	if !found {
		return "", 0, false
	}
	for _, l := range strings.Split(labels, ",") {
		if name, val, found := strings.Cut(l, "="); found && name == "outcome" {
			outcome = strings.Trim(val, `"`)
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || outcome == "" {
		return "", 0, false
	}
	return outcome, v, true
}
