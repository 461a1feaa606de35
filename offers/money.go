package offers

// Money is an amount in the minor unit of an ISO 4217 currency: cents for
// USD, yen for JPY, fils for KWD. Kairo never uses floating point for money;
// Amount is always an integer count of minor units.
type Money struct {
	Amount   int64  // in minor units, e.g. 1499 for $14.99
	Currency string // ISO 4217 code, e.g. "USD"
}

// currencySymbols lists the currencies whose symbol is unambiguous enough to
// stand in for the code in front of the amount. Every other currency is shown
// with its code after the amount, which no customer can misread.
var currencySymbols = map[string]string{
	"USD": "$",
	"EUR": "€",
	"GBP": "£",
	"JPY": "¥",
}

// defaultDigits is the exponent assumed for a currency code that
// CurrencyDigits does not know. Catalogs and contexts reject such codes, so
// it only matters for Money values built by hand.
const defaultDigits = 2

// Format renders the amount for customers, as the offer widget shows it:
// "$14.99", "€14.99", "£14.99", "¥1,499", and for every other currency the
// number followed by the code, "14.99 CHF" or "1.500 KWD". The integer part
// is grouped in thousands with commas; a negative amount starts with "-".
func (m Money) Format() string {
	var buf [48]byte
	b := buf[:0]
	if m.Amount < 0 {
		b = append(b, '-')
	}
	symbol, hasSymbol := currencySymbols[m.Currency]
	if hasSymbol {
		b = append(b, symbol...)
	}
	b = appendDecimal(b, m.Amount, m.digits(), true)
	if !hasSymbol && m.Currency != "" {
		b = append(b, ' ')
		b = append(b, m.Currency...)
	}
	return string(b)
}

// String renders the amount for logs and error messages: the plain decimal
// number and the code, "14.99 USD", "-3.50 EUR", "1499 JPY".
func (m Money) String() string {
	var buf [40]byte
	b := buf[:0]
	if m.Amount < 0 {
		b = append(b, '-')
	}
	b = appendDecimal(b, m.Amount, m.digits(), false)
	if m.Currency != "" {
		b = append(b, ' ')
		b = append(b, m.Currency...)
	}
	return string(b)
}

// digits is the currency's minor-unit exponent, or defaultDigits when the
// code is unknown.
func (m Money) digits() int {
	if d, ok := CurrencyDigits(m.Currency); ok {
		return d
	}
	return defaultDigits
}

// The styles of Format (grouped with commas) and String (not grouped).
var (
	formatStyle = &amountStyle{decimal: ".", group: ",", minGrouping: 1}
	plainStyle  = &amountStyle{decimal: "."}
)

// appendDecimal appends the absolute value of amount as a decimal number with
// the given number of fraction digits, grouping the integer part in
// thousands with commas when group is set. It works on the unsigned
// magnitude so that the most negative int64 is rendered correctly too.
func appendDecimal(b []byte, amount int64, digits int, group bool) []byte {
	if group {
		return appendGrouped(b, amount, digits, formatStyle)
	}
	return appendGrouped(b, amount, digits, plainStyle)
}

// PercentOff returns percent percent of amount, in the same minor units,
// rounded half-up to the nearest minor unit: 10% of 1995 is 200 (199.5
// rounds up), 15% of 1999 is 300 (299.85). It uses integer arithmetic only
// and cannot overflow. The result is never negative and never more than
// amount: a negative amount or percent gives 0, a percent over 100 is taken
// as 100.
func PercentOff(amount int64, percent int) int64 {
	if amount <= 0 || percent <= 0 {
		return 0
	}
	if percent >= 100 {
		return amount
	}
	// Split amount so that no product exceeds int64:
	// amount*p/100 = (amount/100)*p + (amount%100)*p/100.
	p := int64(percent)
	whole, rest := amount/100, amount%100
	return whole*p + (rest*p+50)/100
}
