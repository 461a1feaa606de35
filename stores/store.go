// Package stores is how Kairo talks to a store: the Store interface the
// upsell handler calls, and the Caddy module namespace its implementations
// register in, http.handlers.upsell.stores (as reverse_proxy takes its
// transports). Kairo ships three:
//
//   - contract (package stores/contract): Kairo's JSON store contract, for
//     any store that implements its four endpoints; the default.
//   - vendure (package stores/vendure): Vendure 3 through its shop and admin
//     GraphQL APIs.
//   - evershop (package stores/evershop): EverShop 2 through its REST and
//     GraphQL APIs.
//   - woocommerce (package stores/woocommerce): WooCommerce through its
//     Store API (carts) and REST API v3 (orders).
//
// A store module is a caddy.Module whose ID starts with
// "http.handlers.upsell.stores." and which implements Store; it reads its
// Caddyfile block from `store <name> <url> { ... }`.
package stores

import (
	"context"
	"net/url"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// Namespace is the Caddy module namespace of store modules.
const Namespace = "http.handlers.upsell.stores"

// Store is what the upsell handler asks of a store. Context calls run while
// the page streams past and fail open; accept calls move money and fail
// closed. A call that could not get an answer returns an error (a *Failure
// when the store was not reached, timed out or said something unusable); an
// accept the store answered, even with a refusal, returns an Answer.
type Store interface {
	// CartContext describes the shopper's cart, seen with the shopper's own
	// session.
	CartContext(ctx context.Context, shopper Shopper) (*offers.Context, error)

	// OrderContext describes a placed order, seen with the store's
	// credentials. The shopper is who asks (their address may be passed
	// on; their cookies are not needed).
	OrderContext(ctx context.Context, orderID string, shopper Shopper) (*offers.Context, error)

	// CartAdd puts an accepted cart offer into the shopper's cart at the
	// offer's price.
	CartAdd(ctx context.Context, req AcceptRequest) (Answer, error)

	// OrderAccept adds an accepted post-purchase offer to a placed order,
	// by editing it or by a linked follow-up order, and collects payment
	// the way the store can. It must apply req.Key at most once, however
	// often it is called with it.
	OrderAccept(ctx context.Context, req AcceptRequest) (Answer, error)

	// Timeouts says how long a page waits for a context call and how long
	// an accept may take.
	Timeouts() Timeouts
}

// OrderPageStore is a Store that shows an order only to whoever holds the
// proof of ownership the store puts in its thank-you page's address, such as
// WooCommerce's ?key=wc_order_… : a guessed order id must show nothing. The
// upsell handler calls OrderContextFor instead of OrderContext for such a
// store, and does not cache what it answers under the order id alone.
type OrderPageStore interface {
	Store
	// OrderContextFor describes the placed order orderID as seen from the
	// thank-you page at page (its path and query). When the page does not
	// prove ownership it returns a *Failure with Status 403 and no context.
	OrderContextFor(ctx context.Context, orderID string, page *url.URL) (*offers.Context, error)
}

// ShippingCharger is a Store that says whether it can charge an offer's
// shipping (AcceptRequest.Shipping) on a post-purchase accept. One that
// cannot refuses such an accept, so Kairo never shows its buyers an offer
// with shipping: they would only be refused after choosing to pay. A
// Store that is not a ShippingCharger charges shipping.
type ShippingCharger interface {
	ChargesShipping() bool
}

// Located is a Store that says where it is: its base URL. A page the store
// links the buyer to, such as a follow-up order's pay page
// (Answer.FollowUpURL), may be on that origin. Every store module that
// embeds Endpoint is one.
type Located interface {
	BaseURL() string
}

// Timeouts bound the calls to a store.
type Timeouts struct {
	Context time.Duration // past it the page is served unchanged
	Accept  time.Duration // past it the accept is answered as not applied
}

// Shopper is the customer a cart call is made for.
type Shopper struct {
	// Cookie is the shopper's own Cookie header, the store's session.
	Cookie string
	// ClientAddr is the shopper's IP address, passed on in
	// X-Forwarded-For and Forwarded so a store's per-client limits apply
	// per shopper, not to Kairo as a whole.
	ClientAddr string
}

// AcceptRequest is one accepted offer on its way to the store.
type AcceptRequest struct {
	// Key identifies this accept: the same key is the same change, applied
	// once (the contract's Idempotency-Key).
	Key string
	// OrderID is the placed order, for a post-purchase accept.
	OrderID  string
	OfferID  string
	Currency string
	Items    []Line
	// Shipping is charged once with a post-purchase accept, on top of the
	// items, in minor units of Currency (the offer's shipping, from its
	// signed token); 0 for none. A store that cannot charge it must refuse
	// the accept, changing nothing, rather than add the items without it.
	Shipping int64
	// Shopper is who accepted; its Cookie is sent on cart adds only.
	Shopper Shopper
	// Repeat is set when an earlier attempt with Key was made (its answer
	// was lost, or it was taken for not applied): a store that marks
	// nothing of an accept may infer from what it holds whether that
	// attempt applied it. A first attempt always applies.
	Repeat bool
}

// Line is one item of an accepted offer.
type Line struct {
	ProductID string
	VariantID string
	Quantity  int
	UnitPrice int64 // the offer's price per unit, after Discount, minor units
	Discount  int64 // taken off the store's price per unit, minor units
}

// Mode says how a store took a post-purchase offer.
type Mode string

// The ways a store takes a post-purchase offer.
const (
	ModeEdited   Mode = "edited"    // the placed order itself changed
	ModeFollowUp Mode = "follow_up" // a new order linked to the placed one
)

// Reason says why a store refused an accept with 409. The shopper is told
// the sentence that goes with it.
type Reason string

// Reason codes a store may give with a 409.
const (
	ReasonOutOfStock     Reason = "out_of_stock"    // the item cannot be had
	ReasonCouponConflict Reason = "coupon_conflict" // the cart holds a coupon that excludes the offer's
	ReasonConflict       Reason = "conflict"        // anything else in the way
)

// Answer is what a store said to an accept.
type Answer struct {
	// Status is the store's verdict in HTTP terms: 2xx applied, 402 the
	// payment failed, 409 refused (see Reason), 410 the order can no longer
	// change, 5xx not applied and may be retried with the same key.
	Status int
	// Total is the order's (or cart's) total after the accept, in minor
	// units of the request's currency; 0 when the store does not say.
	Total int64
	// Charged is what the store says the accept added to the buyer's bill
	// (the added lines at the price it put on them, with any tax it
	// added): the order's increase, or a follow-up order's total. The zero
	// value (no Currency) means the store did not say; Kairo's analytics
	// then count the offer's price and mark it as not confirmed.
	Charged offers.Money
	// Mode says whether the order was edited or a follow-up order made.
	Mode Mode
	// Reason explains a 409.
	Reason Reason
	// FollowUpOrderID and FollowUpURL name the linked follow-up order, when
	// the store made one. A FollowUpURL is the store's own page where the
	// buyer pays for the follow-up order: the item is not paid for until
	// they do, so the buyer must be sent there (see PaymentDue).
	FollowUpOrderID string
	FollowUpURL     string
	// Detail is the store's own words about a refusal, for the log; the
	// shopper never sees it.
	Detail string
}

// PaymentDue reports whether the buyer still has to pay for the accepted
// offer, at FollowUpURL: the store made a follow-up order it could not
// charge by itself (WooCommerce with a card gateway). The offer page then
// says "Complete payment" and links there instead of promising one click.
func (a Answer) PaymentDue() bool {
	return a.Applied() && a.Mode == ModeFollowUp && a.FollowUpURL != ""
}

// Applied reports whether the store took the offer.
func (a Answer) Applied() bool { return a.Status/100 == 2 }
