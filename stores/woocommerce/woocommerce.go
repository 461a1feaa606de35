// Package woocommerce is the store module for WooCommerce (module
// http.handlers.upsell.stores.woocommerce). It needs nothing installed in
// WordPress: a REST API key (or an application password) is enough.
//
//   - cart context: the Store API's cart (/wp-json/wc/store/v1/cart), asked
//     with the shopper's own cookies (WooCommerce's session cookie);
//   - cart add: the Store API's add-item with the shopper's cookies and the
//     nonce the Store API hands out, and for a discounted offer a
//     single-use coupon restricted to the offered product, made through
//     REST v3 and applied to the cart;
//   - order context: REST v3's order, shown only when the thank-you page's
//     ?key= is the order's key (stores.OrderPageStore), so that a guessed
//     order id shows nothing;
//   - post-purchase accept: for an order paid offline (cash on delivery,
//     bank transfer, cheque: OfflineMethods) the placed order is edited (a
//     line at the offer price, an order note); for any other payment method
//     a linked pending follow-up order (parent_id) is made, which the buyer
//     pays on the store's own pay page (stores.Answer.PaymentDue). Either
//     way the accept's key is kept in order meta, so it is applied once.
//
// Product ids in the offer catalog are WooCommerce ids: product_id a
// product's id, variant_id a variation's id.
package woocommerce

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/stores"
)

func init() {
	caddy.RegisterModule(Connector{})
}

// DefaultContextTimeout: WordPress takes 150-300 ms to answer the Store
// API's cart or a REST order on a small machine, and the page it runs
// beside takes longer still.
const DefaultContextTimeout = time.Second

// DefaultOfflineMethods are the payment methods whose orders are paid
// outside WooCommerce, so adding to the placed order is right: the buyer
// pays the new total (cash on delivery, bank transfer, cheque).
var DefaultOfflineMethods = []string{"cod", "bacs", "cheque"}

// Connector talks to WooCommerce's Store API and REST API v3 (module
// http.handlers.upsell.stores.woocommerce).
//
//	store woocommerce <url> {
//	    consumer_key         <ck_…>          # a REST API key, Read/Write
//	    consumer_secret      <cs_…>
//	    application_password <user> <password>   # instead of a key
//	    offline_methods      <method id>...  # default: cod bacs cheque
//	    timeout              <duration>      # default: 1s
//	    accept_timeout       <duration>
//	}
//
// Credentials may be placeholders such as {env.WC_CONSUMER_SECRET}; they
// are replaced when the module is provisioned.
type Connector struct {
	stores.Endpoint

	// ConsumerKey and ConsumerSecret are a WooCommerce REST API key with
	// Read/Write permissions (WooCommerce > Settings > Advanced > REST
	// API). Over https they are sent with HTTP Basic; over http each
	// request is signed with OAuth 1.0a (HMAC-SHA256), which needs the URL
	// to be the site's own address (WordPress's home URL).
	ConsumerKey    string `json:"consumer_key,omitempty"`
	ConsumerSecret string `json:"consumer_secret,omitempty"`

	// AppUser and AppPassword are a WordPress application password of a
	// user who may manage WooCommerce (a shop manager), sent with HTTP
	// Basic. Use either these or a consumer key.
	AppUser     string `json:"app_user,omitempty"`
	AppPassword string `json:"app_password,omitempty"`

	// OfflineMethods are the payment method ids whose placed orders are
	// edited in place; any other method gets a follow-up order to pay.
	// Default: cod, bacs, cheque.
	OfflineMethods []string `json:"offline_methods,omitempty"`

	base    string
	auth    credentials
	offline map[string]bool
	// locks serialise changes to one order (or one accept's cart) within
	// this process: WooCommerce has no conditional update, so a check of
	// the order's meta and the change it guards must not interleave.
	locks *stores.KeyedMutex
	// parents maps a variation's id to its product's (int64 to int64).
	parents *sync.Map
}

// CaddyModule returns the Caddy module information.
func (Connector) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  stores.Namespace + ".woocommerce",
		New: func() caddy.Module { return new(Connector) },
	}
}

// Provision fills the defaults, replaces placeholders in the credentials
// and checks them.
func (c *Connector) Provision(caddy.Context) error {
	base, err := c.ProvisionEndpoint(DefaultContextTimeout)
	if err != nil {
		return fmt.Errorf("woocommerce: %w", err)
	}
	c.base = base
	repl := caddy.NewReplacer()
	for _, s := range []*string{&c.ConsumerKey, &c.ConsumerSecret, &c.AppUser, &c.AppPassword} {
		*s = strings.TrimSpace(repl.ReplaceKnown(*s, ""))
	}
	if c.auth, err = newCredentials(c.ConsumerKey, c.ConsumerSecret, c.AppUser, c.AppPassword, strings.HasPrefix(base, "https://")); err != nil {
		return fmt.Errorf("woocommerce: %w", err)
	}
	if len(c.OfflineMethods) == 0 {
		c.OfflineMethods = DefaultOfflineMethods
	}
	c.offline = make(map[string]bool, len(c.OfflineMethods))
	for _, m := range c.OfflineMethods {
		c.offline[m] = true
	}
	c.locks, c.parents = new(stores.KeyedMutex), new(sync.Map)
	return nil
}

// UnmarshalCaddyfile reads `store woocommerce <url> { ... }`.
func (c *Connector) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	return c.UnmarshalStore(d, "woocommerce", stores.Options{
		Strings: map[string]*string{
			"consumer_key":    &c.ConsumerKey,
			"consumer_secret": &c.ConsumerSecret,
		},
		Other: c.unmarshalListOption,
	})
}

// unmarshalListOption reads the options that take several values.
func (c *Connector) unmarshalListOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "application_password":
		args := d.RemainingArgs()
		if len(args) != 2 {
			return true, d.Errf("application_password needs a user and a password, got %d arguments", len(args))
		}
		c.AppUser, c.AppPassword = args[0], args[1]
		return true, nil
	case "offline_methods":
		args := d.RemainingArgs()
		if len(args) == 0 {
			return true, d.Errf("offline_methods needs at least one payment method id, e.g. cod bacs cheque")
		}
		c.OfflineMethods = append(c.OfflineMethods, args...)
		return true, nil
	}
	return false, nil
}

// Interface guards.
var (
	_ stores.Store          = (*Connector)(nil)
	_ stores.OrderPageStore = (*Connector)(nil)
	_ caddy.Provisioner     = (*Connector)(nil)
	_ caddy.CleanerUpper    = (*Connector)(nil)
	_ caddyfile.Unmarshaler = (*Connector)(nil)
)
