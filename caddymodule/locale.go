package caddymodule

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
)

// The locale prices are written in for a cart or order: the one its
// context names (the store knows its buyer's language), else the
// handler's locale option, else the plain way ("$1,499.00"). An offer's
// token carries the locale its prices were shown in, so the answer to its
// accept (the new order total) reads the same way.

// provisionLocale reads the locale option.
func (h *Handler) provisionLocale() error {
	if h.Locale == "" {
		return nil
	}
	l, err := offers.ParseLocale(h.Locale)
	if err != nil {
		return h.configErr("locale", fmt.Errorf("locale %q: %w", h.Locale, err))
	}
	if !l.Known() {
		h.logger.Warn("locale: amounts are written the plain way (\"$1,499.00\"): the locale's language is not in Kairo's table", zap.String("locale", l.Tag()))
	}
	h.locale = l
	return nil
}

// localeFor is the locale of a cart or order: its own, else the
// handler's.
func (h *Handler) localeFor(sc *offers.Context) offers.Locale {
	if sc != nil && sc.Locale != "" {
		if l, err := offers.ParseLocale(sc.Locale); err == nil {
			return l
		}
	}
	return h.locale
}

// claimedLocale is the locale an offer's token says its prices were
// shown in.
func claimedLocale(cl offers.Claims) offers.Locale {
	l, _ := offers.ParseLocale(cl.Locale) // "" and anything else: the plain way
	return l
}

// amountIn writes an amount of the token's currency the way its prices
// were shown.
func amountIn(cl offers.Claims, amount int64) string {
	return offers.Money{Amount: amount, Currency: cl.Currency}.FormatIn(claimedLocale(cl))
}
