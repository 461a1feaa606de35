package caddymodule

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/kairoedge/kairo/internal/inject"
)

// The cart cookie binds cart offers to the browser they were shown in.
//
// A cart add is sent to the store with the requester's own cookies, so it
// lands in the requester's cart, whatever cart the token was made for. A
// token copied from one customer's cart page (say, a VIP price) must not
// add to another's. Kairo gives each browser on a cart page a random id
// in a first-party, HttpOnly, SameSite=Lax cookie, and signs into each
// cart token a hash of that id (the token's Binding). At accept the
// requester's cookie must hash to the token's binding: another customer's
// browser has another id (or none) and gets 403 before any store call.
// The token shows only the hash, so reading a token (or the page) does not
// reveal the id to put in a forged Cookie header; the cookie itself is
// HttpOnly. The id is random and grants nothing by itself, so it is set on
// any cart page answer, before the store's answer is known.

// cartCookieName is the browser id cookie of cart pages.
const cartCookieName = "kairo_cart"

// cartCookieTTL is how long a browser keeps its id: far longer than a cart
// token lives.
const cartCookieTTL = 30 * 24 * time.Hour

// cartBrowserID returns the browser's id from its cookie, or a new one set
// on the response, and says which (minted).
func (h *Handler) cartBrowserID(w http.ResponseWriter, r *http.Request) (id string, minted bool) {
	if known, ok := cartIDFromRequest(r); ok {
		return known, false
	}
	var b [16]byte
	rand.Read(b[:])
	id = base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name:     cartCookieName,
		Value:    id,
		Path:     "/",
		MaxAge:   int(cartCookieTTL / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return id, true
}

// withNewBrowserID gives a page the browser's id (cartBrowserID) and
// returns the writer to serve it with: a page that sets a new id is kept
// out of shared caches even when it passes through unchanged (no offers,
// the store down, not rewritable), or a cache in front would hand that
// one id to every browser it serves the page to, and with it each
// other's cart tokens.
func (h *Handler) withNewBrowserID(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, string) {
	id, minted := h.cartBrowserID(w, r)
	if !minted {
		return w, id
	}
	return withStatusHook(w, func(w http.ResponseWriter, _ int) { inject.KeepFromSharedCaches(w.Header()) }), id
}

// cartIDFromRequest returns a well-formed browser id from the request.
func cartIDFromRequest(r *http.Request) (string, bool) {
	c, err := r.Cookie(cartCookieName)
	if err != nil || len(c.Value) != 22 {
		return "", false
	}
	var id [16]byte // 22 base64url characters
	if _, err := base64.RawURLEncoding.Decode(id[:], []byte(c.Value)); err != nil {
		return "", false
	}
	return c.Value, true
}

// cartBinding is what a cart token carries for a browser id.
func cartBinding(id string) string {
	var in [64]byte // a browser id fits: no allocation but the answer
	sum := sha256.Sum256(append(append(in[:0], "kairo/cart/v1\x00"...), id...))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// sameCartBrowser reports whether the request comes from the browser a cart
// token with binding was shown in.
func sameCartBrowser(r *http.Request, binding string) bool {
	id, ok := cartIDFromRequest(r)
	return ok && binding != "" && subtle.ConstantTimeCompare([]byte(cartBinding(id)), []byte(binding)) == 1
}

// storeCookies is the request's Cookie header without Kairo's own cookies:
// what store calls made for the customer carry, and what their context is
// cached under (a browser's first cart page gets its id cookie, and must
// not make its second view miss the cache).
func storeCookies(r *http.Request) string {
	header := r.Header.Get("Cookie")
	if !strings.Contains(header, "kairo_") {
		return header
	}
	kept := make([]string, 0, 8)
	for part := range strings.SplitSeq(header, ";") {
		part = strings.TrimSpace(part)
		if part == "" || strings.HasPrefix(part, cartCookieName+"=") || strings.HasPrefix(part, buyerCookiePrefix) {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "; ")
}
