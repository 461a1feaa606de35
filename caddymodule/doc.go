// Package caddymodule is the Caddy glue for Kairo: the http.handlers.upsell
// module, its Caddyfile directive, the store client, the accept and decline
// endpoints, widget rendering and metrics, and the analytics: counters in
// the state layer (analytics_*.go), the held-back control group, shadow
// offers, auto-pause (autopause.go) and the operator's dashboard
// (dashboard*.go).
package caddymodule
