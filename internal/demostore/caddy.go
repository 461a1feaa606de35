package demostore

import (
	"fmt"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler is the Caddy HTTP handler module http.handlers.demo_store: it
// serves a whole demo Store (pages, JSON API, test controls) and is meant
// to be the only handler of its own site block. It never calls the next
// handler; unknown paths get a 404.
//
// The store's state lives in memory for as long as the loaded
// configuration: a config reload starts an empty store with no faults.
type Handler struct {
	// APIToken is the bearer token required by the order endpoints and
	// /_demo/. Default: "demo-store-token", with a warning in the log.
	APIToken string `json:"api_token,omitempty"`

	// AcceptWindow is how long after payment an order accepts
	// post-purchase additions; afterwards POST
	// /api/orders/{order_id}/upsells answers 410. Default: 15m.
	AcceptWindow caddy.Duration `json:"accept_window,omitempty"`

	// Currency is the ISO 4217 code of every price. Default: USD.
	Currency string `json:"currency,omitempty"`

	store  *Store
	cfg    Config
	logger *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.demo_store",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision fills defaults and opens an empty store.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.cfg = Config{
		APIToken:     h.APIToken,
		AcceptWindow: time.Duration(h.AcceptWindow),
		Currency:     h.Currency,
	}.withDefaults()
	if h.APIToken == "" || h.APIToken == DefaultAPIToken {
		h.logger.Warn("demo_store: the JSON API accepts the public demo token " + DefaultAPIToken + "; set api_token before exposing this store")
	}
	if h.cfg.Validate() != nil {
		return nil // Validate reports it; no store is built from a bad config
	}
	h.store = newStore(h.cfg)
	return nil
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if err := h.cfg.Validate(); err != nil {
		return fmt.Errorf("demo_store: %w", err)
	}
	return nil
}

// ServeHTTP serves the store; it is a terminal handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	h.store.ServeHTTP(w, r)
	return nil
}

// Store returns the store behind the handler, or nil before Provision.
func (h *Handler) Store() *Store { return h.store }

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
	_ caddyfile.Unmarshaler       = (*Handler)(nil)
)
