package demostore

import (
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("demo_store", parseCaddyfile)
	httpcaddyfile.RegisterDirectiveOrder("demo_store", httpcaddyfile.Before, "file_server")
}

// parseCaddyfile builds the handler from a demo_store directive.
func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	handler := new(Handler)
	err := handler.UnmarshalCaddyfile(h.Dispenser)
	return handler, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	demo_store {
//	    api_token     <token>
//	    accept_window <duration>
//	    currency      <ISO 4217 code>
//	}
//
// Every subdirective is optional; the block may be left out.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "api_token":
			if !d.AllArgs(&h.APIToken) {
				return d.ArgErr()
			}
		case "accept_window":
			var raw string
			if !d.AllArgs(&raw) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(raw)
			if err != nil {
				return d.Errf("accept_window: %v", err)
			}
			if dur <= 0 {
				return d.Errf("accept_window: %s must be positive", raw)
			}
			h.AcceptWindow = caddy.Duration(dur)
		case "currency":
			if !d.AllArgs(&h.Currency) {
				return d.ArgErr()
			}
			h.Currency = strings.ToUpper(h.Currency)
			if !validCurrency(h.Currency) {
				return d.Errf("currency: %q is not an ISO 4217 code such as USD", h.Currency)
			}
		default:
			return d.Errf("unknown demo_store option %q (want api_token, accept_window or currency)", d.Val())
		}
	}
	return nil
}
