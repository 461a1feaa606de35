package caddymodule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// How thank-you pages carry post-purchase offers (PostPurchaseConfig.Mode).
const (
	// PostPurchasePage answers the first visit of an order's thank-you page
	// with Kairo's own offer page; every way out leads to the store's page.
	PostPurchasePage = "page"
	// PostPurchaseInline puts the offer box at the end of the store's
	// thank-you page.
	PostPurchaseInline = "inline"
)

// Defaults of the offer page.
const (
	// DefaultOfferWindow is how long after the order (placed_at, or else
	// the first view of its thank-you page) its offers can be accepted.
	DefaultOfferWindow = 15 * time.Minute
	// DefaultMaxSteps is the most offers the offer page shows in a row.
	DefaultMaxSteps = 3
	// maxMaxSteps bounds max_steps: more offers in a row only annoy.
	maxMaxSteps = 5
	// maxOfferWindow bounds window, like an offer's expires_after.
	maxOfferWindow = 24 * time.Hour
)

// PostPurchaseConfig is how thank-you pages carry offers.
type PostPurchaseConfig struct {
	// Mode is "page" (the default): the first visit of an order's
	// thank-you page gets Kairo's own offer page, one offer at a time, and
	// every way out leads to the store's page at the same URL; or "inline":
	// the offer box at the end of the store's page.
	Mode string `json:"mode,omitempty"`

	// Window is how long an order's offers last, counted from the order's
	// placed_at when the store sends it, else from the first view of its
	// thank-you page. It is fixed per order: a reload never restarts it.
	// Default: 15m.
	Window caddy.Duration `json:"window,omitempty"`

	// MaxSteps is the most offers shown in a row on the offer page
	// (accepted or declined, downsells and next steps included). Default
	// (0): 3.
	MaxSteps int `json:"max_steps,omitempty"`

	// Stylesheet is the URL of a stylesheet loaded after the offer page's
	// own, to theme it through its CSS custom properties.
	Stylesheet string `json:"stylesheet,omitempty"`

	// Icon is the URL of the page's icon, usually the store's own; without
	// it the browser asks for /favicon.ico as on any page of the site.
	Icon string `json:"icon,omitempty"`

	// Links are shown at the foot of the offer page, usually the store's
	// policies (refunds, shipping, privacy, terms), in order.
	Links []PageLink `json:"links,omitempty"`

	// Texts replace the offer page's customer-facing strings by key (see
	// widget.DefaultTexts: title, confirmed, headline, pay, decline,
	// continue, charge_note, tax_note, shipping, ...). An offer's own
	// texts in the catalog (its "text") go over these.
	Texts map[string]string `json:"texts,omitempty"`
}

// PageLink is one link at the foot of the offer page.
type PageLink struct {
	// Label is the link's text, e.g. "Refund policy".
	Label string `json:"label,omitempty"`
	// URL is where it leads, e.g. /policies/refunds.
	URL string `json:"url,omitempty"`
}

// setDefaults fills in what the operator left out.
func (c *PostPurchaseConfig) setDefaults() {
	if c.Mode == "" {
		c.Mode = PostPurchasePage
	}
	if c.Window == 0 {
		c.Window = caddy.Duration(DefaultOfferWindow)
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = DefaultMaxSteps
	}
}

// validate checks the configuration once defaults are in.
func (c *PostPurchaseConfig) validate() error {
	if c.Mode != PostPurchasePage && c.Mode != PostPurchaseInline {
		return fmt.Errorf("post_purchase: mode %q is neither %q nor %q", c.Mode, PostPurchasePage, PostPurchaseInline)
	}
	if w := time.Duration(c.Window); w <= 0 || w > maxOfferWindow {
		return fmt.Errorf("post_purchase: window %s is not between 0 and %s", w, maxOfferWindow)
	}
	if c.MaxSteps < 1 || c.MaxSteps > maxMaxSteps {
		return fmt.Errorf("post_purchase: max_steps %d is not between 1 and %d", c.MaxSteps, maxMaxSteps)
	}
	for key := range c.Texts {
		switch _, ok := widget.DefaultTexts[key]; {
		case ok:
		case !isResultTextKey(key):
			return fmt.Errorf("post_purchase: text %q is not a text of the offer page (known: %s; and the results' %s)",
				key, strings.Join(widget.TextKeys(), ", "), strings.Join(resultTextKeys, ", "))
		case !resultWordsFit(key, offers.PlacementThankYou):
			return fmt.Errorf("post_purchase: text %q words a result only pages before purchase give", key)
		}
	}
	return nil
}

// pageMode reports whether thank-you pages get the offer page.
func (h *Handler) pageMode() bool {
	return h.PostPurchase.Mode == PostPurchasePage
}

// unmarshalCaddyfile parses
//
//	post_purchase page|inline {
//	    window     <duration>
//	    max_steps  <n>
//	    stylesheet <url>
//	    icon       <url>
//	    link       <label> <url>
//	    text       <key> <text>
//	}
func (c *PostPurchaseConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if d.NextArg() {
		c.Mode = d.Val() // Validate checks it, as the rest
		if d.NextArg() {
			return d.ArgErr()
		}
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		opt := d.Val()
		switch opt {
		case "window":
			if err := stores.DurationArg(d, &c.Window); err != nil {
				return err
			}
		case "max_steps":
			var s string
			if err := stores.OneArg(d, &s); err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return d.Errf("max_steps: %q is not a whole number", s)
			}
			c.MaxSteps = n
		case "stylesheet":
			if err := stores.OneArg(d, &c.Stylesheet); err != nil {
				return err
			}
		case "icon":
			if err := stores.OneArg(d, &c.Icon); err != nil {
				return err
			}
		case "link":
			args := d.RemainingArgs()
			if len(args) != 2 {
				return d.Errf("link needs a label and a URL, got %d arguments", len(args))
			}
			c.Links = append(c.Links, PageLink{Label: args[0], URL: args[1]})
		case "text":
			args := d.RemainingArgs()
			if len(args) != 2 {
				return d.Errf("text needs a key and the text, got %d arguments", len(args))
			}
			if c.Texts == nil {
				c.Texts = make(map[string]string)
			}
			c.Texts[args[0]] = args[1]
		default:
			return d.Errf("unknown post_purchase option %q", opt)
		}
	}
	return nil
}
