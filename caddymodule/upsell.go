package caddymodule

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
	"github.com/kairoedge/kairo/stores"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Defaults applied by Provision when an option is not set.
const (
	DefaultPrefix         = "/_upsell"
	DefaultMaxOffers      = 2
	DefaultContextTimeout = stores.DefaultContextTimeout
	DefaultAcceptTimeout  = stores.DefaultAcceptTimeout
	DefaultCartTokenTTL   = 30 * time.Minute
	DefaultSelectionTTL   = 30 * time.Second
	// DemoSecret is the secret demo/Caddyfile falls back to when
	// UPSELL_SECRET is unset. Provision logs a loud warning when it is used.
	DemoSecret = "demo-secret-change-me-demo-secret-change-me"
)

// Handler is the upsell HTTP handler (module id http.handlers.upsell). It
// recognises a store's cart and thank-you pages, asks the store for the
// cart or order while the page is fetched, selects offers from the catalog
// and inserts a widget with one signed token per offer just before the
// page's </body>. Under Prefix it serves the accept and decline endpoints
// and the widget's assets.
//
// Anything that goes wrong while building offers (store down or slow, bad
// context, no matching offer) leaves the page unchanged: pages fail open.
// Accepts fail closed: nothing reaches the store without a valid token.
//
// Placeholders set on matched pages, for access logs:
//
//	{http.upsell.placement}   cart, thank_you, product, checkout or popup
//	{http.upsell.offer_ids}   comma-separated ids of the offers shown
//	{http.upsell.outcome}     injected, or why the page passed through
type Handler struct {
	// Catalog is the path of the offer catalog (JSON, catalog v1).
	Catalog string `json:"catalog,omitempty"`

	// Secrets sign and verify offer tokens: the first signs, all verify,
	// so a secret can be rotated by listing the new one first. Each must be
	// at least 32 bytes. Required.
	Secrets []string `json:"secrets,omitempty"`

	// CartPaths are the store's cart pages (pre-purchase placement).
	// Exact paths; a trailing "*" matches any suffix.
	CartPaths []string `json:"cart,omitempty"`

	// ThankYouPaths are the store's order confirmation pages (post-purchase
	// placement). Each must capture the order id with an {order_id}
	// segment, e.g. /checkout/success/{order_id}.
	ThankYouPaths []string `json:"thank_you,omitempty"`

	// Prefix is where Kairo's own endpoints live: {prefix}/accept,
	// {prefix}/decline, {prefix}/widget.js, {prefix}/widget.css.
	// Default: /_upsell.
	Prefix string `json:"prefix,omitempty"`

	// StoreRaw is the store module that reaches the store (namespace
	// http.handlers.upsell.stores): "contract", the JSON store contract,
	// when the object names no connector; "vendure" or "evershop" for
	// those stores' own APIs.
	StoreRaw json.RawMessage `json:"store,omitempty" caddy:"namespace=http.handlers.upsell.stores inline_key=connector"`

	// MaxOffers is the most offers shown on one page. Default (0): 2.
	MaxOffers int `json:"max_offers,omitempty"`

	// Mount is an optional CSS selector of a store element the widget moves
	// into (e.g. "#cart-summary") on every placement that does not name its
	// own (CartWidget, ThankYouWidget). Without one the widget stays where
	// it was inserted: before the store's site footer, else its </body>.
	Mount string `json:"mount,omitempty"`

	// CartTokenTTL is how long a cart offer's token stays valid.
	// Post-purchase tokens use the offer's expires_after. Default: 30m.
	CartTokenTTL caddy.Duration `json:"cart_token_ttl,omitempty"`

	// ContextTTL caches the store's cart and order contexts for this long,
	// keyed by the customer's cookies (cart) or the order id, so a page view
	// need not wait for the store. An accept through Kairo drops the entry of
	// its cart or order. Changes the store makes by itself (the customer
	// edits the cart) show after at most this long, so keep it short.
	// Default: 0, every page asks the store.
	ContextTTL caddy.Duration `json:"context_ttl,omitempty"`

	// ContextInPage asks the store for the cart context in the cart and
	// checkout pages themselves, instead of a call to its cart_context
	// endpoint beside every page: the page request carries
	// "Kairo-Context: cart", and the store answers with the context, one
	// line of JSON, in the page's Kairo-Context header, which Kairo takes
	// out (store contract v1, optional; see pagecontext.go). A page
	// without it, or one a shared cache may keep or did (no private or
	// no-store, or an Age), falls back to the context call. Thank-you and
	// product pages, the pop-up and the offer page always call.
	// Default: off.
	ContextInPage bool `json:"context_in_page,omitempty"`

	// SelectionTTL is how long a selection (the offers for one placement
	// and one cart/order shape) is cached. Default: 30s.
	SelectionTTL caddy.Duration `json:"selection_ttl,omitempty"`

	// AnalyticsConfig: holdout, dashboard, auto_pause (analytics.go).
	AnalyticsConfig

	// Locale is the BCP 47 language tag ("de-DE", "fr-FR", "en-GB") prices
	// are written for when the cart or order context names none: "1.499,00
	// €" for de-DE. Default: none, "$1,499.00" for every currency with a
	// well-known symbol, "1,499.00 CHF" for the others.
	Locale string `json:"locale,omitempty"`

	// PostPurchase says how thank-you pages carry offers: Kairo's own offer
	// page (the default) or the inline box. See PostPurchaseConfig.
	PostPurchase *PostPurchaseConfig `json:"post_purchase,omitempty"`
	// Pre-purchase placements besides the cart (see prepurchase.go).

	// ProductPaths are the store's product pages ("frequently bought
	// together"). Each captures the product id with a {product_id}
	// segment, e.g. /products/{product_id}.
	ProductPaths []string `json:"product,omitempty"`

	// CheckoutPaths are the store's checkout pages (the order bump).
	CheckoutPaths []string `json:"checkout,omitempty"`

	// PopupAfter are the store's add-to-cart requests after which product
	// and cart pages open the add-to-cart pop-up, as "METHOD /path", e.g.
	// "POST /cart/add". A form post or a fetch to one of them counts.
	PopupAfter []string `json:"popup_after,omitempty"`

	// PopupCap is how many times one customer sees the pop-up: a customer
	// the store names (the cart context's customer id) is counted in the
	// state layer, across browsers, devices and instances; a guest is
	// counted per browser, in a cookie. Default (0): 3.
	PopupCap int `json:"popup_cap,omitempty"`

	// Placements are per-placement settings (mount, after_add, texts), by
	// placement name.
	Placements map[string]*PlacementOptions `json:"placements,omitempty"`

	// State is where accept records and declines are kept. Default: an
	// embedded file under Caddy's data directory.
	State *StateConfig `json:"state,omitempty"`

	// CaddyfileLines is where each option was written ("Caddyfile:12"),
	// by option name ("placement cart" for a placement): the Caddyfile
	// adapter fills it so that a value Provision or Validate refuses is
	// reported with its file and line. A JSON config leaves it out.
	CaddyfileLines map[string]string `json:"caddyfile_lines,omitempty"`

	catalog        *offers.Catalog
	locale         offers.Locale
	signer         *offers.Signer
	secrets        [][]byte // as configured: the first signs, all verify
	cartPaths      []pathPattern
	thankYou       []pathPattern
	productPaths   []pathPattern
	checkoutPaths  []pathPattern
	popupAfter     []popupTrigger
	popupLoader    []byte // what product and cart pages carry for the pop-up
	store          stores.Store
	state          state.Store // shared by every Handler of this process on the same store
	stateKey       string      // the state store's key in statePool; "" when none held
	ledger         *state.Ledger
	declines       *state.Declines
	cache          *selectionCache
	layouts        *layoutCache
	contexts       *contextCache // nil when ContextTTL is 0
	contextCalls   *callWorkers  // run the context calls made beside a page
	metrics        *metrics
	logger         *zap.Logger
	now            func() time.Time
	analytics      *analytics
	failOpen       *failOpenLog // warn lines for pages the operator can fix
	noPageContext  *sync.Map    // routes warned of pages without their context (context_in_page)
	spellingWarned *atomic.Bool // warned of an order named otherwise than its address (otherSpelling)
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.upsell",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision loads the catalog, sets defaults and builds runtime state, in
// named steps; Cleanup undoes whatever of it was done.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.now = time.Now
	h.setDefaults()
	if err := h.provisionCatalog(); err != nil {
		return err
	}
	if err := h.provisionLocale(); err != nil {
		return err
	}
	if err := h.provisionSigner(); err != nil {
		return err
	}
	if err := h.provisionPages(); err != nil {
		return err
	}
	var err error
	if h.store, err = h.loadStore(ctx); err != nil {
		return fmt.Errorf("upsell: %w", err)
	}
	h.withholdShipping()
	if h.metrics, err = acquireMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("upsell: registering metrics: %w", err)
	}
	h.failOpen = newFailOpenLog(h.logger)
	h.noPageContext = new(sync.Map)
	h.spellingWarned = new(atomic.Bool)
	h.contextCalls = newCallWorkers(contextWorkers())
	if err := h.provisionCaches(); err != nil {
		return err
	}
	if err := h.provisionState(); err != nil {
		return fmt.Errorf("upsell: state: %w", err)
	}
	if err := h.provisionAnalytics(ctx); err != nil {
		return err
	}
	h.checkStoreOnce(ctx)
	return nil
}

