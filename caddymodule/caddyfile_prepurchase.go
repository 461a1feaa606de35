package caddymodule

import (
	"strconv"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/stores"
)

// prePurchaseOptions are the upsell options of the product, checkout and
// pop-up placements, parsed by unmarshalPrePurchase:
//
//	product     <path with {product_id}>...
//	checkout    <path>...
//	popup_after <METHOD> <path>
//	popup_cap   <n>
//	placement <product|checkout|popup|cart> {
//	    mount     <css selector>
//	    after_add reload
//	    text      <key> <words>
//	}
var prePurchaseOptions = map[string]bool{
	"product": true, "checkout": true, "popup_after": true, "popup_cap": true, "placement": true,
}

// unmarshalPrePurchase parses one of prePurchaseOptions. Values are checked
// once, in Provision; only the shape of the tokens is checked here.
func (h *Handler) unmarshalPrePurchase(d *caddyfile.Dispenser, opt string) error {
	switch opt {
	case "product", "checkout":
		args := d.RemainingArgs()
		if len(args) == 0 {
			return d.ArgErr()
		}
		if opt == "product" {
			h.ProductPaths = append(h.ProductPaths, args...)
		} else {
			h.CheckoutPaths = append(h.CheckoutPaths, args...)
		}
	case "popup_after":
		args := d.RemainingArgs()
		if len(args) != 2 {
			return d.Errf("popup_after needs a method and a path, e.g. popup_after POST /cart/add; got %d arguments", len(args))
		}
		h.PopupAfter = append(h.PopupAfter, args[0]+" "+args[1])
	case "popup_cap":
		var s string
		if err := stores.OneArg(d, &s); err != nil {
			return err
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return d.Errf("popup_cap: %q is not a whole number", s)
		}
		h.PopupCap = n
	case "placement":
		return h.unmarshalPlacement(d)
	}
	return nil
}

// unmarshalPlacement parses `placement <name> { ... }`.
func (h *Handler) unmarshalPlacement(d *caddyfile.Dispenser) error {
	var name string
	if err := stores.OneArg(d, &name); err != nil {
		return err
	}
	h.noteLine("placement "+name, d)
	if h.Placements == nil {
		h.Placements = make(map[string]*PlacementOptions)
	}
	o := h.Placements[name]
	if o == nil {
		o = new(PlacementOptions)
		h.Placements[name] = o
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		sub := d.Val()
		switch sub {
		case "mount":
			if err := stores.OneArg(d, &o.Mount); err != nil {
				return err
			}
		case "after_add":
			if err := stores.OneArg(d, &o.AfterAdd); err != nil {
				return err
			}
		case "text":
			args := d.RemainingArgs()
			if len(args) != 2 {
				return d.Errf("text needs a key and the words, e.g. text heading \"Goes well with it\"; got %d arguments", len(args))
			}
			if o.Text == nil {
				o.Text = make(map[string]string)
			}
			o.Text[args[0]] = args[1]
		default:
			return d.Errf("unknown option %q in placement %s", sub, name)
		}
	}
	return nil
}
