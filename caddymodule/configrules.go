package caddymodule

import (
	"fmt"
	"strings"

	"github.com/kairoedge/kairo/offers"
)

// The rules a configuration must follow, one function each, with one
// wording. Provision and Validate apply them to every config; the
// Caddyfile parser applies the same functions to the option it has just
// read, so that a Caddyfile user is told the file and line as well.

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
