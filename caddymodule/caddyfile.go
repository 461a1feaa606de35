package caddymodule

import (
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/internal/envplaceholder"
	"github.com/kairoedge/kairo/stores"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("upsell", parseCaddyfile)
	httpcaddyfile.RegisterDirectiveOrder("upsell", httpcaddyfile.After, "encode")
	httpcaddyfile.RegisterGlobalOption("upsell_require_env", parseRequireEnv)
}

// parseRequireEnv is the global option upsell_require_env (no value):
//
//	{
//	    upsell_require_env
//	}
//
// With it, a Caddyfile whose {$NAME} placeholders (without a :default)
// are unset or empty does not load, and the error names each variable
// and its line. Without it Caddy reads an unset {$SHOP_DOMAIN} as a site
// with no address ("server block without any key") and an unset argument
// as a wrong argument count; global options are the only part of a
// Caddyfile read before the site blocks, so the check lives here.
func parseRequireEnv(d *caddyfile.Dispenser, _ any) (any, error) {
	d.Next() // the option's name
	if d.NextArg() {
		return nil, d.Errf("upsell_require_env takes no value, got %q", d.Val())
	}
	return nil, envplaceholder.CheckFile(d.File())
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	u := new(Handler)
	err := u.UnmarshalCaddyfile(h.Dispenser)
	return u, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	upsell {
//	    catalog        <file>
//	    secret         <secret> [<older secret>...]
//	    cart           <path>... [{
//	        mount        <css selector>
//	        after_accept reload|none
//	    }]
//	    thank_you      <path with {order_id}>... [{
//	        mount        <css selector>
//	        after_accept reload|none
//	    }]
//	    prefix         <path>
//	    max_offers     <n>
//	    mount          <css selector>
//	    locale         <BCP 47 tag>
//	    cart_token_ttl <duration>
//	    selection_ttl  <duration>
//	    context_ttl    <duration>
//	    context_in_page
//	    state          file [<path>] | <redis://host:port/db> {
//	        max_records <n>
//	    }
//	    holdout        <percent>%
//	    dashboard
//	    auto_pause     <failures> <window> | off
//	    post_purchase page|inline {
//	        window     <duration>
//	        max_steps  <n>
//	        stylesheet <url>
//	        icon       <url>
//	        link       <label> <url>
//	        text       <key> <text>
//	    }
//	    product        <path with {product_id}>...
//	    checkout       <path>...
//	    popup_after    <METHOD> <path>
//	    popup_cap      <n>
//	    placement <name> {
//	        mount     <css selector>
//	        after_add reload
//	        text      <key> <words>
//	    }
//	    store [<connector>] <url> {
//	        ...            options of the store module: contract
//	                       (the default), vendure or evershop
//	    }
//	}
//
// Only the shape of the tokens is checked here (how many values, a
// number, a duration); the options' rules are checked once, in Provision
// and Validate, which name the file and line each option was written at
// (configrules.go). An option left without a value by an unset {$ENV}
// placeholder is reported with the placeholder's name.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.Errf("upsell takes no arguments on its first line, got %q: options go in a block", d.Val())
	}
	for d.NextBlock(0) {
		opt := d.Val()
		if opt != "placement" {
			h.noteLine(opt, d)
		}
		switch opt {
		case "catalog":
			if err := stores.OneArg(d, &h.Catalog); err != nil {
				return err
			}
		case "secret":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return envplaceholder.Err(d, opt, "secret needs a value: 32 random bytes or more")
			}
			h.Secrets = append(h.Secrets, args...)
		case "cart":
			paths, err := pageArgs(d)
			if err != nil {
				return err
			}
			h.CartPaths = append(h.CartPaths, paths...)
		case "thank_you":
			paths, err := pageArgs(d)
			if err != nil {
				return err
			}
			h.ThankYouPaths = append(h.ThankYouPaths, paths...)
		case "prefix":
			if err := stores.OneArg(d, &h.Prefix); err != nil {
				return err
			}
		case "max_offers":
			var s string
			if err := stores.OneArg(d, &s); err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return d.Errf("max_offers: %q is not a whole number", s)
			}
			h.MaxOffers = n
		case "mount":
			if err := stores.OneArg(d, &h.Mount); err != nil {
				return err
			}
		case "locale":
			if err := stores.OneArg(d, &h.Locale); err != nil {
				return err
			}
		case "cart_token_ttl":
			if err := stores.DurationArg(d, &h.CartTokenTTL); err != nil {
				return err
			}
		case "selection_ttl":
			if err := stores.DurationArg(d, &h.SelectionTTL); err != nil {
				return err
			}
		case "context_ttl":
			if err := stores.DurationArg(d, &h.ContextTTL); err != nil {
				return err
			}
		case "context_in_page":
			if d.NextArg() {
				return d.Errf("context_in_page takes no value, got %q", d.Val())
			}
			h.ContextInPage = true
		case "post_purchase":
			// The offer page's options: postpurchase.go.
			if h.PostPurchase != nil {
				return d.Err("post_purchase is already set")
			}
			h.PostPurchase = new(PostPurchaseConfig)
			if err := h.PostPurchase.unmarshalCaddyfile(d); err != nil {
				return err
			}
		case "state":
			if h.State != nil {
				return d.Err("state is already set")
			}
			h.State = new(StateConfig)
			if err := h.State.unmarshalCaddyfile(d); err != nil {
				return err
			}
		case "store":
			if h.StoreRaw != nil {
				return d.Err("store is already set: one upsell handler talks to one store")
			}
			raw, err := unmarshalStore(d)
			if err != nil {
				return err
			}
			h.StoreRaw = raw
		case "holdout", "dashboard", "auto_pause":
			if err := h.unmarshalAnalyticsOption(d); err != nil {
				return err
			}
		default:
			if prePurchaseOptions[opt] {
				if err := h.unmarshalPrePurchase(d, opt); err != nil {
					return err
				}
				continue
			}
			return d.Errf("unknown upsell option %q", opt)
		}
	}
	return nil
}

// unmarshalCaddyfile parses `state file [<path>]` or `state <redis URL>`,
// with an optional block.
func (c *StateConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if !d.NextArg() {
		return d.Err("state needs where to keep it: file [<path>], or a redis://host:port/db URL")
	}
	switch where := d.Val(); {
	case where == "file":
		if d.NextArg() {
			c.File = d.Val()
		}
	case strings.HasPrefix(where, "redis://") || strings.HasPrefix(where, "rediss://"):
		c.Redis = where
	default:
		return d.Errf("state %q: want file [<path>] or a redis://host:port/db URL", where)
	}
	if d.NextArg() {
		return d.Errf("state takes one place, got more: %q", d.Val())
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch opt := d.Val(); opt {
		case "max_records":
			var s string
			if err := stores.OneArg(d, &s); err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return d.Errf("max_records: %q is not a positive whole number", s)
			}
			if c.Redis != "" {
				return d.Err("max_records is for the embedded file; cap Redis with its own maxmemory")
			}
			c.MaxRecords = n
		default:
			return d.Errf("unknown state option %q", opt)
		}
	}
	return nil
}

// pageArgs reads the page paths of a cart or thank_you option (Provision
// checks them).
func pageArgs(d *caddyfile.Dispenser) ([]string, error) {
	opt := d.Val()
	args := d.RemainingArgs()
	if len(args) == 0 {
		return nil, envplaceholder.Err(d, opt, opt+" needs at least one page path")
	}
	return args, nil
}
