package evershop

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kairoedge/kairo/offers"
)

// price is an EverShop amount: a decimal number of major units.
type price struct {
	Value json.Number `json:"value"`
}

// minor turns a decimal amount in major units ("27.5") into minor units
// of the currency (2750 for USD), exactly: the text is read as decimal
// digits, never through a float.
func minor(n json.Number, currency string) (int64, error) {
	digits, ok := offers.CurrencyDigits(currency)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q", currency)
	}
	s := string(n)
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("amount %q is not a plain decimal", n)
	}
	// EverShop keeps four decimals; anything past the currency's digits
	// rounds half up.
	roundUp := false
	if len(frac) > digits {
		roundUp = frac[digits] >= '5'
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", n, err)
	}
	if roundUp {
		v++
	}
	if neg {
		v = -v
	}
	return v, nil
}

// major writes minor units as the decimal major-unit text EverShop reads.
func major(amount int64, currency string) string {
	digits, _ := offers.CurrencyDigits(currency)
	s := strconv.FormatInt(amount, 10)
	if digits == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= digits {
		s = "0" + s
	}
	out := s[:len(s)-digits] + "." + s[len(s)-digits:]
	if neg {
		out = "-" + out
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
