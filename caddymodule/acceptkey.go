package caddymodule

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/kairoedge/kairo/offers"
)

// acceptKey is the idempotency key of accepting an offer: derived from
// (order, offer) after purchase and (the store's cart, offer) before it,
// never from a render or a token's nonce. Every tab, reload, retry, instance and restart that
// accepts the same offer for the same order lands on the same ledger
// record and sends the store the same Idempotency-Key.
//
// It is an HMAC under the signing secret, so a key says nothing about the
// order to whoever sees it (store logs) and cannot be computed for another
// order without the secret. Rotating the signing secret changes the keys
// of offers shown before the rotation; rotate outside an offer's window or
// accept that a repeat across the rotation reaches the store (which, per
// the contract, dedupes on its own records).
func (h *Handler) acceptKey(cl offers.Claims) string {
	mac := hmac.New(sha256.New, h.secrets[0])
	mac.Write([]byte("kairo/accept/v1\x00"))
	// One add per cart and offer, whichever pre-purchase page showed it
	// (cart, product page, checkout, pop-up); one per order and offer after.
	if cl.Placement.PrePurchase() {
		mac.Write([]byte("cart\x00"))
	} else {
		mac.Write([]byte("order\x00"))
	}
	mac.Write([]byte(cl.Subject))
	mac.Write([]byte{0})
	mac.Write([]byte(cl.OfferID))
	// 192 bits, 32 URL-safe characters: a short header and storage key.
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:24])
}
