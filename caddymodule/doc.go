// Package caddymodule is the Caddy glue for Kairo: the http.handlers.upsell
// module, its Caddyfile directive, the store client, the accept and decline
// endpoints, widget rendering and metrics.
package caddymodule
