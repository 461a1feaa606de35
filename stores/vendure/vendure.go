// Package vendure is the store module for Vendure 3 (module
// http.handlers.upsell.stores.vendure). It needs nothing from the store
// beyond an administrator account:
//
//   - cart context: the shop API's activeOrder, asked with the shopper's
//     own session (the storefront's session cookie, or a bearer token the
//     storefront keeps in a cookie);
//   - order context: the admin API's order with that code;
//   - post-purchase accept: a real edit of the placed order (Modifying,
//     modifyOrder with the item and a surcharge that brings it to the offer
//     price, ArrangingAdditionalPayment, a payment under the configured
//     method, back to the order's paid state), recorded on the order's
//     modification note so a key is applied once;
//   - cart add: addItemToOrder with the shopper's session, and a
//     single-use coupon (a promotion made for the accept) for the discount.
//
// Product ids in the offer catalog are Vendure ids: product_id a Product's
// id, variant_id a ProductVariant's id.
package vendure

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

// Defaults of the connector's options.
const (
	DefaultShopAPI       = "/shop-api"
	DefaultAdminAPI      = "/admin-api"
	DefaultPaymentMethod = "standard-payment"
	// DefaultContextTimeout: Vendure answers activeOrder in tens of
	// milliseconds on a quiet machine.
	DefaultContextTimeout = 300 * time.Millisecond
)

// Connector talks to Vendure's shop and admin GraphQL APIs (module
// http.handlers.upsell.stores.vendure).
//
//	store vendure <url> {
//	    admin_user     <identifier>
//	    admin_password <password>
//	    payment_method <code>        # method of the additional payment
//	    shop_api       <path>
//	    admin_api      <path>
//	    channel_token  <token>
//	    token_cookie   <name>
//	    timeout        <duration>
//	    accept_timeout <duration>
//	}
type Connector struct {
	stores.Endpoint

	// AdminUser and AdminPassword log in to the admin API. The
	// administrator needs ReadOrder, UpdateOrder, ReadCatalog,
	// ReadPromotion and CreatePromotion (for cart offers).
	AdminUser     string `json:"admin_user,omitempty"`
	AdminPassword string `json:"admin_password,omitempty"`

	// PaymentMethod is the payment method code the additional payment of
	// an edited order is recorded under. Default: standard-payment.
	PaymentMethod string `json:"payment_method,omitempty"`

	// ShopAPI and AdminAPI are the APIs' paths. Defaults: /shop-api and
	// /admin-api.
	ShopAPI  string `json:"shop_api,omitempty"`
	AdminAPI string `json:"admin_api,omitempty"`

	// ChannelToken selects a channel (the vendure-token header) in a
	// store with several.
	ChannelToken string `json:"channel_token,omitempty"`

	// TokenCookie names a cookie in which the storefront keeps the shop
	// API's bearer token; when unset, the shopper's cookies (Vendure's
	// session cookie) are sent as they are.
	TokenCookie string `json:"token_cookie,omitempty"`

	shopURL, adminURL string

	admin *adminSession
	// orders serialises changes to one order (or cart) within this
	// process: Vendure lets one modification run at a time.
	orders *stores.KeyedMutex
	tax    *channelTax
}

// channelTax is the channel's pricesIncludeTax, asked once.
type channelTax struct {
	mu       sync.Mutex
	includes *bool
}

// CaddyModule returns the Caddy module information.
func (Connector) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  stores.Namespace + ".vendure",
		New: func() caddy.Module { return new(Connector) },
	}
}

// Provision fills the defaults and checks the options.
func (c *Connector) Provision(caddy.Context) error {
	base, err := c.ProvisionEndpoint(DefaultContextTimeout)
	if err != nil {
		return err
	}
	if c.AdminUser == "" || c.AdminPassword == "" {
		return fmt.Errorf("vendure: admin_user and admin_password are required (an administrator who may read and update orders)")
	}
	if c.ShopAPI == "" {
		c.ShopAPI = DefaultShopAPI
	}
	if c.AdminAPI == "" {
		c.AdminAPI = DefaultAdminAPI
	}
	if c.PaymentMethod == "" {
		c.PaymentMethod = DefaultPaymentMethod
	}
	for name, p := range map[string]string{"shop_api": c.ShopAPI, "admin_api": c.AdminAPI} {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("vendure: %s %q must start with /", name, p)
		}
	}
	c.shopURL, c.adminURL = base+c.ShopAPI, base+c.AdminAPI
	c.admin, c.orders, c.tax = new(adminSession), new(stores.KeyedMutex), new(channelTax)
	return nil
}

// UnmarshalCaddyfile reads `store vendure <url> { ... }`.
func (c *Connector) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	return c.UnmarshalStore(d, "vendure", stores.Options{
		Strings: map[string]*string{
			"admin_user":     &c.AdminUser,
			"admin_password": &c.AdminPassword,
			"payment_method": &c.PaymentMethod,
			"shop_api":       &c.ShopAPI,
			"admin_api":      &c.AdminAPI,
			"channel_token":  &c.ChannelToken,
			"token_cookie":   &c.TokenCookie,
		},
	})
}

// Interface guards.
var (
	_ stores.Store          = (*Connector)(nil)
	_ caddy.Provisioner     = (*Connector)(nil)
	_ caddy.CleanerUpper    = (*Connector)(nil)
	_ caddyfile.Unmarshaler = (*Connector)(nil)
)
