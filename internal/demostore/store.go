package demostore

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Defaults for Config fields left empty.
const (
	// DefaultAPIToken is the public demo credential the JSON API accepts
	// when no token is configured. Anyone can read it here: set a real
	// token for anything but a local demo.
	DefaultAPIToken = "demo-store-token"
	// DefaultAcceptWindow is how long after payment an order still accepts
	// post-purchase additions.
	DefaultAcceptWindow = 15 * time.Minute
	// DefaultCurrency is the store currency.
	DefaultCurrency = "USD"
)

// CartCookie is the cookie that identifies a customer's cart. It is set on
// the first cart view or add, and is what Kairo forwards to GET /api/cart
// and POST /api/cart/items.
const CartCookie = "demo_cart"

// Config configures a Store. The zero value is a USD store with the demo
// token and a 15-minute accept window.
type Config struct {
	// APIToken is the bearer token that the order and /_demo endpoints
	// require. Default: DefaultAPIToken.
	APIToken string
	// AcceptWindow is how long after payment an order accepts additions;
	// afterwards the upsell endpoint answers 410. Default: 15 minutes.
	AcceptWindow time.Duration
	// Currency is the ISO 4217 code of every price. Default: USD.
	Currency string
	// Now is the store's clock, replaceable in tests. Default: time.Now.
	Now func() time.Time
}

// withDefaults fills empty fields.
func (c Config) withDefaults() Config {
	if c.APIToken == "" {
		c.APIToken = DefaultAPIToken
	}
	if c.AcceptWindow == 0 {
		c.AcceptWindow = DefaultAcceptWindow
	}
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	c.Currency = strings.ToUpper(c.Currency)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first problem with a configuration whose defaults
// have been applied.
func (c Config) Validate() error {
	if !validCurrency(c.Currency) {
		return fmt.Errorf("currency %q is not an ISO 4217 code such as USD", c.Currency)
	}
	if c.AcceptWindow < 0 {
		return fmt.Errorf("accept_window %s is negative", c.AcceptWindow)
	}
	if strings.TrimSpace(c.APIToken) != c.APIToken || strings.ContainsAny(c.APIToken, " \t\r\n") {
		return errors.New("api_token must not contain spaces")
	}
	return nil
}

// Store is the demo store: an http.Handler serving its pages, its JSON API
// and its test controls. All state is in memory and safe for concurrent
// use; it lives as long as the Store.
type Store struct {
	cfg      Config
	shop     *shop
	ledger   *replayLedger
	faults   atomic.Pointer[Faults]
	counters counters
	pages    *pageRenderer
	mux      *http.ServeMux
}

// New returns a store with cfg's empty fields defaulted. It panics if cfg
// is invalid (see Config.Validate), as a constructor for tests and
// programs with fixed configuration.
func New(cfg Config) *Store {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic("demostore: " + err.Error())
	}
	return newStore(cfg)
}

// newStore builds a store from a defaulted, valid configuration.
func newStore(cfg Config) *Store {
	s := &Store{
		cfg:    cfg,
		shop:   newShop(cfg.Currency, cfg.AcceptWindow, cfg.Now),
		ledger: newReplayLedger(),
		pages:  newPageRenderer(cfg.Currency),
		mux:    http.NewServeMux(),
	}
	s.faults.Store(&Faults{})
	s.routes()
	return s
}

