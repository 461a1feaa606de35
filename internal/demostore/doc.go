// Package demostore is a small but real web store used by demo/Caddyfile
// and Kairo's tests: a product list, a cart kept under a cookie, a checkout
// that creates a paid order, a thank-you page per order, and the JSON
// endpoints of Kairo's store contract v1 behind a bearer token.
//
// The store keeps everything in memory. Accepting a post-purchase offer
// really appends line items to the order, with the offer's shipping if it
// has any (charged once, shown on the thank-you page), recomputes its total, honours
// Idempotency-Key (a repeat gets the first answer and never adds twice, even
// while the first is still running), and refuses with 410 once the order's
// accept window has passed; from then on the order context reports status
// "fulfilled" (before: "paid"), and it always carries placed_at. Faults (failing statuses, slow answers, a store
// that drops connections) can be switched on at runtime so tests can show
// how Kairo behaves when the store misbehaves.
//
// Use it as a plain http.Handler (New, for httptest servers) or as the Caddy
// module http.handlers.demo_store (Caddyfile directive demo_store). It is
// registered only by cmd/caddy and tests, never by Kairo's own module.
//
// Routes:
//
//	GET    /                                  product list with "Add to cart" forms
//	GET    /products/{product_id}             product page with its own "Add to cart" (#add-to-cart)
//	POST   /cart/add, /cart/remove            change the cart (form posts, 303 to /cart)
//	GET    /cart                              cart page (mount point #cart-summary)
//	GET    /checkout                          checkout page: lines, #checkout-total, pay button in #checkout-pay
//	POST   /checkout                          paid order from the cart, 303 to the thank-you page
//	GET    /checkout/success/{order_id}       thank-you page (mount point #order-summary)
//	GET    /images/{product_id}.svg           product images
//	GET    /assets/store.css, /assets/store.js
//
//	GET    /api/cart                          cart context (customer's demo_cart cookie)
//	GET    /api/products/{product_id}         product context (price, tags, variants, stock)
//	POST   /api/cart/items                    add to the cart (cookie, Idempotency-Key)
//	GET    /api/orders/{order_id}             order context (bearer token)
//	POST   /api/orders/{order_id}/upsells     add to a paid order (bearer, Idempotency-Key)
//
//	GET, POST, DELETE /_demo/faults           read, replace, clear injected faults (bearer)
//	GET, DELETE       /_demo/stats            read, reset counters (bearer)
//	POST   /_demo/orders                      create a paid order directly, optionally backdated (bearer)
//	POST   /_demo/orders/{order_id}/expire    close an order's accept window (bearer)
package demostore