// setDefaults fills in the options left unset.
func (h *Handler) setDefaults() {
	if h.Prefix == "" {
		h.Prefix = DefaultPrefix
	}
	h.Prefix = strings.TrimSuffix(h.Prefix, "/")
	if h.MaxOffers == 0 {
		h.MaxOffers = DefaultMaxOffers
	}
	if h.CartTokenTTL == 0 {
		h.CartTokenTTL = caddy.Duration(DefaultCartTokenTTL)
	}
	if h.SelectionTTL == 0 {
		h.SelectionTTL = caddy.Duration(DefaultSelectionTTL)
	}
	if h.PostPurchase == nil {
		h.PostPurchase = new(PostPurchaseConfig)
	}
	h.PostPurchase.setDefaults()
}

// provisionCatalog loads the offers catalog.
func (h *Handler) provisionCatalog() error {
	if h.Catalog == "" {
		return errors.New("upsell: a catalog is required (catalog <file>)")
	}
	// An offer's own texts may use the offer page's keys (the inline box
	// takes its words from the same ones).
	cat, err := offers.LoadCatalog(h.Catalog, offers.WithTextKeys(append(widget.TextKeys(), resultTextKeys...)))
	if err != nil {
		return h.configErr("catalog", fmt.Errorf("catalog: %w", err))
	}
	h.catalog = cat
	return nil
}

