package woocommerce

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kairoedge/kairo/offers"
)

// REST v3 writes amounts as decimal strings ("27.50") with the store's
// number of decimals; Kairo counts minor units of the currency (2750).

// currencyDigits is the number of minor-unit digits of a currency.
func currencyDigits(currency string) (int, error) {
	d, ok := offers.CurrencyDigits(currency)
	if !ok {
		return 0, fmt.Errorf("currency %q is not an ISO 4217 code", currency)
	}
	return d, nil
}

// parseAmount reads a decimal string into minor units with digits decimals.
// Decimals beyond digits must be zeros: an amount is never rounded.
func parseAmount(s string, digits int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" {
		whole = "0"
	}
	if strings.TrimRight(frac[min(len(frac), digits):], "0") != "" {
		return 0, fmt.Errorf("amount %q has more than %d decimals", s, digits)
	}
	frac = frac[:min(len(frac), digits)]
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("amount %q is not a decimal number", s)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// formatAmount writes minor units as the decimal string REST v3 takes.
func formatAmount(amount int64, digits int) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	s := strconv.FormatInt(amount, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
