package demostore

import (
	"strconv"
	"strings"
)

// zeroDecimalCurrencies are the ISO 4217 currencies without minor units
// that a demo is likely to be configured with.
var zeroDecimalCurrencies = map[string]bool{"JPY": true, "KRW": true, "VND": true, "CLP": true, "ISK": true}

// currencySymbols are prefixed to amounts; other currencies get their code
// as a suffix.
var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}

// formatMoney renders an amount in minor units for a page, e.g. 1999 USD as
// "$19.99" and 1999 CHF as "19.99 CHF". Integer arithmetic only.
func formatMoney(amount int64, currency string) string {
	var b strings.Builder
	if amount < 0 {
		b.WriteByte('-')
		amount = -amount
	}
	symbol, prefixed := currencySymbols[currency]
	if prefixed {
		b.WriteString(symbol)
	}
	if zeroDecimalCurrencies[currency] {
		b.WriteString(groupThousands(amount))
	} else {
		b.WriteString(groupThousands(amount / 100))
		b.WriteByte('.')
		cents := amount % 100
		if cents < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatInt(cents, 10))
	}
	if !prefixed {
		b.WriteByte(' ')
		b.WriteString(currency)
	}
	return b.String()
}

// groupThousands writes a non-negative integer with comma separators.
func groupThousands(n int64) string {
	digits := strconv.FormatInt(n, 10)
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// validCurrency reports whether code looks like an ISO 4217 code: three
// upper-case ASCII letters.
func validCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range len(code) {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}