// provisionSigner checks the secrets and builds the token signer: the
// first secret signs, all of them verify.
func (h *Handler) provisionSigner() error {
	secrets := make([][]byte, 0, len(h.Secrets))
	for i, s := range h.Secrets {
		if err := checkSecret(s); err != nil {
			if len(h.Secrets) > 1 {
				err = fmt.Errorf("value %d: %w", i+1, err)
			}
			return h.configErr("secret", fmt.Errorf("secret: %w", err))
		}
		if s == DemoSecret {
			h.logger.Warn("UPSELL_SECRET is not set: offer tokens are signed with the public demo secret; anyone can forge them. Set a random secret of 32 bytes or more before going live.")
		}
		secrets = append(secrets, []byte(s))
	}
	if len(secrets) == 0 {
		return errors.New("upsell: at least one secret is required (secret <value>, 32 bytes or more)")
	}
	h.secrets = secrets
	var err error
	if h.signer, err = offers.NewSigner(secrets, nil); err != nil {
		return fmt.Errorf("upsell: secrets: %w", err)
	}
	return nil
}

// provisionPages parses the path patterns of the pages offers go on.
func (h *Handler) provisionPages() error {
	var err error
	if h.cartPaths, err = parsePatterns(h.CartPaths, ""); err != nil {
		return h.configErr("cart", fmt.Errorf("cart: %w", err))
	}
	if h.thankYou, err = parsePatterns(h.ThankYouPaths, orderIDPlaceholder); err != nil {
		return h.configErr("thank_you", fmt.Errorf("thank_you: %w", err))
	}
	return h.provisionPrePurchase()
}

