package caddymodule

import (
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/kairoedge/kairo/offers"
)

// selectionCache keeps recent selections keyed by placement and the
// context fingerprint, so that identical carts and orders skip the
// targeting work. It is a cache only: a dropped entry is recomputed.
type selectionCache struct {
	c   *ristretto.Cache[uint64, []*offers.Offer]
	ttl time.Duration
}

func newSelectionCache(ttl time.Duration) (*selectionCache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[uint64, []*offers.Offer]{
		NumCounters: 1e5,
		MaxCost:     1e4, // entries
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &selectionCache{c: c, ttl: ttl}, nil
}

// key mixes the placement into the fingerprint so the two placements
// never share an entry.
func selectionKey(pl offers.Placement, fingerprint uint64) uint64 {
	if pl == offers.PlacementThankYou {
		return fingerprint ^ 0x9E3779B97F4A7C15
	}
	return fingerprint
}

func (s *selectionCache) get(key uint64) ([]*offers.Offer, bool) { return s.c.Get(key) }

func (s *selectionCache) set(key uint64, sel []*offers.Offer) { s.c.SetWithTTL(key, sel, 1, s.ttl) }

func (s *selectionCache) close() { s.c.Close() }
