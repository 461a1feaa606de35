package caddymodule

import (
	"fmt"
	"strings"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/offers"
)

// The rules a configuration must follow are checked once, in Provision
// and Validate, whether the config came from JSON or a Caddyfile, and
// each is worded once, starting with its option's name. The Caddyfile
// parser reads only the shape of the tokens (how many values, a number, a
// duration) and notes where each option was written (CaddyfileLines), so
// that a broken rule is reported with its file and line: configErr.

// checkSecret is the rule for one token secret.
func checkSecret(s string) error {
	if len(s) < offers.MinSecretLength {
		return fmt.Errorf("a secret of %d bytes is too short: use %d random bytes or more (e.g. openssl rand -base64 48)", len(s), offers.MinSecretLength)
	}
	return nil
}

// checkMaxOffers is the rule for max_offers (after its default).
func checkMaxOffers(n int) error {
	if n < 1 {
		return fmt.Errorf("max_offers %d: want 1 or more", n)
	}
	return nil
}

// checkPrefix is the rule for the endpoints' prefix.
func checkPrefix(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("prefix %q must start with /", p)
	}
	return nil
}

// configErr is the error for a rule of option opt that err says is
// broken: "upsell: <err>", and for a config from a Caddyfile ", at
// <file>:<line>" where the option was written.
func (h *Handler) configErr(opt string, err error) error {
	if at := h.CaddyfileLines[opt]; at != "" {
		return fmt.Errorf("upsell: %w, at %s", err, at)
	}
	return fmt.Errorf("upsell: %w", err)
}

// noteLine records where the Caddyfile wrote option opt (the first time),
// for configErr.
func (h *Handler) noteLine(opt string, d *caddyfile.Dispenser) {
	if h.CaddyfileLines == nil {
		h.CaddyfileLines = make(map[string]string)
	}
	if _, ok := h.CaddyfileLines[opt]; !ok {
		h.CaddyfileLines[opt] = fmt.Sprintf("%s:%d", d.File(), d.Line())
	}
}
