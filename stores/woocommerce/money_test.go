package woocommerce

import "testing"

func TestAmountsRoundTripInMinorUnits(t *testing.T) {
	for _, tt := range []struct {
		text   string
		digits int
		minor  int64
		back   string
	}{
		{"27.50", 2, 2750, "27.50"},
		{"27.5", 2, 2750, "27.50"},
		{"27", 2, 2700, "27.00"},
		{"0.05", 2, 5, "0.05"},
		{"-1.25", 2, -125, "-1.25"},
		{"1500", 0, 1500, "1500"},
		{"1500.00", 0, 1500, "1500"},
		{"1.234", 3, 1234, "1.234"},
		{".5", 2, 50, "0.50"},
	} {
		got, err := parseAmount(tt.text, tt.digits)
		if err != nil || got != tt.minor {
			t.Errorf("parseAmount(%q, %d) = %d, %v; want %d", tt.text, tt.digits, got, err, tt.minor)
		}
		if back := formatAmount(tt.minor, tt.digits); back != tt.back {
			t.Errorf("formatAmount(%d, %d) = %q, want %q", tt.minor, tt.digits, back, tt.back)
		}
	}
	for _, bad := range []string{"1.005", "abc", "1.2.3", "--1", "1e3", "+-1"} {
		if got, err := parseAmount(bad, 2); err == nil {
			t.Errorf("parseAmount(%q) = %d, want an error", bad, got)
		}
	}
}
