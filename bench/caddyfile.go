package main

import (
	"fmt"
	"strings"
)

// benchSecret signs the offer tokens of the bench configuration only.
const benchSecret = "kairo-bench-secret-not-for-production-0123456789"

// proxyConfig is one of the compared Caddy configurations.
type proxyConfig struct {
	Key        string // A, B, C, D, G (E, F: nginx): the table's row label
	Name       string // what it is
	Upsell     bool   // the upsell handler is configured
	ContextTTL string // upsell's context_ttl, "" for none
	// ContextInPage turns on upsell's context_in_page: the store sends the
	// cart context in the page's header instead of answering a call.
	ContextInPage bool
	Route         string // path prefix the load goes to: /page (no match) or /cart (matched)
	Nginx         bool   // the peer: nginx instead of Caddy (nginx.go)
	SubFilter     bool   // nginx inserts the widget with sub_filter
}

// The configurations. B and C run the same Caddyfile; only the requested
// path differs. D caches the store's cart context (context_ttl), so that
// with one customer's cookie every page after the first is served without
// asking the store.
var (
	configPlain    = proxyConfig{Key: "A", Name: "plain reverse_proxy", Route: "/page"}
	configNoMatch  = proxyConfig{Key: "B", Name: "upsell, route not matched", Upsell: true, Route: "/page"}
	configInjected = proxyConfig{Key: "C", Name: "upsell injecting, context from the store", Upsell: true, Route: "/cart"}
	configCached   = proxyConfig{Key: "D", Name: "upsell injecting, context cached", Upsell: true, ContextTTL: "2s", Route: "/cart"}
	// G is C with the context in the page's own header (context_in_page):
	// every page brings its customer's context, fresh, without a call.
	configPageContext = proxyConfig{Key: "G", Name: "upsell injecting, context in the page (context_in_page)", Upsell: true, ContextInPage: true, Route: "/cart"}
	allConfigs        = []proxyConfig{configPlain, configNoMatch, configInjected, configCached, configPageContext}
	// kairoConfigs are the Caddy ones, A to D and G; allConfigs adds the
	// nginx peer rows E and F when nginx is installed (withPeers).
	kairoConfigs = allConfigs
	// injectingConfigs put the widget into the page.
	injectingConfigs = []proxyConfig{configInjected, configCached, configPageContext}
)

// injects says whether the page comes back with Kairo's widget.
func (c proxyConfig) injects() bool { return c.Upsell && c.Route == "/cart" }

// withPeers adds the nginx rows E and F to the run when nginx is there.
func withPeers() bool {
	if !nginxAvailable() {
		return false
	}
	allConfigs = append(kairoConfigs[:len(kairoConfigs):len(kairoConfigs)], configNginx, configNginxSub)
	return true
}

// url is the address of a page of the given size through this config.
func (c proxyConfig) url(base string, size pageSize) string {
	return base + c.Route + "/" + size.Name
}

// caddyfileSites holds what a Caddyfile needs to know about the run.
type caddyfileSites struct {
	Listen   string // host:port Caddy serves on
	Admin    string // host:port of the admin endpoint (metrics, pprof)
	Upstream string // host:port of the store
	Catalog  string // absolute path of the bench offer catalog
}

// caddyfile renders the configuration. There is no encode directive in any
// of them: compression would cost the same in all three and hide the
// difference being measured.
func (c proxyConfig) caddyfile(s caddyfileSites) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{
	admin %s
	auto_https off
	persist_config off
	log {
		level WARN
	}
}

http://%s {
	bind 127.0.0.1
`, s.Admin, s.Listen)
	if c.Upsell {
		fmt.Fprintf(&b, `	upsell {
		catalog %s
		secret %s
		cart /cart/*
		prefix /_upsell
		max_offers 2
%s%s		store http://%s {
			cart_context /api/cart
			timeout 150ms
		}
	}
`, s.Catalog, benchSecret, c.contextTTLLine(), c.contextInPageLine(), s.Upstream)
	}
	fmt.Fprintf(&b, "\treverse_proxy %s\n}\n", s.Upstream)
	return b.String()
}

// contextTTLLine is the context_ttl option line, or nothing.
func (c proxyConfig) contextTTLLine() string {
	if c.ContextTTL == "" {
		return ""
	}
	return "\t\tcontext_ttl " + c.ContextTTL + "\n"
}

// contextInPageLine is the context_in_page option line, or nothing.
func (c proxyConfig) contextInPageLine() string {
	if !c.ContextInPage {
		return ""
	}
	return "\t\tcontext_in_page\n"
}
