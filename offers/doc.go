// Package offers is Kairo's offer domain: the catalog of upsell offers, the
// cart and order context they are chosen for, the rules that choose them,
// money in integer minor units, A/B variants, and the signed token a
// customer's "Add to my order" click carries. It knows nothing of HTTP or
// Caddy and can be used on its own.
//
// # Flow
//
// A page with offers is served in four steps:
//
//	cat, err := offers.LoadCatalog("offers.json")      // once, and on reload
//	signer, err := offers.NewSigner(secrets, nil)      // once
//
//	ctx, err := offers.ParseContext(storeJSON)         // the cart or order
//	for _, o := range cat.Select(offers.PlacementThankYou, ctx, time.Now(), 2) {
//		pick := o.Resolve(ctx.ID)                      // variant, prices
//		token, err := signer.Sign(pick.Claims(offers.PlacementThankYou, ctx.ID, time.Now()))
//		// render pick.Title, pick.FinalUnitPrice.Format() and token
//	}
//
// and an accepted offer is checked with
//
//	claims, err := signer.VerifyFor(token, orderID)    // ErrExpired, ErrWrongSubject, ...
//	err = cat.Recheck(claims, time.Now())              // ended, removed or re-priced since
//
// # Catalog v1
//
// A catalog is a JSON file: {"version": 1, "offers": [...]} (a bare list of
// offers is read too). Each offer:
//
//	{
//	  "id": "thermos-10",                 // letters, digits, '.', '_', '-'; unique
//	  "placements": ["thank_you"],        // any of "thank_you", "cart", "product", "checkout", "popup"
//	  "trigger": {                        // optional; every condition set must hold
//	    "product_ids": ["coffee-1kg"],    // an item is one of these products,
//	    "tags": ["coffee"],               //   or carries one of these tags
//	    "min_subtotal": 2000,             // minor units, inclusive
//	    "max_subtotal": 20000,            // minor units, inclusive
//	    "currencies": ["USD"],
//	    "customer_tags": ["vip"],         // the customer carries one of these
//	    "new_customers_only": true,       // guest, or no earlier orders
//	    "statuses": ["paid"]              // the cart or order status
//	  },
//	  "product": {
//	    "product_id": "thermos", "variant_id": "thermos-steel",
//	    "title": "Steel thermos", "image": "https://cdn.example.com/thermos.jpg",
//	    "description": "Keeps coffee hot for 12 hours.",   // optional, offer page
//	    "option_label": "Colour",         // optional: the buyer picks a variant
//	    "options": [{"variant_id": "thermos-steel", "label": "Steel"},
//	                {"variant_id": "thermos-black", "label": "Black"}],
//	    "unit_price": 2499, "currency": "USD"   // minor units, ISO 4217
//	  },
//	  "discount": {"percent": 10},        // or {"amount": 500}; optional
//	  "quantity": 1,                      // default 1
//	  "max_quantity": 3,                  // optional: the buyer picks 1 to 3
//	  "priority": 20,                     // higher first; default 0
//	  "starts_at": "2025-11-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z",
//	  "expires_after": "15m",             // acceptance window; default 15m
//	  "variants": [                       // optional A/B test; weights add up to 100
//	    {"id": "a", "weight": 50},
//	    {"id": "b", "weight": 50, "title": "Keep it hot", "discount": {"percent": 20}}
//	  ],
//	  "on_decline": "thermos-mini",       // downsell shown when this one is declined
//	  "on_accept": "beans-refill",        // next step shown when this one is accepted
//	  "max_per_customer": 2,              // optional frequency cap: shown in at most
//	  "cap_period": "720h"                //   2 orders of one customer in 30 days (default)
//	}
//
// Unknown fields are errors, so that a misspelt trigger cannot silently
// widen an offer's audience; null is the same as leaving a field out. Tags
// and statuses match regardless of case. Limits: unit_price above zero and
// at most 10^12 minor units, a discount never above the price, quantity 1 to
// 1000, expires_after up to 24h, variant weights adding up to 100, images as
// http(s) URLs or paths from the site's root. on_decline names an offer in
// the same currency that shares a placement, and declines never lead back
// in a circle; on_accept likewise names another offer in the same currency
// sharing a placement. max_quantity is at least quantity and offers at most
// 10 choices. Validation reports every problem at once, in a *CatalogError;
// see testdata/offers.json for a complete example.
//
// # Context
//
// ParseContext reads the store's cart or order JSON (store contract v1):
//
//	{"id": "1001", "currency": "USD", "subtotal": 4599,
//	 "items": [{"product_id": "mug", "variant_id": "mug-white", "quantity": 1,
//	            "unit_price": 1999, "tags": ["kitchen"]}],
//	 "customer": {"id": "c1", "tags": ["vip"], "orders_count": 3},
//	 "status": "paid"}
//
// customer, tags, status and placed_at (RFC 3339, when the order was placed)
// are optional; other fields are ignored. orders_count counts the
// customer's orders before this cart or order. Context.Changeable says
// whether the order's status still takes post-purchase items (see
// ChangeableStatuses).
//
// # Selection
//
// Catalog.Select returns the matching offers in a fixed order (priority,
// then id). It never returns an offer whose product is already in the cart
// or order, nor one in another currency. The catalog is indexed by
// placement, currency, product id, tag and customer tag, so a selection
// looks only at offers that could match. Context.Fingerprint is a cache key
// for selections.
//
// Catalog.Select answers which offers match; what is shown is decided in
// one place, next.go: Catalog.Shelf for the inline box (several offers at
// once, a declined offer replaced by its downsell) and Catalog.Next for the
// post-purchase offer page ("what next for this order?": one step at a
// time, on_accept after an accept, on_decline after a decline, at most a
// configured number of steps). An offer named by another's on_decline or
// on_accept is a follower: it is shown only when reached through that
// offer, never on its own. Frequency caps (max_per_customer) are checked
// there too, from the History the caller keeps.
//
// # Money
//
// Every amount is an int64 of minor units with an ISO 4217 code: no floating
// point anywhere. Percent discounts round half-up to the minor unit; prices
// after discount are never negative. Money.Format writes an amount the
// plain way ("$1,499.00"); Money.FormatIn writes it for a Locale, from a
// small table of languages and regions ("1.499,00 €" for de-DE), which a
// cart or order context may name (Context.Locale). An offer's Shipping is
// charged once with a post-purchase accept, on top of the items (Pick.Due,
// Claims.Shipping).
//
// # Tokens
//
// A Signer turns Claims into a compact, URL-safe token (a binary payload and
// its HMAC-SHA256, base64url without padding) and back. Several secrets can
// be configured for rotation. Verification compares in constant time and
// fails with errors that wrap ErrMalformed, ErrBadSignature, ErrExpired or
// ErrWrongSubject.
package offers
