package main

import "testing"

func TestParseOutcomeSample(t *testing.T) {
	tests := []struct {
		line    string
		outcome string
		v       float64
		ok      bool
	}{
		{`kairo_upsell_pages_total{outcome="injected",placement="cart"} 42`, "injected", 42, true},
		{`kairo_upsell_pages_total{placement="thank_you",outcome="timeout"} 1e+03`, "timeout", 1000, true},
		{`# TYPE kairo_upsell_pages_total counter`, "", 0, false},
		{`kairo_upsell_impressions_total{offer="x",placement="cart"} 3`, "", 0, false},
		{`kairo_upsell_pages_total{placement="cart"} 3`, "", 0, false},
		{`kairo_upsell_pages_total{outcome="injected"} NaNx`, "", 0, false},
	}
	for _, tt := range tests {
		outcome, v, ok := parseOutcomeSample(tt.line)
		if outcome != tt.outcome || v != tt.v || ok != tt.ok {
			t.Errorf("parseOutcomeSample(%q) = %q, %v, %v; want %q, %v, %v", tt.line, outcome, v, ok, tt.outcome, tt.v, tt.ok)
		}
	}
}
