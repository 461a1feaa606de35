package evershop

import (
	"encoding/json"
	"testing"
)

func TestMinorReadsDecimalsExactly(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
	}{
		{"27.5", "USD", 2750}, {"27.5000", "USD", 2750}, {"0.1", "USD", 10}, {"12", "USD", 1200},
		{"4.005", "USD", 401}, {"4.0049", "USD", 400}, {"-1.25", "USD", -125}, {"1500", "JPY", 1500},
		{"1.2345", "KWD", 1235}, {"", "USD", 0},
	}
	for _, tt := range tests {
		got, err := minor(json.Number(tt.in), tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("minor(%q, %s) = %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
		}
	}
	for _, bad := range []string{"1e3", "abc"} {
		if _, err := minor(json.Number(bad), "USD"); err == nil {
			t.Errorf("minor(%q) gave no error", bad)
		}
	}
	if _, err := minor("1", "usd"); err == nil {
		t.Error("minor with an unknown currency gave no error")
	}
}

func TestMajorWritesWhatMinorReads(t *testing.T) {
	for _, tt := range []struct {
		amount   int64
		currency string
		want     string
	}{{450, "USD", "4.50"}, {5, "USD", "0.05"}, {-125, "USD", "-1.25"}, {1500, "JPY", "1500"}, {1235, "KWD", "1.235"}} {
		got := major(tt.amount, tt.currency)
		if got != tt.want {
			t.Errorf("major(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
		if back, _ := minor(json.Number(got), tt.currency); back != tt.amount {
			t.Errorf("minor(major(%d)) = %d", tt.amount, back)
		}
	}
}

func TestCouponCodesAreLettersAndDigits(t *testing.T) {
	a, b := couponCode("order-1/offer-a"), couponCode("order-1/offer-b")
	if a == b || a != couponCode("order-1/offer-a") {
		t.Errorf("coupon codes %q %q: want one per key, the same each time", a, b)
	}
	for _, r := range a {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			t.Fatalf("coupon code %q has %q: EverShop takes letters and digits only", a, r)
		}
	}
}

// EverShop's "try again in a moment" (its API rate limit, 429; 408; 425)
// is not a refusal: the accept is left free to be tried again. Other 4xx
// are.
func TestBusyIsNoRefusal(t *testing.T) {
	for status, want := range map[int]bool{400: true, 404: true, 409: true, 408: false, 425: false, 429: false, 500: false} {
		if _, got := refused(&apiError{Status: status}); got != want {
			t.Errorf("status %d: refused %v, want %v", status, got, want)
		}
	}
}
