package caddymodule

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

// productIDPlaceholder is the path segment of a product pattern that
// captures the product id.
const productIDPlaceholder = "{product_id}"

// DefaultPopupCap is how many times one customer sees the add-to-cart
// pop-up when popup_cap is not set.
const DefaultPopupCap = 3

// PlacementOptions are the settings of one placement that the Caddyfile's
// `placement <name> { ... }` block sets: product, checkout and popup; cart
// and thank_you (the inline box) take mount and after_add only.
type PlacementOptions struct {
	// Mount is a CSS selector of a store element the placement's widget
	// moves into (e.g. "#checkout-pay" for the order bump, next to the pay
	// button). Default: the handler's mount, else the end of the body.
	Mount string `json:"mount,omitempty"`

	// AfterAdd says what the page does once an offer is accepted:
	// "reload" (the page reloads, so the store renders its own summary with
	// the new item and totals) or "none" (nothing beyond the widget's
	// kairo:cart-changed / kairo:order-changed event, which a store script
	// can act on). Default: reload on cart pages, none elsewhere.
	AfterAdd string `json:"after_add,omitempty"`

	// Text overrides the widget's words by key (heading, button, ... see
	// widget.PrePurchaseTextKeys); the rest keep their defaults.
	Text map[string]string `json:"text,omitempty"`
}

// afterAddNone is after_add's "leave the page as it is".
const afterAddNone = "none"

// afterAddChoices are the values after_add accepts ("" is the default).
var afterAddChoices = []string{"", widget.AfterAddReload, afterAddNone}

// validate checks the options of placement name.
func (o *PlacementOptions) validate(name string) error {
	pl := offers.Placement(name)
	if !pl.PrePurchase() && pl != offers.PlacementThankYou {
		return fmt.Errorf("placement %q: want one of product, checkout, popup, cart, thank_you", name)
	}
	if !slices.Contains(afterAddChoices, o.AfterAdd) {
		return fmt.Errorf("placement %s: after_add %q: want %s or %s", name, o.AfterAdd, widget.AfterAddReload, afterAddNone)
	}
	for key := range o.Text {
		if err := checkTextKey(pl, key); err != nil {
			return err
		}
	}
	return nil
}

// checkTextKey checks one key of a placement's text: a word of its widget
// (the inline box on cart and thank-you pages, the pre-purchase widget on
// the others) or, but on thank-you pages, whose results post_purchase's
// text words, a result its pages give.
func checkTextKey(pl offers.Placement, key string) error {
	words := widget.PrePurchaseTextKeys()
	if pl == offers.PlacementCart || pl == offers.PlacementThankYou {
		words = widget.InlineTextKeys(string(pl))
	}
	switch {
	case slices.Contains(words, key):
		return nil
	case pl == offers.PlacementThankYou && isResultTextKey(key):
		return fmt.Errorf("placement thank_you: text %q: post_purchase's text words the results on thank-you pages", key)
	case pl == offers.PlacementThankYou:
		return fmt.Errorf("placement thank_you: text %q is not a text of the widget (want one of %s)", key, strings.Join(words, ", "))
	case !isResultTextKey(key):
		return fmt.Errorf("placement %s: text %q is not a text of the widget (want one of %s; or one of the results' %s)",
			pl, key, strings.Join(words, ", "), strings.Join(resultTextKeys, ", "))
	case !resultWordsFit(key, pl):
		return fmt.Errorf("placement %s: text %q words a result this placement's pages never give", pl, key)
	}
	return nil
}

// placementOptions returns the options of pl, with after_add's default:
// a cart page reloads after an accept, so the store's own cart shows the
// new line and total at once.
func (h *Handler) placementOptions(pl offers.Placement) PlacementOptions {
	var o PlacementOptions
	if set := h.Placements[string(pl)]; set != nil {
		o = *set
	}
	if o.AfterAdd == "" && pl == offers.PlacementCart {
		o.AfterAdd = widget.AfterAddReload
	}
	return o
}

// mountFor is where the widget of pl moves: its own mount, else the
// handler's.
func (h *Handler) mountFor(pl offers.Placement) string {
	if m := h.placementOptions(pl).Mount; m != "" {
		return m
	}
	return h.Mount
}

