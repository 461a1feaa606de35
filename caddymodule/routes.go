package caddymodule

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kairoedge/kairo/internal/inject"
	"github.com/kairoedge/kairo/offers"
)

// orderIDPlaceholder is the path segment of a thank-you pattern that
// captures the order id.
const orderIDPlaceholder = "{order_id}"

// pathPattern matches a request path against a page pattern: literal
// segments, at most one {order_id} or {product_id} segment, and an optional
// trailing "*".
type pathPattern struct {
	raw      string
	segments []string // literal segments; "" where the id is captured
	orderAt  int      // index of the captured segment, -1 when none
	captures string   // the placeholder captured at orderAt: {order_id} or {product_id}
	wildcard bool     // pattern ends in "*": any further path is accepted
}

// parsePatterns compiles page patterns; a need other than "" requires each
// to capture that placeholder ({order_id} or {product_id}).
func parsePatterns(raws []string, need string) ([]pathPattern, error) {
	out := make([]pathPattern, 0, len(raws))
	for _, raw := range raws {
		p, err := parsePattern(raw)
		if err != nil {
			return nil, err
		}
		if need != "" && p.captures != need {
			return nil, fmt.Errorf("pattern %q has no %s segment to capture the %s", raw, need, strings.Trim(strings.ReplaceAll(need, "_", " "), "{}"))
		}
		out = append(out, p)
	}
	return out, nil
}

func parsePattern(raw string) (pathPattern, error) {
	p := pathPattern{raw: raw, orderAt: -1}
	if !strings.HasPrefix(raw, "/") {
		return p, fmt.Errorf("pattern %q must start with /", raw)
	}
	body := raw[1:]
	if strings.HasSuffix(body, "*") {
		p.wildcard = true
		body = strings.TrimSuffix(strings.TrimSuffix(body, "*"), "/")
	}
	if body == "" {
		return p, nil
	}
	for i, seg := range strings.Split(body, "/") {
		switch {
		case seg == orderIDPlaceholder || seg == productIDPlaceholder:
			if p.orderAt >= 0 {
				return p, fmt.Errorf("pattern %q captures more than one id", raw)
			}
			p.orderAt, p.captures = i, seg
			seg = ""
		case strings.ContainsAny(seg, "{}*"):
			return p, fmt.Errorf("pattern %q: segment %q: only %s, %s and a trailing * are supported", raw, seg, orderIDPlaceholder, productIDPlaceholder)
		}
		p.segments = append(p.segments, seg)
	}
	return p, nil
}

// match reports whether path matches, and the captured id.
func (p pathPattern) match(path string) (orderID string, ok bool) {
	if !strings.HasPrefix(path, "/") {
		return "", false
	}
	rest := path[1:]
	for i, seg := range p.segments {
		var part string
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			part, rest = rest[:j], rest[j+1:]
		} else {
			part, rest = rest, ""
			if i != len(p.segments)-1 {
				return "", false
			}
		}
		if i == p.orderAt {
			if part == "" {
				return "", false
			}
			orderID = part
		} else if part != seg {
			return "", false
		}
	}
	if rest != "" && !p.wildcard {
		return "", false
	}
	return orderID, true
}

// match finds the placement of a request that may be rewritten, and the
// id its path names: the order of a thank-you page, the product of a
// product page.
func (h *Handler) match(r *http.Request) (offers.Placement, string, bool) {
	if !inject.Eligible(r) {
		return "", "", false
	}
	if id, ok := h.orderFromPath(r.URL.Path); ok {
		return offers.PlacementThankYou, id, true
	}
	if pl, id, ok := h.matchPrePurchase(r.URL.Path); ok {
		return pl, id, true
	}
	for _, p := range h.cartPaths {
		if _, ok := p.match(r.URL.Path); ok {
			return offers.PlacementCart, "", true
		}
	}
	return "", "", false
}

// routeOf is the configured pattern a page of placement pl at path
// matched, for logs: the pattern rather than the path, which may hold an
// order id.
func (h *Handler) routeOf(pl offers.Placement, path string) string {
	var patterns []pathPattern
	switch pl {
	case offers.PlacementThankYou:
		patterns = h.thankYou
	case offers.PlacementCart:
		patterns = h.cartPaths
	case offers.PlacementProduct:
		patterns = h.productPaths
	case offers.PlacementCheckout:
		patterns = h.checkoutPaths
	}
	for _, p := range patterns {
		if _, ok := p.match(path); ok {
			return p.raw
		}
	}
	return string(pl)
}

// orderFromPath returns the order id a thank-you path names, if any.
func (h *Handler) orderFromPath(path string) (string, bool) {
	for _, p := range h.thankYou {
		if id, ok := p.match(path); ok {
			return id, true
		}
	}
	return "", false
}

// underPrefix reports whether path is one of Kairo's own endpoints and
// returns the part after the prefix.
func underPrefix(path, prefix string) (string, bool) {
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	rest := path[len(prefix):]
	if rest == "" || rest[0] != '/' {
		return "", false
	}
	return rest[1:], true
}
