package offers

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestCurrencyDigits(t *testing.T) {
	tests := []struct {
		code   string
		digits int
		ok     bool
	}{
		{"USD", 2, true},
		{"EUR", 2, true},
		{"GBP", 2, true},
		{"CHF", 2, true},
		{"JPY", 0, true},
		{"KRW", 0, true},
		{"CLP", 0, true},
		{"KWD", 3, true},
		{"BHD", 3, true},
		{"TND", 3, true},
		{"CLF", 4, true},
		{"usd", 0, false},
		{"XYZ", 0, false},
		{"XAU", 0, false}, // gold has no minor unit
		{"", 0, false},
		{"USDX", 0, false},
	}
	for _, tt := range tests {
		digits, ok := CurrencyDigits(tt.code)
		if digits != tt.digits || ok != tt.ok {
			t.Errorf("CurrencyDigits(%q) = %d, %v; want %d, %v", tt.code, digits, ok, tt.digits, tt.ok)
		}
	}
}

func TestCurrencyTableShape(t *testing.T) {
	if len(currencyDigits) < 40 {
		t.Fatalf("only %d currencies known", len(currencyDigits))
	}
	for code, digits := range currencyDigits {
		if !isCurrencyShape(code) {
			t.Errorf("code %q is not three upper-case letters", code)
		}
		if digits < 0 || digits > 4 {
			t.Errorf("code %q has %d digits", code, digits)
		}
	}
}

// isCurrencyShape reports whether code is three ASCII upper-case letters.
func isCurrencyShape(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range 3 {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		money Money
		want  string
	}{
		{Money{1499, "USD"}, "$14.99"},
		{Money{1499, "EUR"}, "€14.99"},
		{Money{1499, "GBP"}, "£14.99"},
		{Money{1499, "JPY"}, "¥1,499"},
		{Money{1499, "CHF"}, "14.99 CHF"},
		{Money{1499, "CAD"}, "14.99 CAD"},
		{Money{5, "USD"}, "$0.05"},
		{Money{0, "USD"}, "$0.00"},
		{Money{100, "USD"}, "$1.00"},
		{Money{99999, "USD"}, "$999.99"},
		{Money{100000, "USD"}, "$1,000.00"},
		{Money{123456789, "USD"}, "$1,234,567.89"},
		{Money{-1499, "USD"}, "-$14.99"},
		{Money{-1499, "CHF"}, "-14.99 CHF"},
		{Money{1000000, "JPY"}, "¥1,000,000"},
		{Money{0, "JPY"}, "¥0"},
		{Money{1500, "KWD"}, "1.500 KWD"},
		{Money{1234567, "BHD"}, "1,234.567 BHD"},
		{Money{12345, "CLF"}, "1.2345 CLF"},
		{Money{1499, "XYZ"}, "14.99 XYZ"},
		{Money{1499, ""}, "14.99"},
		{Money{math.MinInt64, "USD"}, "-$92,233,720,368,547,758.08"},
		{Money{math.MaxInt64, "JPY"}, "¥9,223,372,036,854,775,807"},
	}
	for _, tt := range tests {
		if got := tt.money.Format(); got != tt.want {
			t.Errorf("%#v.Format() = %q, want %q", tt.money, got, tt.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		money Money
		want  string
	}{
		{Money{1499, "USD"}, "14.99 USD"},
		{Money{123456789, "USD"}, "1234567.89 USD"},
		{Money{-350, "EUR"}, "-3.50 EUR"},
		{Money{1499, "JPY"}, "1499 JPY"},
		{Money{1500, "KWD"}, "1.500 KWD"},
		{Money{7, ""}, "0.07"},
	}
	for _, tt := range tests {
		if got := tt.money.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.money, got, tt.want)
		}
	}
}

func TestPercentOff(t *testing.T) {
	tests := []struct {
		amount  int64
		percent int
		want    int64
	}{
		{2499, 10, 250}, // 249.9
		{1995, 10, 200}, // 199.5: half rounds up
		{1985, 10, 199}, // 198.5 rounds up
		{1999, 15, 300}, // 299.85
		{1, 50, 1},      // 0.5 rounds up
		{1, 49, 0},      // 0.49
		{3, 33, 1},      // 0.99
		{1000, 0, 0},    // nothing off
		{1000, 100, 1000},
		{1000, 120, 1000}, // capped at the price
		{1000, -5, 0},
		{-1000, 10, 0},
		{0, 50, 0},
		{math.MaxInt64, 50, math.MaxInt64/2 + 1},
		{math.MaxInt64, 99, 9131138316486228049}, // exact: 9131138316486228048.93
	}
	for _, tt := range tests {
		if got := PercentOff(tt.amount, tt.percent); got != tt.want {
			t.Errorf("PercentOff(%d, %d) = %d, want %d", tt.amount, tt.percent, got, tt.want)
		}
	}
}

// TestPercentOffMatchesExactArithmetic compares PercentOff with half-up
// rounding done in arbitrary precision, over amounts of every size.
func TestPercentOffMatchesExactArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		amount := r.Int64N(math.MaxInt64) >> r.IntN(63)
		percent := r.IntN(101)
		// floor((amount*percent*2 + 100) / 200) is amount*percent/100
		// rounded half-up.
		exact := new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(percent)*2))
		exact.Add(exact, big.NewInt(100))
		exact.Quo(exact, big.NewInt(200))
		if got := PercentOff(amount, percent); got != exact.Int64() {
			t.Fatalf("PercentOff(%d, %d) = %d, want %s", amount, percent, got, exact)
		}
	}
}

func TestDiscountPerUnit(t *testing.T) {
	tests := []struct {
		discount Discount
		price    int64
		want     int64
	}{
		{Discount{}, 2499, 0},
		{Discount{Percent: 10}, 2499, 250},
		{Discount{Amount: 500}, 2499, 500},
		{Discount{Amount: 3000}, 2499, 2499}, // never below zero
		{Discount{Amount: -5}, 2499, 0},
		{Discount{Percent: 100}, 2499, 2499},
	}
	for _, tt := range tests {
		if got := tt.discount.PerUnit(tt.price); got != tt.want {
			t.Errorf("%+v.PerUnit(%d) = %d, want %d", tt.discount, tt.price, got, tt.want)
		}
	}
}
