package offers

import (
	"math"
	"testing"
)

func TestFormatIn(t *testing.T) {
	const nb, nn = "\u00a0", "\u202f" // no-break space, narrow no-break space
	tests := []struct {
		locale string
		money  Money
		want   string
	}{
		{"en-US", Money{149900, "USD"}, "$1,499.00"},
		{"en-US", Money{149900, "EUR"}, "€1,499.00"},
		{"en-US", Money{149900, "CHF"}, "CHF" + nb + "1,499.00"},
		{"en-US", Money{-1499, "USD"}, "-$14.99"},
		{"en-GB", Money{149900, "GBP"}, "£1,499.00"},
		{"en-GB", Money{149900, "USD"}, "US$1,499.00"},
		{"en-CA", Money{149900, "CAD"}, "$1,499.00"},
		{"en-CA", Money{149900, "USD"}, "US$1,499.00"},
		{"de-DE", Money{149900, "EUR"}, "1.499,00" + nb + "€"},
		{"de-DE", Money{-149900, "EUR"}, "-1.499,00" + nb + "€"},
		{"de-DE", Money{149900, "USD"}, "1.499,00" + nb + "$"},
		{"de-DE", Money{1499, "JPY"}, "1.499" + nb + "¥"},
		{"de-DE", Money{1499000, "KWD"}, "1.499,000" + nb + "KWD"},
		{"de-AT", Money{149900, "EUR"}, "€" + nb + "1" + nb + "499,00"},
		{"de-CH", Money{149900, "CHF"}, "CHF" + nb + "1’499.00"},
		{"de-CH", Money{-149900, "CHF"}, "CHF-1’499.00"},
		{"fr-FR", Money{149900, "EUR"}, "1" + nn + "499,00" + nb + "€"},
		{"fr-FR", Money{-5, "EUR"}, "-0,05" + nb + "€"},
		{"fr-FR", Money{149900, "USD"}, "1" + nn + "499,00" + nb + "$US"},
		{"fr-CA", Money{149900, "CAD"}, "1" + nb + "499,00" + nb + "$"},
		{"ja-JP", Money{1499, "JPY"}, "￥1,499"},
		{"ja-JP", Money{-1499, "JPY"}, "-￥1,499"},
		{"ja-JP", Money{149900, "USD"}, "$1,499.00"},
		{"nl-NL", Money{149900, "EUR"}, "€" + nb + "1.499,00"},
		{"nl-NL", Money{-149900, "EUR"}, "€" + nb + "-1.499,00"},
		{"pt-BR", Money{149900, "BRL"}, "R$" + nb + "1.499,00"},
		{"pt-BR", Money{-149900, "BRL"}, "-R$" + nb + "1.499,00"},
		{"sv-SE", Money{149900, "SEK"}, "1" + nb + "499,00" + nb + "kr"},
		{"sv-SE", Money{-149900, "SEK"}, "\u22121" + nb + "499,00" + nb + "kr"},
		{"es-ES", Money{149900, "EUR"}, "1499,00" + nb + "€"}, // four digits stay together in Spanish
		{"es-ES", Money{1499900, "EUR"}, "14.999,00" + nb + "€"},
		{"it-IT", Money{149900, "EUR"}, "1.499,00" + nb + "€"},
		{"it-IT", Money{1500, "KWD"}, "1,500" + nb + "KWD"},
		{"de", Money{149900, "EUR"}, "1.499,00" + nb + "€"},    // a language alone
		{"de-LU", Money{149900, "EUR"}, "1.499,00" + nb + "€"}, // a region not listed: its language's way
		{"DE_de", Money{149900, "EUR"}, "1.499,00" + nb + "€"}, // any case, underscores
		{"zh-Hans-CN", Money{149900, "CNY"}, "¥1,499.00"},
		{"en-US", Money{math.MinInt64, "USD"}, "-$92,233,720,368,547,758.08"},
		{"fr-FR", Money{math.MaxInt64, "JPY"}, "9" + nn + "223" + nn + "372" + nn + "036" + nn + "854" + nn + "775" + nn + "807" + nb + "¥"},
		// Unknown languages write amounts as Format does.
		{"xx-YY", Money{149900, "EUR"}, "€1,499.00"},
		{"tlh", Money{1500, "KWD"}, "1.500 KWD"},
	}
	for _, tt := range tests {
		l, err := ParseLocale(tt.locale)
		if err != nil {
			t.Fatalf("ParseLocale(%q): %v", tt.locale, err)
		}
		if got := tt.money.FormatIn(l); got != tt.want {
			t.Errorf("%#v.FormatIn(%s) = %q, want %q", tt.money, tt.locale, got, tt.want)
		}
	}
	if got := (Money{149900, "USD"}).FormatIn(Locale{}); got != "$1,499.00" {
		t.Errorf("the zero Locale: %q", got)
	}
}

func TestParseLocale(t *testing.T) {
	tests := []struct {
		tag, want string
		known     bool
	}{
		{"de-DE", "de-DE", true},
		{"de-de", "de-DE", true},
		{"EN_gb", "en-GB", true},
		{"sr-latn-rs", "sr-Latn-RS", false},
		{"zh-hant-tw", "zh-Hant-TW", true},
		{"es-419", "es-419", true},
		{"de-CH-1996", "de-CH-1996", true},
		{"x-private", "", false},
		{"", "", false},
		{"d", "", false},
		{"deutsch", "", false},
		{"de--DE", "", false},
		{"de-", "", false},
		{"de DE", "", false},
		{"de-DEUTSCHLAND", "", false},
		{"12-DE", "", false},
		{"de-DÉ", "", false},
	}
	for _, tt := range tests {
		l, err := ParseLocale(tt.tag)
		if (err == nil) != (tt.want != "") || l.Tag() != tt.want || l.Known() != tt.known {
			t.Errorf("ParseLocale(%q) = %q (known %v), %v; want %q (known %v)", tt.tag, l.Tag(), l.Known(), err, tt.want, tt.known)
		}
	}
}