// provisionCaches builds the in-memory caches: selections, widget layouts
// and, when ContextTTL is set, store contexts.
func (h *Handler) provisionCaches() error {
	var err error
	if h.cache, err = newTTLCache[uint64, []*offers.Offer](10_000, time.Duration(h.SelectionTTL)); err != nil {
		return fmt.Errorf("upsell: selection cache: %w", err)
	}
	if h.layouts, err = newLayoutCache(10_000); err != nil {
		return fmt.Errorf("upsell: widget cache: %w", err)
	}
	if h.ContextTTL > 0 {
		if h.contexts, err = newTTLCache[string, *offers.Context](100_000, time.Duration(h.ContextTTL)); err != nil {
			return fmt.Errorf("upsell: context cache: %w", err)
		}
	}
	return nil
}

// Validate checks the provisioned configuration.
func (h *Handler) Validate() error {
	if len(h.cartPaths) == 0 && len(h.thankYou) == 0 && len(h.productPaths) == 0 && len(h.checkoutPaths) == 0 {
		return errors.New("upsell: no pages to put offers on: set cart, thank_you, product and/or checkout")
	}
	if err := checkPrefix(h.Prefix); err != nil {
		return h.configErr("prefix", err)
	}
	if err := checkMaxOffers(h.MaxOffers); err != nil {
		return h.configErr("max_offers", err)
	}
	if err := h.PostPurchase.validate(); err != nil {
		return h.configErr("post_purchase", err)
	}
	return nil
}

// Cleanup releases what Provision acquired; it is safe after a partial
// Provision.
func (h *Handler) Cleanup() error {
	if h.cache != nil {
		h.cache.close()
	}
	if h.layouts != nil {
		h.layouts.close()
	}
	if h.contexts != nil {
		h.contexts.close()
	}
	h.contextCalls.close()
	// Analytics writes what it has queued before the state goes.
	h.cleanupAnalytics()
	h.releaseState()
	if h.metrics != nil {
		releaseMetrics()
	}
	if h.failOpen != nil {
		h.failOpen.close()
	}
	return nil
}

// ServeHTTP serves Kairo's endpoints under Prefix, rewrites matched cart
// and thank-you pages, and passes everything else to next untouched.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	// Only Kairo asks a store for a page's context (pagecontext.go).
	delete(r.Header, contextHeader)
	if rest, ok := underPrefix(r.URL.Path, h.Prefix); ok {
		return h.serveEndpoint(w, r, rest)
	}
	if pl, pageID, ok := h.match(r); ok {
		if r.Method == http.MethodHead {
			return h.serveHead(w, r, next, pl)
		}
		if pl == offers.PlacementThankYou && h.pageMode() {
			return h.serveOfferPage(w, r, next, pageID)
		}
		return h.servePage(w, r, next, pl, pageID)
	}
	if h.popupTriggered(r) {
		return h.serveAddToCart(w, r, next)
	}
	return next.ServeHTTP(w, r)
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
	_ caddyfile.Unmarshaler       = (*Handler)(nil)
)
