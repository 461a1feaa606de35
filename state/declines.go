package state

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// declinePrefix namespaces decline records in a Store.
const declinePrefix = "decline/"

// Declines remembers which offers a cart or order turned down: one record
// per (subject, offer), so recording and asking are one Store operation
// each, whatever the number of declines kept; a page asks about all its
// offers with one read (DeclinedAmong).
type Declines struct {
	store Store
}

// NewDeclines returns the decline records kept in store.
func NewDeclines(store Store) *Declines { return &Declines{store: store} }

// Add records that subject declined offerID, for ttl.
func (d *Declines) Add(ctx context.Context, subject, offerID string, ttl time.Duration) (first bool, err error) {
	_, first, err = d.store.SetNX(ctx, declineKey(subject, offerID), []byte{1}, ttl)
	return first, err
}

// Declined reports whether subject declined offerID and it still counts.
func (d *Declines) Declined(ctx context.Context, subject, offerID string) (bool, error) {
	_, found, err := d.store.Get(ctx, declineKey(subject, offerID))
	return found, err
}

// DeclinedAmong reports for each of offerIDs whether subject declined it
// (declined[i] for offerIDs[i]), with one read of the store however many
// offers are asked about: the records are read at one moment, so a decline
// recorded by another instance just before counts as it would for Declined.
func (d *Declines) DeclinedAmong(ctx context.Context, subject string, offerIDs []string) (declined []bool, err error) {
	if len(offerIDs) == 0 {
		return nil, nil
	}
	// The keys share one allocation: they are all declineKeyLen long.
	var b strings.Builder
	b.Grow(len(offerIDs) * declineKeyLen)
	var key [declineKeyLen]byte
	for _, id := range offerIDs {
		b.Write(appendDeclineKey(key[:0], subject, id))
	}
	all := b.String()
	keys := make([]string, len(offerIDs))
	for i := range keys {
		keys[i] = all[i*declineKeyLen : (i+1)*declineKeyLen]
	}
	return ExistAll(ctx, d.store, keys)
}

// declineKeyLen is the length of every decline key: the prefix and 18
// bytes of a hash in base64.
const declineKeyLen = len(declinePrefix) + 24

// declineKey is a fixed-length key for a (subject, offer) pair, whatever
// their lengths or characters.
func declineKey(subject, offerID string) string {
	var key [declineKeyLen]byte
	return string(appendDeclineKey(key[:0], subject, offerID))
}

// appendDeclineKey appends the key of a (subject, offer) pair to dst.
func appendDeclineKey(dst []byte, subject, offerID string) []byte {
	var in [128]byte // most pairs fit: no allocation on the page path
	sum := sha256.Sum256(append(append(append(in[:0], subject...), 0), offerID...))
	dst = append(dst, declinePrefix...)
	return base64.RawURLEncoding.AppendEncode(dst, sum[:18])
}
