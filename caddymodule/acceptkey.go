package caddymodule

import (
	"context"
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
// order without the secret. An accept begun before the signing secret was
// rotated (the new secret put first, the old one kept after it) keeps its
// key: the ledger is asked under each older secret, and a record there
// names the key every repeat goes on with, so the repeat is answered from
// that record or sent to the store with the same Idempotency-Key.
//
// A ledger that cannot be asked is an error: going on under the current
// secret's key could call the store a second time for an accept already
// applied under an older one.
func (h *Handler) acceptKey(ctx context.Context, cl offers.Claims) (string, error) {
	for _, old := range h.secrets[1:] {
		key := acceptKeyUnder(old, cl)
		rec, err := h.ledger.Lookup(ctx, key)
		if err != nil {
			return "", err
		}
		if rec.Found {
			return key, nil
		}
	}
	return acceptKeyUnder(h.secrets[0], cl), nil
}

// acceptKeyUnder is the accept key of cl under one secret.
func acceptKeyUnder(secret []byte, cl offers.Claims) string {
	mac := hmac.New(sha256.New, secret)
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
