// Package widget renders the offer box customers see on a store's cart and
// thank-you pages, and serves its stylesheet and script.
//
// The fragment is plain server-rendered HTML: every offer is a real form that
// posts to the module's accept and decline endpoints, so it works without
// JavaScript. widget.js then enhances it in place (one-click accept without
// leaving the page, inline results, countdown, mount selector). Neither the
// fragment nor the assets contain inline script or inline style, so a store
// whose Content-Security-Policy only allows 'self' still runs it.
//
// Render runs the template for one widget. On the hot path, NewLayout renders
// a widget once with its per-page-view values (tokens, expiry, return_to, the
// time) left open, and Layout.Append writes each page view in about a
// microsecond without allocating; both write the same bytes.
//
// Stable hooks for stores and browser tests:
//
//	[data-kairo-widget]          the widget root (class kairo-widget); data-kairo-placement, data-kairo-mount,
//	                             data-kairo-after-add ("reload" when the page reloads after an accept);
//	                             the script adds data-kairo-ready, and data-kairo-mounted once moved
//	[data-kairo-offer]           one offer (class kairo-offer); value is the offer id;
//	                             data-kairo-state: ready, busy, accepted, failed, declined, expired;
//	                             thank-you offers carry data-kairo-expires (unix seconds) and
//	                             data-kairo-remaining-ms (time left when rendered, which the countdown uses)
//	form[data-kairo-action]      "accept" or "decline": real POST forms with hidden token and return_to
//	button.kairo-accept          "Add to my order" / "Add to cart"
//	button.kairo-decline         "No thanks"
//	[data-kairo-countdown]       the countdown line (class kairo-countdown), thank-you offers only
//	[data-kairo-clock]           the m:ss part of the countdown (class kairo-clock)
//	[data-kairo-status]          the per-offer aria-live region (class kairo-status);
//	                             kairo-status--success / --error / --info once it holds a result
//	[data-kairo-notice]          the result of a plain form post (class kairo-notice, --ok / --error)
//
// The script dispatches bubbling DOM events on the offer element, so a store
// can refresh its own cart display: "kairo:accepted", "kairo:failed",
// "kairo:declined" (once the decline is recorded) and "kairo:expired", with
// detail {offerId, placement, status, message, total, mode}. After an accept
// it also dispatches "kairo:cart-changed" (cart pages) or
// "kairo:order-changed" (thank-you pages) with the same detail: total is
// the new cart or order total as the store reported it (formatted, "" when
// the store did not say), mode is "edited" (the item joined the order) or
// "follow_up" (the store made a separate order). These two are cancelable:
// a store that updates its own summary calls preventDefault() and the page
// is not reloaded (see Fragment.AfterAdd).
package widget

import "time"

// Placements the widget knows. Fragment.Placement carries one of them.
const (
	// PlacementCart is the pre-purchase cart page: the button adds to the cart.
	PlacementCart = "cart"
	// PlacementThankYou is the post-purchase page: the button adds to the paid order.
	PlacementThankYou = "thank_you"
)

// Names of the two assets AssetHandler serves, relative to the module's prefix.
const (
	// ScriptName is the widget's script.
	ScriptName = "widget.js"
	// StyleName is the widget's stylesheet.
	StyleName = "widget.css"
)

// Offer is one offer to show, already priced and signed by the module.
type Offer struct {
	// Token is the signed offer token, posted back as form field or JSON "token".
	Token string
	// OfferID identifies the offer in the catalog; it lands in data-kairo-offer.
	OfferID string
	// Title is the product title from the catalog; always escaped.
	Title string
	// Image is the product image URL from the catalog; escaped and filtered
	// (a javascript: or data: URL is neutralised). "" shows no image.
	Image string
	// Quantity is how many units the offer adds; 0 hides the quantity line.
	Quantity int
	// Price is the formatted final unit price, e.g. "$14.99".
	Price string
	// OriginalPrice is the formatted unit price before discount; "" when no discount.
	OriginalPrice string
	// ExpiresAt is when a post-purchase offer ends: the countdown runs to it.
	// Zero for cart offers (no countdown).
	ExpiresAt time.Time
	// Saving is the formatted saving on the whole offer (all its units),
	// "" without a discount. The pre-purchase widgets show it.
	Saving string
	// Shipping is the formatted shipping a post-purchase offer charges on
	// top of its items, "" for none; Due what its accept charges in all.
	Shipping, Due string
	// Text is the offer's own words (the offer page's keys): on the box,
	// "pay" labels the accept button ({amount} is Due), "decline" the
	// decline button, "ends_in" the countdown and "shipping" the shipping
	// line. Nil keeps the box's own words.
	Text map[string]string
}

// Notice is the result of a plain form post, shown on the page after the 303
// redirect.
type Notice struct {
	// OK tells a success from a failure (it picks the notice's colours).
	OK bool
	// Message is the plain-words result for the customer; always escaped.
	Message string
}

// Fragment is everything one injected widget needs.
type Fragment struct {
	// Prefix is the URL prefix of Kairo's endpoints, e.g. "/_upsell": accept,
	// decline, widget.js and widget.css live under it. A trailing slash is ignored.
	Prefix string
	// Placement is PlacementCart (button "Add to cart") or PlacementThankYou
	// (button "Add to my order"). Anything else is treated as PlacementThankYou,
	// so a customer is never told "cart" when the click may charge them.
	Placement string
	// ReturnTo is the path and query of the page, posted as "return_to" so the
	// form path can redirect back.
	ReturnTo string
	// Mount is an optional CSS selector: the script moves the widget into that
	// element. "" leaves it where it was injected.
	Mount string
	// Offers are the offers to show. It may be empty when only a Notice is shown.
	// An offer whose ExpiresAt is not after Now is left out.
	Offers []Offer
	// Notice is the result of a plain form post, or nil.
	Notice *Notice
	// Now is the render time, for the initial countdown text and the time left.
	Now time.Time

	// AfterAdd is what the page does once an offer is accepted:
	// AfterAddReload reloads it (on the cart and thank-you box, unless a
	// store script cancels the kairo:cart-changed or kairo:order-changed
	// event), so the store renders its own summary with the new item;
	// anything else leaves the page as it is.
	AfterAdd string
	// Text overrides the widget's words by key: those of the inline box
	// on the cart and thank-you pages (InlineTextKeys), of the
	// pre-purchase widgets on the others (PrePurchaseTextKeys). Keys
	// that are not the placement's words are left alone.
	Text map[string]string

	// The pre-purchase placements (product, checkout, popup) also use:

	// Product is a product page's own product, or nil.
	Product *PageProduct
	// Totals are what each choice of a product page's offers costs, indexed
	// by the bit mask of the chosen offers (bit i for Offers[i]); the last
	// one, every offer chosen, is shown first.
	Totals []Total
}
