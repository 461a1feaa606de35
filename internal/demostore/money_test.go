package demostore

import "testing"

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{0, "USD", "$0.00"},
		{5, "USD", "$0.05"},
		{1999, "USD", "$19.99"},
		{123456789, "USD", "$1,234,567.89"},
		{-2500, "EUR", "-€25.00"},
		{1999, "CHF", "19.99 CHF"},
		{1500, "JPY", "1,500 JPY"},
		{100000, "GBP", "£1,000.00"},
	}
	for _, tt := range tests {
		if got := formatMoney(tt.amount, tt.currency); got != tt.want {
			t.Errorf("formatMoney(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{"USD": true, "EUR": true, "usd": false, "US": false, "USDT": false, "U$D": false, "": false} {
		if got := validCurrency(code); got != want {
			t.Errorf("validCurrency(%q) = %v", code, got)
		}
	}
}

func TestCatalogIsACopy(t *testing.T) {
	c := Catalog()
	if len(c) < 5 {
		t.Fatalf("%d products", len(c))
	}
	seen := map[string]bool{}
	for _, p := range c {
		if p.ProductID == "" || p.VariantID == "" || p.Title == "" || p.UnitPrice <= 0 || len(p.Tags) == 0 || productImages[p.ProductID] == "" || seen[p.ProductID] {
			t.Errorf("incomplete or duplicate product %+v", p)
		}
		seen[p.ProductID] = true
	}
	c[0].Tags[0] = "changed"
	c[0].UnitPrice = 1
	if again := Catalog(); again[0].Tags[0] == "changed" || again[0].UnitPrice == 1 {
		t.Errorf("Catalog returned shared state")
	}
}
