package offers

import (
	"errors"
	"strconv"
	"strings"
)

// Locale is how amounts are written for the customers of one language and
// region: decimal and grouping separators, where the currency symbol goes
// and which symbol a currency has there ("1.499,00 €" in de-DE, "£1,499.00"
// in en-GB, "CHF 1’499.00" in de-CH). The zero Locale writes amounts as
// Money.Format does.
//
// The table behind it is small and explicit (no CLDR): a few languages, the
// regions among them that write amounts their own way, and for any other
// region of a known language that language's usual way.
type Locale struct {
	tag   string
	style *amountStyle
}

// amountStyle is the way one language or region writes amounts.
type amountStyle struct {
	decimal, group string
	// minGrouping is how many digits the integer part needs beyond three
	// before it is grouped: 1, or 2 where 1499 stays "1499" (es, pl).
	minGrouping int
	// positive and negative lay out an amount: 'S' is the currency symbol,
	// '#' the number, ' ' a no-break space; anything else is written as it
	// is (the minus sign: "-" or U+2212).
	positive, negative string
	// symbols are the currency symbols used here beyond commonSymbols.
	symbols map[string]string
}

// nbsp and nnbsp are the no-break space and the narrow no-break space.
const (
	nbsp  = "\u00a0"
	nnbsp = "\u202f"
)

// commonSymbols are the currency symbols every known locale uses unless its
// own symbols say otherwise; any other currency is written with its code.
var commonSymbols = map[string]string{"EUR": "€", "GBP": "£", "JPY": "¥", "USD": "US$"}

// The ways of writing amounts, by language and by language-region. A
// region not listed takes its language's.
var (
	styleEN   = &amountStyle{decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#"}
	styleDE   = &amountStyle{decimal: ",", group: ".", minGrouping: 1, positive: "# S", negative: "-# S", symbols: map[string]string{"USD": "$"}}
	styleFR   = &amountStyle{decimal: ",", group: nnbsp, minGrouping: 1, positive: "# S", negative: "-# S", symbols: map[string]string{"USD": "$US", "CAD": "$CA", "GBP": "£GB"}}
	styleNL   = &amountStyle{decimal: ",", group: ".", minGrouping: 1, positive: "S #", negative: "S -#"}
	styleIT   = &amountStyle{decimal: ",", group: ".", minGrouping: 1, positive: "# S", negative: "-# S", symbols: map[string]string{"USD": "USD"}}
	styleES   = &amountStyle{decimal: ",", group: ".", minGrouping: 2, positive: "# S", negative: "-# S"}
	stylePT   = &amountStyle{decimal: ",", group: ".", minGrouping: 1, positive: "S #", negative: "-S #", symbols: map[string]string{"BRL": "R$"}}
	styleSV   = &amountStyle{decimal: ",", group: nbsp, minGrouping: 1, positive: "# S", negative: "\u2212# S", symbols: map[string]string{"SEK": "kr"}}
	styleJA   = &amountStyle{decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"JPY": "￥", "USD": "$"}}
	localeMap = map[string]*amountStyle{
		"en":    styleEN,
		"en-US": {decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"USD": "$"}},
		"en-CA": {decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"CAD": "$"}},
		"en-AU": {decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"AUD": "$"}},
		"de":    styleDE,
		"de-AT": {decimal: ",", group: nbsp, minGrouping: 1, positive: "S #", negative: "-S #", symbols: styleDE.symbols},
		"de-CH": {decimal: ".", group: "’", minGrouping: 1, positive: "S #", negative: "S-#", symbols: styleDE.symbols},
		"fr":    styleFR,
		"fr-CA": {decimal: ",", group: nbsp, minGrouping: 1, positive: "# S", negative: "-# S", symbols: map[string]string{"CAD": "$", "USD": "$\u00a0US"}},
		"nl":    styleNL,
		"it":    styleIT,
		"es":    styleES,
		"pt":    stylePT,
		"pt-PT": {decimal: ",", group: nbsp, minGrouping: 2, positive: "# S", negative: "-# S"},
		"sv":    styleSV,
		"da":    {decimal: ",", group: ".", minGrouping: 1, positive: "# S", negative: "-# S", symbols: map[string]string{"DKK": "kr."}},
		"nb":    {decimal: ",", group: nbsp, minGrouping: 1, positive: "# S", negative: "\u2212# S", symbols: map[string]string{"NOK": "kr"}},
		"fi":    {decimal: ",", group: nbsp, minGrouping: 1, positive: "# S", negative: "\u2212# S"},
		"pl":    {decimal: ",", group: nbsp, minGrouping: 2, positive: "# S", negative: "-# S", symbols: map[string]string{"PLN": "zł"}},
		"ja":    styleJA,
		"zh":    {decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"CNY": "¥", "JPY": "JP¥"}},
		"ko":    {decimal: ".", group: ",", minGrouping: 1, positive: "S#", negative: "-S#", symbols: map[string]string{"KRW": "₩"}},
	}
)

// errLocale is why a tag is not a language tag Kairo reads.
var errLocale = errors.New(`want a BCP 47 language tag such as "de-DE", "fr-FR" or "en-GB"`)

// ParseLocale reads a BCP 47 language tag ("de-DE", "pt-BR", "en", "fr-CA",
// any letter case, "_" for "-" too) into a Locale. A well-formed tag of a
// language the table does not know is no error: its Locale writes amounts
// as Money.Format does. Only a malformed tag is refused.
func ParseLocale(tag string) (Locale, error) {
	canonical, ok := canonicalTag(tag)
	if !ok {
		return Locale{}, errLocale
	}
	l := Locale{tag: canonical}
	lang, rest, _ := strings.Cut(canonical, "-")
	if region := regionOf(rest); region != "" {
		var key [8]byte
		l.style = localeMap[string(append(append(append(key[:0], lang...), '-'), region...))]
	}
	if l.style == nil {
		l.style = localeMap[lang]
	}
	return l, nil
}