// routes registers every endpoint; see the package documentation.
func (s *Store) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.serveProducts)
	m.HandleFunc("GET /cart", s.serveCart)
	m.HandleFunc("POST /cart/add", s.serveCartAdd)
	m.HandleFunc("POST /cart/remove", s.serveCartRemove)
	m.HandleFunc("GET /products/{product_id}", s.serveProduct)
	m.HandleFunc("GET /checkout", s.serveCheckoutPage)
	m.HandleFunc("POST /checkout", s.serveCheckout)
	m.HandleFunc("GET /checkout/success/{order_id}", s.serveThankYou)
	m.HandleFunc("GET /images/{file}", s.serveImage)
	m.HandleFunc("GET /assets/{file}", s.serveAsset)

	m.HandleFunc("GET /api/cart", s.serveCartContext)
	m.HandleFunc("GET /api/products/{product_id}", s.serveProductContext)
	m.HandleFunc("POST /api/cart/items", s.serveCartItems)
	m.HandleFunc("GET /api/orders/{order_id}", s.serveOrderContext)
	m.HandleFunc("POST /api/orders/{order_id}/upsells", s.serveOrderUpsells)

	m.HandleFunc("GET /_demo/faults", s.requireToken(s.serveGetFaults))
	m.HandleFunc("POST /_demo/faults", s.requireToken(s.serveSetFaults))
	m.HandleFunc("DELETE /_demo/faults", s.requireToken(s.serveClearFaults))
	m.HandleFunc("GET /_demo/stats", s.requireToken(s.serveStats))
	m.HandleFunc("DELETE /_demo/stats", s.requireToken(s.serveResetStats))
	m.HandleFunc("POST /_demo/orders", s.requireToken(s.serveCreateOrder))
	m.HandleFunc("POST /_demo/orders/{order_id}/expire", s.requireToken(s.serveExpireOrder))
}

// ServeHTTP serves the store. Unknown paths get a 404 page (JSON under
// /api/ and /_demo/); known paths with the wrong method get 405.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" && !s.pathKnown(r) {
		s.serveNotFound(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// pathKnown reports whether some method is routed for r's path, which
// makes an unmatched request a 405 rather than a 404.
func (s *Store) pathKnown(r *http.Request) bool {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			return true
		}
	}
	return false
}

// SetFaults replaces the injected faults; see Faults.
func (s *Store) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.Store(&f)
	return nil
}

// ClearFaults makes the store healthy again.
func (s *Store) ClearFaults() { s.faults.Store(&Faults{}) }

// Faults returns the faults in force.
func (s *Store) Faults() Faults { return *s.faults.Load() }

// Stats returns the API counters.
func (s *Store) Stats() Stats { return s.counters.snapshot() }

// ResetStats sets every counter back to zero.
func (s *Store) ResetStats() { s.counters.reset() }

// CreateOrder places a paid order for a new customer without going through
// the pages: one unit of each named product at its catalog price (a
// product named twice gets quantity 2). It returns the order id.
func (s *Store) CreateOrder(productIDs ...string) (string, error) {
	return s.CreateOrderAt(time.Time{}, productIDs...)
}

// CreateOrderAt is CreateOrder for an order placed at placedAt (now when
// zero): its accept window, and Kairo's, run from then.
func (s *Store) CreateOrderAt(placedAt time.Time, productIDs ...string) (string, error) {
	lines, err := linesForProducts(productIDs)
	if err != nil {
		return "", err
	}
	id := s.shop.placeOrder(newID("cus_"), lines, placedAt)
	s.counters.ordersCreated.Add(1)
	return id, nil
}

// linesForProducts turns product ids into catalog-priced lines, one per
// product, counting repeats as quantity.
func linesForProducts(productIDs []string) ([]LineItem, error) {
	if len(productIDs) == 0 {
		return nil, errors.New("an order needs at least one product")
	}
	var lines []LineItem
	for _, id := range productIDs {
		p, ok := productByID(id)
		if !ok {
			return nil, fmt.Errorf("unknown product %q", id)
		}
		if i := indexOfSameLine(lines, newLine(p, 1, p.UnitPrice, 0, "")); i >= 0 {
			if lines[i].Quantity == maxLineQuantity {
				return nil, errQuantityLimit
			}
			lines[i].Quantity++
			lines[i].LineTotal += p.UnitPrice
			continue
		}
		lines = append(lines, newLine(p, 1, p.UnitPrice, 0, ""))
	}
	return lines, nil
}

// Order returns a copy of an order and whether it exists.
func (s *Store) Order(id string) (Order, bool) { return s.shop.order(id) }

// Cart returns a copy of a cart (by its demo_cart cookie value) and
// whether it exists.
func (s *Store) Cart(id string) (Cart, bool) { return s.shop.cart(id, false) }

// ExpireOrder closes an order's accept window now, so that further
// additions get 410. It reports whether the order exists.
func (s *Store) ExpireOrder(id string) bool { return s.shop.expireOrder(id) }

// Config returns the store's configuration with defaults applied.
func (s *Store) Config() Config { return s.cfg }
