package caddymodule

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// The buyer's cookie: proof that a browser was shown an order's thank-you
// page, required to add to that order.
//
// Why it is sound. An order accept is made with the store's credential,
// so Kairo must decide who may spend it. The offer token says what may be
// added to which order, but a token is only text: it leaks through
// screenshots, shared links, logs and copied HTML, and a token alone must
// never add to anyone's order. The store already decides who may see an
// order's thank-you page (its session, or an unguessable URL). Kairo sets
// the cookie only on a 200 answer of the store to that page, so it grants
// no more than the store's own page does: exactly the browsers the store
// showed the order to. The value is an HMAC of the order id under the
// signing secret, so it cannot be made for another order, and it is
// checked with every configured secret (rotation). HttpOnly keeps it from
// scripts; SameSite=Lax keeps it off cross-site POSTs (with the
// Sec-Fetch-Site/Origin check, no other site can make the browser accept);
// its Path is Kairo's prefix, so it is never sent to the store. Nothing
// depends on return_to or the Referer, which the requester controls. A
// plain form post from the page is same-site and carries the cookie, so
// the no-JavaScript path works as before.
//
// Kairo's own offer page (post-purchase) sets the same cookie with
// setBuyerCookie when it shows an order to its buyer.

// buyerCookiePrefix starts the name of each order's buyer cookie.
const buyerCookiePrefix = "kairo_buyer_"

// buyerCookieTTL is how long the buyer's cookie lives: longer than any
// post-purchase offer window.
const buyerCookieTTL = 24 * time.Hour

// buyerCookieName is the cookie name for an order: one cookie per order, so
// that two orders' pages open in two tabs both keep working. The name
// holds a hash of the order id, which may contain any character.
func buyerCookieName(orderID string) string {
	sum := sha256.Sum256([]byte("kairo/buyer-name/v1\x00" + orderID))
	return buyerCookiePrefix + base64.RawURLEncoding.EncodeToString(sum[:9])
}

// buyerProof is the cookie value for an order under one secret.
func buyerProof(secret []byte, orderID string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("kairo/buyer/v1\x00"))
	mac.Write([]byte(orderID))
	return base64.RawURLEncoding.AppendEncode(nil, mac.Sum(nil))
}

// setBuyerCookie marks the response's browser as the buyer of orderID. Call
// it only when the order's page is shown to that browser with the store's
// consent (a 200 answer from the store, or Kairo's own offer page for an
// order the store vouched for).
func (h *Handler) setBuyerCookie(w http.ResponseWriter, r *http.Request, orderID string) {
	http.SetCookie(w, &http.Cookie{
		Name:     buyerCookieName(orderID),
		Value:    string(buyerProof(h.secrets[0], orderID)),
		Path:     h.Prefix + "/",
		MaxAge:   int(buyerCookieTTL / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// isBuyer reports whether the request carries the buyer's cookie of orderID.
func (h *Handler) isBuyer(r *http.Request, orderID string) bool {
	c, err := r.Cookie(buyerCookieName(orderID))
	if err != nil {
		return false
	}
	for _, s := range h.secrets {
		if hmac.Equal([]byte(c.Value), buyerProof(s, orderID)) {
			return true
		}
	}
	return false
}

// withBuyerCookie wraps w for the thank-you page of orderID: the buyer's
// cookie goes out with a 200 answer of the store, and only with one.
func (h *Handler) withBuyerCookie(w http.ResponseWriter, r *http.Request, orderID string) http.ResponseWriter {
	return withStatusHook(w, func(w http.ResponseWriter, status int) {
		if status == http.StatusOK {
			h.setBuyerCookie(w, r, orderID)
		}
	})
}
