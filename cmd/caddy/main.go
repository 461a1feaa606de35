// Command caddy is a Caddy binary with the standard modules, Kairo's upsell
// handler and the demo store built in.
//
//	go run ./cmd/caddy run --config demo/Caddyfile
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	// The standard Caddy modules.
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	// Kairo's upsell handler and the demo store used by demo/Caddyfile.
	_ "github.com/kairoedge/kairo"
	_ "github.com/kairoedge/kairo/internal/demostore"
)

func main() {
	caddycmd.Main()
}
