package state

import (
	"context"
	"time"
)

// Batcher is a Store that applies many writes of one kind with one commit:
// one transaction (one fsync) on the File store, one round trip on Redis.
// It is for records that may be written a moment late and in bulk, such as
// analytics counters; what moves money (the ledger) is written one
// operation at a time. Every Store of this package is a Batcher.
type Batcher interface {
	// AddAll adds each delta to its counter as Incr does, keeping each at
	// least ttl from now, and removes from deltas what it added: after an
	// error, deltas holds exactly the counters not added (all of them on
	// the File and memory stores, which commit once), to be tried again.
	// On Redis, counters whose answer was lost (they may have been added)
	// leave deltas too: the store sends them again, first thing on its
	// next AddAll, and the server adds them once either way.
	AddAll(ctx context.Context, deltas map[string]int64, ttl time.Duration) error

	// SetNXAll stores value under each key that is absent, as SetNX does,
	// and reports for each key whether this call stored it. Keys must be
	// distinct. After an error the answer covers the keys done before it,
	// a prefix of keys (none on the File and memory stores).
	SetNXAll(ctx context.Context, keys []string, value []byte, ttl time.Duration) ([]bool, error)
}

// BatchReader is a Store that answers for many keys with one read: one
// read transaction on the File store, one round trip on Redis, one lock on
// the memory store. It is for a page that asks about several records of
// one customer at once (the declines of its offers). Every Store of this
// package is a BatchReader.
type BatchReader interface {
	// ExistAll reports for each of keys whether a live record is under it
	// (found[i] for keys[i]), as Get would, all read at one moment (on
	// Redis, one moment per batchChunk keys).
	ExistAll(ctx context.Context, keys []string) (found []bool, err error)
}

// batchChunk is the most keys one Redis script of a batch carries, so that
// a large batch never holds the server for long.
const batchChunk = 512

// ExistAll reports for each of keys whether s holds a live record under
// it: with one read when s is a BatchReader, else one Get each.
func ExistAll(ctx context.Context, s Store, keys []string) ([]bool, error) {
	if b, ok := s.(BatchReader); ok {
		return b.ExistAll(ctx, keys)
	}
	found := make([]bool, len(keys))
	for i, key := range keys {
		_, ok, err := s.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		found[i] = ok
	}
	return found, nil
}

// AddAll adds the deltas to their counters in s, in one commit when s is a
// Batcher, else one Incr each, and removes from deltas what it added (see
// Batcher.AddAll).
func AddAll(ctx context.Context, s Store, deltas map[string]int64, ttl time.Duration) error {
	if len(deltas) == 0 {
		return nil
	}
	if b, ok := s.(Batcher); ok {
		return b.AddAll(ctx, deltas, ttl)
	}
	for key, delta := range deltas {
		if _, err := s.Incr(ctx, key, delta, ttl); err != nil {
			return err
		}
		delete(deltas, key)
	}
	return nil
}

// SetNXAll stores value under each absent key in s and reports which it
// stored: in one commit when s is a Batcher, else one SetNX each.
func SetNXAll(ctx context.Context, s Store, keys []string, value []byte, ttl time.Duration) ([]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if b, ok := s.(Batcher); ok {
		return b.SetNXAll(ctx, keys, value, ttl)
	}
	stored := make([]bool, 0, len(keys))
	for _, key := range keys {
		_, ok, err := s.SetNX(ctx, key, value, ttl)
		if err != nil {
			return stored, err
		}
		stored = append(stored, ok)
	}
	return stored, nil
}
