// Package state is what Kairo must remember between requests, across
// restarts and across a fleet of instances: accept records (in flight,
// answered), declines, per-order deadlines, funnel steps, frequency caps
// and analytics counters.
//
// Everything is kept in a Store: a small key-value store where every
// record expires. Implementations: an in-process memory store (tests, and
// the base of the embedded default), an embedded file store that survives
// restarts on one machine, and Redis for several instances. Every
// operation is O(1) in the number of records; none scans under a lock
// that pages wait on. Each Store is also a Batcher: many counters (or
// claims) written with one commit, for what may be written a moment late
// (analytics); what moves money is written one operation at a time.
//
// If a Store cannot be reached its operations return an error wrapping
// ErrUnavailable: pages then pass through unchanged and accepts are
// refused, never applied twice.
package state

import (
	"context"
	"errors"
	"math"
	"time"
)

// ErrUnavailable wraps every error that means the store could not be
// asked (down, unreachable, closed). Callers fail open for pages and
// closed for money.
var ErrUnavailable = errors.New("state: store unavailable")

// Store keeps short-lived records under string keys. Values are opaque
// bytes; ttl is how long a record lives from the write (ttl <= 0 is an
// error: nothing lives forever). Keys are namespaced by their users
// (e.g. "ledger/", "decline/", "deadline/").
type Store interface {
	// Get returns the value under key, or found=false when there is none
	// or it expired.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)

	// Set stores value under key for ttl, replacing what was there.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error

	// SetNX stores value under key for ttl only if the key is absent (or
	// expired). It returns the value under the key afterwards and whether
	// this call stored it: the atomic claim that exactly-once rests on.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (current []byte, stored bool, err error)

	// CompareAndSet replaces the value under key by value, for ttl, only
	// if the current value equals old. It reports whether it did.
	CompareAndSet(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)

	// DeleteIf removes key only if its current value equals old. It
	// reports whether it did.
	DeleteIf(ctx context.Context, key string, old []byte) (bool, error)

	// Incr adds delta to the integer counter under key (an absent key
	// counts as 0), keeps the counter for at least ttl from now, and
	// returns the new value.
	Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error)

	// Close releases the store's resources. Operations after Close return
	// an error wrapping ErrUnavailable.
	Close() error
}

// errNoTTL is returned for a write without a lifetime.
var errNoTTL = errors.New("state: a record needs a positive ttl")

// addCounter is n + delta, kept at the bound of an int64 rather than
// wrapping past it: a counter that absurd says itself that it is wrong,
// and every other counter of its batch is still written.
func addCounter(n, delta int64) int64 {
	sum := n + delta
	switch {
	case delta > 0 && sum < n:
		return math.MaxInt64
	case delta < 0 && sum > n:
		return math.MinInt64
	}
	return sum
}
