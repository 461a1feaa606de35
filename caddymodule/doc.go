// Package caddymodule is the Caddy glue for Kairo: the http.handlers.upsell
// module, its Caddyfile directive, the store client, the accept and decline
// endpoints, widget rendering and metrics; the post-purchase offer page
// (postpurchase.go its options, offerpage.go the page, offerpage_actions.go
// its accept/decline/continue endpoints under {prefix}/page/, funnel.go
// what it keeps per order in the state layer); and the analytics: counters in
// the state layer (analytics_*.go), the held-back control group, shadow
// offers, auto-pause (autopause.go) and the operator's dashboard
// (dashboard*.go).
package caddymodule
