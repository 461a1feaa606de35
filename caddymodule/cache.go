package caddymodule

import (
	"encoding/binary"
	"hash/maphash"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

// ttlCache is a ristretto cache whose entries each count as one and expire
// after a fixed time. It is a cache only: ristretto may drop a Set, and a
// missing entry is simply recomputed.
type ttlCache[K string | uint64, V any] struct {
	c   *ristretto.Cache[K, V]
	ttl time.Duration // 0: entries do not expire
}

func newTTLCache[K string | uint64, V any](entries int64, ttl time.Duration) (*ttlCache[K, V], error) {
	c, err := ristretto.NewCache(&ristretto.Config[K, V]{
		NumCounters: entries * 10,
		MaxCost:     entries,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &ttlCache[K, V]{c: c, ttl: ttl}, nil
}

func (t *ttlCache[K, V]) get(key K) (V, bool) { return t.c.Get(key) }

func (t *ttlCache[K, V]) set(key K, v V) { t.c.SetWithTTL(key, v, 1, t.ttl) }

func (t *ttlCache[K, V]) del(key K) { t.c.Del(key) }

// setVisible is set, then waits until the entry can be read: ristretto
// applies a new key's Set in the background, so a customer's next page
// (or a second request of the same page) could miss a context just
// fetched and ask the store again. It costs a round trip to ristretto's
// goroutine, paid only after a store call.
func (t *ttlCache[K, V]) setVisible(key K, v V) {
	t.set(key, v)
	t.c.Wait()
}

func (t *ttlCache[K, V]) close() { t.c.Close() }

// selectionCache keeps recent selections keyed by placement and context
// fingerprint (selectionKey), so identical carts and orders skip targeting.
type selectionCache = ttlCache[uint64, []*offers.Offer]

// layoutCache keeps rendered widget layouts by their key
// (appendLayoutKey). Layouts depend on the catalog only, which is fixed
// for a Handler, so they do not expire; eviction bounds them. An entry
// sits under its key's hash and holds the key, so that a page finds its
// layout without making a string of the key, and two keys that share a
// hash never share a layout.
type layoutCache struct {
	entries *ttlCache[uint64, keyedLayout]
	seed    maphash.Seed
}

// keyedLayout is a layout and the key it was made for.
type keyedLayout struct {
	key    string
	layout *widget.Layout
}

func newLayoutCache(entries int64) (*layoutCache, error) {
	c, err := newTTLCache[uint64, keyedLayout](entries, 0)
	if err != nil {
		return nil, err
	}
	return &layoutCache{entries: c, seed: maphash.MakeSeed()}, nil
}

func (c *layoutCache) get(key []byte) (*widget.Layout, bool) {
	e, ok := c.entries.get(maphash.Bytes(c.seed, key))
	if !ok || e.key != string(key) {
		return nil, false
	}
	return e.layout, true
}

func (c *layoutCache) set(key []byte, l *widget.Layout) {
	c.entries.set(maphash.Bytes(c.seed, key), keyedLayout{key: string(key), layout: l})
}

func (c *layoutCache) close() { c.entries.close() }

// contextCache keeps store contexts keyed by contextKey (see
// Handler.ContextTTL).
type contextCache = ttlCache[string, *offers.Context]

// contextKey names whose context it is: an order, or the cart behind a
// customer's cookies, by their digest: the Cookie header is the
// browser's to make as long as it likes (up to the server's header
// limit), and the cache counts entries, not bytes.
func contextKey(pl offers.Placement, orderID, cookie string) string {
	if pl == offers.PlacementThankYou {
		return "order\x00" + orderID
	}
	var sum [16]byte
	binary.LittleEndian.PutUint64(sum[:8], maphash.String(cookieSeeds[0], cookie))
	binary.LittleEndian.PutUint64(sum[8:], maphash.String(cookieSeeds[1], cookie))
	return "cart\x00" + string(sum[:])
}

// cookieSeeds key contextKey's 128-bit digest of a customer's cookies:
// random per process, so no one can make their cookies share another
// customer's entry.
var cookieSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// selectionKey mixes the placement into the fingerprint so that no two
// placements share an entry.
func selectionKey(pl offers.Placement, fingerprint uint64) uint64 {
	for i, p := range offers.Placements() {
		if p == pl {
			return fingerprint ^ uint64(i)*0x9E3779B97F4A7C15
		}
	}
	return fingerprint
}

// appendLayoutKey appends to dst the name of everything a widget layout
// is made of besides the handler's fixed settings and a product page's
// product (productKey): placement, notice, the locale prices are written
// in and the offers (with their variants) in order.
func appendLayoutKey(dst []byte, pl offers.Placement, notice, locale string, picked []offers.Pick) []byte {
	dst = append(dst, pl...)
	dst = append(dst, '|')
	dst = append(dst, notice...)
	dst = append(dst, '|')
	dst = append(dst, locale...)
	for _, p := range picked {
		dst = append(dst, '|')
		dst = append(dst, p.OfferID...)
		dst = append(dst, ':')
		dst = append(dst, p.Variant...)
	}
	return dst
}