// Tag is the locale's language tag in its usual letter case ("de-DE"), or
// "" for the zero Locale.
func (l Locale) Tag() string { return l.tag }

// Known reports whether the locale writes amounts its own way, rather than
// as Money.Format does.
func (l Locale) Known() bool { return l.style != nil }

// canonicalTag checks the shape of a BCP 47 tag (a language of 2 or 3
// letters, then subtags of 1 to 8 letters or digits) and writes it in the
// usual letter case: language lower, a 4-letter script title, a region
// upper; "_" becomes "-". A tag already written that way is returned as it
// is, without allocating: stores send the same few tags again and again.
func canonicalTag(tag string) (string, bool) {
	if tag == "" || len(tag) > 64 {
		return "", false
	}
	var buf [64]byte
	b := buf[:0]
	prev := 0 // the length of the subtag before
	for i, start := 0, 0; start <= len(tag); i++ {
		end := start
		for end < len(tag) && tag[end] != '-' && tag[end] != '_' {
			end++
		}
		p := tag[start:end]
		if p == "" || len(p) > 8 || !isAlnum(p) || i == 0 && (len(p) < 2 || len(p) > 3 || !isAlpha(p)) {
			return "", false
		}
		if i > 0 {
			b = append(b, '-')
		}
		for j := 0; j < len(p); j++ {
			c := p[j] | 0x20 // lower case (digits are unchanged)
			region := len(p) == 2 && isAlpha(p) && (i == 1 || i == 2 && prev == 4)
			script := len(p) == 4 && isAlpha(p) && i == 1 && j == 0
			if (region || script) && c >= 'a' && c <= 'z' {
				c -= 0x20
			}
			b = append(b, c)
		}
		prev, start = len(p), end+1
	}
	if string(b) == tag {
		return tag, true
	}
	return string(b), true
}

// regionOf finds the region among the subtags after the language of a
// canonical tag: two upper-case letters, after an optional script.
func regionOf(subtags string) string {
	first, rest, _ := strings.Cut(subtags, "-")
	if len(first) == 4 {
		first, _, _ = strings.Cut(rest, "-") // after a script
	}
	if len(first) == 2 && isAlpha(first) {
		return first
	}
	return ""
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9') && !isAlpha(s[i:i+1]) {
			return false
		}
	}
	return true
}

// symbol is the currency's symbol in this style, or its code.
func (st *amountStyle) symbol(currency string) string {
	if s, ok := st.symbols[currency]; ok {
		return s
	}
	if s, ok := commonSymbols[currency]; ok {
		return s
	}
	return currency
}

// FormatIn renders the amount for customers of the locale: "1.499,00 €"
// (de-DE), "1 499,00 €" (fr-FR, with a narrow no-break space between the
// groups and a no-break space before the symbol), "£1,499.00" (en-GB),
// "￥1,499" (ja-JP), "CHF 1’499.00" (de-CH). A symbol made of letters
// (a currency code, "CHF") is kept apart from the number by a no-break
// space. The zero Locale, or one the table does not know, gives Format's
// "$1,499.00".
func (m Money) FormatIn(l Locale) string {
	st := l.style
	if st == nil {
		return m.Format()
	}
	var buf [96]byte
	b := buf[:0]
	layout := st.positive
	if m.Amount < 0 {
		layout = st.negative
	}
	symbol := st.symbol(m.Currency)
	for i := 0; i < len(layout); i++ {
		switch c := layout[i]; c {
		case 'S':
			b = append(b, symbol...)
			if i+1 < len(layout) && layout[i+1] == '#' && endsWithLetter(symbol) {
				b = append(b, nbsp...)
			}
		case '#':
			b = appendGrouped(b, m.Amount, m.digits(), st)
		case ' ':
			b = append(b, nbsp...)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// endsWithLetter reports whether a symbol ends in an ASCII letter, as a
// currency code does ("CHF", "kr").
func endsWithLetter(s string) bool {
	return s != "" && isAlpha(s[len(s)-1:])
}

// appendGrouped appends the absolute value of amount with the style's
// separators.
func appendGrouped(b []byte, amount int64, digits int, st *amountStyle) []byte {
	magnitude := uint64(amount)
	if amount < 0 {
		magnitude = -magnitude
	}
	var scale uint64 = 1
	for range digits {
		scale *= 10
	}
	var wholeBuf [24]byte
	w := strconv.AppendUint(wholeBuf[:0], magnitude/scale, 10)
	if st.group == "" || len(w) < 3+st.minGrouping {
		b = append(b, w...)
	} else {
		lead := len(w) % 3
		if lead == 0 {
			lead = 3
		}
		b = append(b, w[:lead]...)
		for i := lead; i < len(w); i += 3 {
			b = append(b, st.group...)
			b = append(b, w[i:i+3]...)
		}
	}
	if digits > 0 {
		b = append(b, st.decimal...)
		b = appendFraction(b, magnitude%scale, digits)
	}
	return b
}

// appendFraction appends the fraction of an amount with its leading zeros.
func appendFraction(b []byte, fraction uint64, digits int) []byte {
	var fracBuf [24]byte
	f := strconv.AppendUint(fracBuf[:0], fraction, 10)
	for range digits - len(f) {
		b = append(b, '0')
	}
	return append(b, f...)
}
