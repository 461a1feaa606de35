// Package kairo puts one-click upsell offers into any web store, at the edge.
//
// Kairo is a Caddy v2 HTTP handler module (http.handlers.upsell, Caddyfile
// directive "upsell"). It recognises a store's cart and thank-you pages,
// streams them through while inserting targeted offers, and turns a
// customer's "Add to my order" click into a verified, exactly-once request to
// the store's backend.
//
// Importing this package plugs the module into a Caddy build:
//
//	xcaddy build v2.11.9 --with github.com/kairoedge/kairo
//
// The module itself lives in package caddymodule; the offer domain (catalog,
// targeting, money, signed tokens) in package offers.
package kairo

import (
	// Register the upsell handler with Caddy.
	_ "github.com/kairoedge/kairo/caddymodule"
)
