// Package evershop is the store module for EverShop 2 (module
// http.handlers.upsell.stores.evershop). It needs nothing from the store
// beyond an administrator account:
//
//   - cart context: the storefront GraphQL's myCart, asked with the
//     shopper's own session cookie;
//   - order context: the admin GraphQL's order by uuid (the id in
//     /checkout/success/<uuid>);
//   - post-purchase accept: EverShop cannot add items to a placed order, so
//     the offer becomes a linked follow-up order for the same customer,
//     addresses, shipping method and payment method, at the offer's price
//     (a single-use coupon), linked both ways with order metafields
//     (kairo.follow_ups on the first order, kairo.follow_up_of on the new
//     one); the key is recorded there and in the new order's shipping note,
//     so it is applied once;
//   - cart add: the item through the shopper's session with a single-use
//     coupon for the discount. EverShop holds one coupon per cart: a cart
//     that has another coupon is answered 409 coupon_conflict and left as it
//     was.
//
// Product ids in the offer catalog are EverShop SKUs (product_id; the
// variant_id is not used).
package evershop

import (
	"fmt"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/stores"
)

func init() {
	caddy.RegisterModule(Connector{})
}

// DefaultContextTimeout: EverShop answers its GraphQL in about 100-500 ms
// (measured on 2 cores), more than the contract's default allows.
const DefaultContextTimeout = 600 * time.Millisecond

// Connector talks to EverShop's REST and GraphQL APIs (module
// http.handlers.upsell.stores.evershop).
//
//	store evershop <url> {
//	    admin_email    <email>
//	    admin_password <password>
//	    timeout        <duration>
//	    accept_timeout <duration>
//	}
type Connector struct {
	stores.Endpoint

	// AdminEmail and AdminPassword get an admin API token (POST
	// /api/user/tokens). The account reads orders and creates coupons,
	// metafield definitions and order metafields.
	AdminEmail    string `json:"admin_email,omitempty"`
	AdminPassword string `json:"admin_password,omitempty"`

	base   string
	admin  *adminToken
	orders *stores.KeyedMutex
	tax    *taxSetting
	links  *linkFields
}

// CaddyModule returns the Caddy module information.
func (Connector) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  stores.Namespace + ".evershop",
		New: func() caddy.Module { return new(Connector) },
	}
}

// Provision fills the defaults and checks the options.
func (c *Connector) Provision(caddy.Context) error {
	base, err := c.ProvisionEndpoint(DefaultContextTimeout)
	if err != nil {
		return err
	}
	if c.AdminEmail == "" || c.AdminPassword == "" {
		return fmt.Errorf("evershop: admin_email and admin_password are required (an administrator account)")
	}
	c.base = base
	c.admin, c.orders, c.tax = new(adminToken), new(stores.KeyedMutex), new(taxSetting)
	c.links = new(linkFields)
	return nil
}

// UnmarshalCaddyfile reads `store evershop <url> { ... }`.
func (c *Connector) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	return c.UnmarshalStore(d, "evershop", stores.Options{
		Strings: map[string]*string{
			"admin_email":    &c.AdminEmail,
			"admin_password": &c.AdminPassword,
		},
	})
}

// Interface guards.
var (
	_ stores.Store           = (*Connector)(nil)
	_ stores.ShippingCharger = (*Connector)(nil)
	_ caddy.Provisioner      = (*Connector)(nil)
	_ caddy.CleanerUpper     = (*Connector)(nil)
	_ caddyfile.Unmarshaler  = (*Connector)(nil)
)
