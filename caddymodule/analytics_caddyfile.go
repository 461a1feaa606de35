package caddymodule

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/stores"
)

// unmarshalAnalyticsOption parses the analytics options of the upsell
// block:
//
//	holdout    <percent>%
//	dashboard
//	auto_pause <failures> <window> | off
func (c *AnalyticsConfig) unmarshalAnalyticsOption(d *caddyfile.Dispenser) error {
	switch opt := d.Val(); opt {
	case "holdout":
		var s string
		if err := stores.OneArg(d, &s); err != nil {
			return err
		}
		c.Holdout = s // Provision checks it
	case "dashboard":
		if d.NextArg() {
			return d.Errf("dashboard takes no value, got %q: it is on when present", d.Val())
		}
		c.Dashboard = true
	case "auto_pause":
		args := d.RemainingArgs()
		switch {
		case len(args) == 1 && args[0] == "off":
			c.AutoPauseFailures = -1
		case len(args) == 2:
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return d.Errf("auto_pause: %q is not a positive number of failures", args[0])
			}
			window, err := caddy.ParseDuration(args[1])
			if err != nil || window <= 0 {
				return d.Errf("auto_pause: %q is not a positive duration (e.g. 10m)", args[1])
			}
			c.AutoPauseFailures, c.AutoPauseWindow = n, caddy.Duration(window)
		default:
			return d.Err("auto_pause needs <failures> <window> (e.g. auto_pause 5 10m) or off")
		}
	default:
		return d.Errf("unknown upsell option %q", opt)
	}
	return nil
}
