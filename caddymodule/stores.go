package caddymodule

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/stores"
	// The store modules Kairo ships; the upsell handler can talk to any of
	// them, so a build with the handler has them all.
	_ "github.com/kairoedge/kairo/stores/contract"
	_ "github.com/kairoedge/kairo/stores/evershop"
	_ "github.com/kairoedge/kairo/stores/vendure"
	_ "github.com/kairoedge/kairo/stores/woocommerce"
)

// storeInlineKey names the store module inside the handler's "store"
// object: {"store": {"connector": "vendure", "url": ...}}.
const storeInlineKey = "connector"

// defaultConnector is the store module used when none is named: the JSON
// store contract.
const defaultConnector = "contract"

// loadStore provisions the store module named in StoreRaw. A "store"
// object without a connector is the JSON contract, as it was before store
// modules existed.
func (h *Handler) loadStore(ctx caddy.Context) (stores.Store, error) {
	if len(h.StoreRaw) == 0 {
		return nil, fmt.Errorf("a store is required (store <url> { ... }, or store <connector> <url> { ... })")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(h.StoreRaw, &fields); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, named := fields[storeInlineKey]; !named {
		fields[storeInlineKey] = json.RawMessage(`"` + defaultConnector + `"`)
		raw, err := json.Marshal(fields)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		h.StoreRaw = raw
	}
	mod, err := ctx.LoadModule(h, "StoreRaw")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	st, ok := mod.(stores.Store)
	if !ok {
		return nil, fmt.Errorf("store: module %T is not a store", mod)
	}
	return st, nil
}

// unmarshalStore reads `store [<connector>] <url> { ... }`: the connector
// is a store module's name; without one, the URL is the JSON contract's.
func unmarshalStore(d *caddyfile.Dispenser) (json.RawMessage, error) {
	name := defaultConnector
	if d.NextArg() {
		if !strings.Contains(d.Val(), "://") {
			name = d.Val()
		}
		d.Prev()
	}
	if _, err := caddy.GetModule(stores.Namespace + "." + name); err != nil {
		return nil, d.Errf("store: unknown connector %q (built in: contract, vendure, evershop, woocommerce)", name)
	}
	unm, err := caddyfile.UnmarshalModule(d, stores.Namespace+"."+name)
	if err != nil {
		return nil, err
	}
	return caddyconfig.JSONModuleObject(unm, storeInlineKey, name, nil), nil
}

// clientAddr is the shopper's IP address: the one Caddy settled on after
// its trusted_proxies, else the connection's.
func clientAddr(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// shopper is who a cart call is made for. Kairo's own cookies are not
// the store's business and are left out (cartcookie.go).
func shopper(r *http.Request) stores.Shopper {
	return stores.Shopper{Cookie: storeCookies(r), ClientAddr: clientAddr(r)}
}
