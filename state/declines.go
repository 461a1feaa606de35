package state

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// declinePrefix namespaces decline records in a Store.
const declinePrefix = "decline/"

// Declines remembers which offers a cart or order turned down: one record
// per (subject, offer), so recording and asking are one Store operation
// each, whatever the number of declines kept.
type Declines struct {
	store Store
}

// NewDeclines returns the decline records kept in store.
func NewDeclines(store Store) *Declines { return &Declines{store: store} }

// Add records that subject declined offerID, for ttl.
func (d *Declines) Add(ctx context.Context, subject, offerID string, ttl time.Duration) error {
	return d.store.Set(ctx, declineKey(subject, offerID), []byte{1}, ttl)
}

// Declined reports whether subject declined offerID and it still counts.
func (d *Declines) Declined(ctx context.Context, subject, offerID string) (bool, error) {
	_, found, err := d.store.Get(ctx, declineKey(subject, offerID))
	return found, err
}

// declineKey is a fixed-length key for a (subject, offer) pair, whatever
// their lengths or characters.
func declineKey(subject, offerID string) string {
	var in [128]byte // most pairs fit: no allocation on the page path
	sum := sha256.Sum256(append(append(append(in[:0], subject...), 0), offerID...))
	var key [len(declinePrefix) + 24]byte // 18 bytes of the sum in base64
	n := copy(key[:], declinePrefix)
	base64.RawURLEncoding.Encode(key[n:], sum[:18])
	return string(key[:])
}