// popupTrigger is one store request after which the pop-up opens, e.g.
// POST /cart/add.
type popupTrigger struct {
	method string
	path   pathPattern
}

// parsePopupTriggers compiles the popup_after entries ("METHOD /path").
func parsePopupTriggers(raws []string) ([]popupTrigger, error) {
	out := make([]popupTrigger, 0, len(raws))
	for _, raw := range raws {
		method, path, ok := strings.Cut(strings.TrimSpace(raw), " ")
		method = strings.ToUpper(method)
		if !ok || !validMethod(method) {
			return nil, fmt.Errorf("popup_after %q: want a method and a path, e.g. POST /cart/add", raw)
		}
		p, err := parsePattern(strings.TrimSpace(path))
		if err != nil {
			return nil, fmt.Errorf("popup_after: %w", err)
		}
		out = append(out, popupTrigger{method: method, path: p})
	}
	return out, nil
}

// validMethod reports whether m is a method a store's add-to-cart uses.
func validMethod(m string) bool {
	switch m {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodGet:
		return true
	}
	return false
}

// popupTriggered reports whether r is one of the store's add-to-cart
// requests the pop-up follows.
func (h *Handler) popupTriggered(r *http.Request) bool {
	for _, t := range h.popupAfter {
		if r.Method == t.method {
			if _, ok := t.path.match(r.URL.Path); ok {
				return true
			}
		}
	}
	return false
}

// popupOn reports whether pages of placement pl carry the pop-up's loader:
// product and cart pages do when popup_after is set.
func (h *Handler) popupOn(pl offers.Placement) bool {
	return len(h.popupAfter) > 0 && (pl == offers.PlacementProduct || pl == offers.PlacementCart)
}

// provisionPrePurchase compiles the product, checkout and pop-up settings.
func (h *Handler) provisionPrePurchase() error {
	var err error
	if h.productPaths, err = parsePatterns(h.ProductPaths, productIDPlaceholder); err != nil {
		return h.configErr("product", fmt.Errorf("product: %w", err))
	}
	if h.checkoutPaths, err = parsePatterns(h.CheckoutPaths, ""); err != nil {
		return h.configErr("checkout", fmt.Errorf("checkout: %w", err))
	}
	if h.popupAfter, err = parsePopupTriggers(h.PopupAfter); err != nil {
		return h.configErr("popup_after", err)
	}
	if len(h.popupAfter) > 0 {
		h.popupLoader = widget.PopupLoader(h.Prefix, h.PopupAfter)
	}
	if h.PopupCap == 0 {
		h.PopupCap = DefaultPopupCap
	}
	if h.PopupCap < 0 {
		return h.configErr("popup_cap", fmt.Errorf("popup_cap %d: want 1 or more", h.PopupCap))
	}
	for name, o := range h.Placements {
		if o == nil {
			continue
		}
		if err := o.validate(name); err != nil {
			return h.configErr("placement "+name, err)
		}
	}
	return nil
}

// matchPrePurchase finds the product or checkout page a path names; for a
// product page it returns the product id.
func (h *Handler) matchPrePurchase(path string) (offers.Placement, string, bool) {
	for _, p := range h.productPaths {
		if id, ok := p.match(path); ok {
			return offers.PlacementProduct, id, true
		}
	}
	for _, p := range h.checkoutPaths {
		if _, ok := p.match(path); ok {
			return offers.PlacementCheckout, "", true
		}
	}
	return "", "", false
}

// withCartURL adds the pop-up's way to the cart, the first cart page that
// is one exact path, to texts that do not set cart_url themselves.
func (h *Handler) withCartURL(text map[string]string) map[string]string {
	if _, set := text["cart_url"]; set {
		return text
	}
	for _, p := range h.cartPaths {
		if !p.wildcard && p.orderAt < 0 {
			out := make(map[string]string, len(text)+1)
			for k, v := range text {
				out[k] = v
			}
			out["cart_url"] = p.raw
			return out
		}
	}
	return text
}
