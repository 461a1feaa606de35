package state

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// keyFilter lets the File store answer "no record under this key" without
// a read transaction. Every page with offers asks for its declines, and
// nearly all of them are absent; a bbolt read transaction costs about a
// microsecond and eight allocations, the filter a few nanoseconds and
// none.
//
// It is a Bloom filter with all of a key's bits in one 64-bit word (one
// load per key): a key that was written is always reported as possibly
// held; a key never written is reported as held only by a collision
// (a few in a hundred when the filter is half full), and then the file
// is read, so answers are as exact as the file's. Records that expire or
// are evicted leave their bits set, so the sweep rebuilds the filter from
// the file once it is more than half full (stale), sized for what the
// file holds (rebuild, in file.go).
//
// Its words are only ever or-ed into, with atomic operations: a reader
// needs no lock, and a write sets its key's bits before its transaction
// commits, so a reader that sees the record committed sees its bits.
type keyFilter struct {
	seed  maphash.Seed
	cur   atomic.Pointer[filterWords] // nil until the first build
	next  atomic.Pointer[filterWords] // being built: writes go to both
	adds  atomic.Uint64               // keys added, to ask for a look every checkEvery
	check chan struct{}               // asks the sweep to see whether the filter is stale
}

// checkEvery is how many writes go by between two looks at how full the
// filter is (besides the sweep's): a burst of new keys gets a larger
// filter before the sweep comes round.
const checkEvery = 4096

// filterWords is one generation of the filter: a power-of-two number of
// words.
type filterWords struct {
	w    []atomic.Uint64
	mask uint64
}

// Sizing: filterBitsPerKey bits for each key the filter is built for, and
// room for twice the keys held when it is built (at least minFilterKeys).
const (
	filterBitsPerKey = 12
	minFilterKeys    = 1 << 14
)

// newFilterWords is a filter generation with room for keys keys.
func newFilterWords(keys uint64) *filterWords {
	n := max(2*keys, minFilterKeys) * filterBitsPerKey / 64
	n = 1 << bits.Len64(n-1) // a power of two: the index is a mask
	return &filterWords{w: make([]atomic.Uint64, n), mask: n - 1}
}

// keyBits splits a key's hash into its word index and its five bits in
// that word (six hash bits each, from the top: the index takes the bottom).
func (g *filterWords) keyBits(h uint64) (*atomic.Uint64, uint64) {
	m := uint64(1)<<(h>>58) | uint64(1)<<(h>>52&63) | uint64(1)<<(h>>46&63) |
		uint64(1)<<(h>>40&63) | uint64(1)<<(h>>34&63)
	return &g.w[h&g.mask], m
}

func (g *filterWords) add(h uint64) {
	w, m := g.keyBits(h)
	if w.Load()&m != m {
		w.Or(m)
	}
}

func (g *filterWords) has(h uint64) bool {
	w, m := g.keyBits(h)
	return w.Load()&m == m
}

// full is the share of the words' bits that are set.
func (g *filterWords) full() float64 {
	set := 0
	for i := range g.w {
		set += bits.OnesCount64(g.w[i].Load())
	}
	return float64(set) / float64(64*len(g.w))
}

func newKeyFilter() *keyFilter {
	return &keyFilter{seed: maphash.MakeSeed(), check: make(chan struct{}, 1)}
}

// mayHold reports whether a record may be held under key: false only when
// none is.
func (f *keyFilter) mayHold(key string) bool {
	g := f.cur.Load()
	return g == nil || g.has(maphash.String(f.seed, key))
}

// add notes a key about to be written (before its transaction commits).
// It reads next before cur: a build that ends between the two has put its
// generation in cur before clearing next, so the key lands in it either
// way. (Read the other way round, the key could go to the old generation
// only, after the new one had read the file without it.)
func (f *keyFilter) add(key []byte) {
	h := maphash.Bytes(f.seed, key)
	next := f.next.Load()
	if next != nil {
		next.add(h)
	}
	if g := f.cur.Load(); g != nil && g != next {
		g.add(h)
	}
	if f.adds.Add(1)%checkEvery == 0 {
		select {
		case f.check <- struct{}{}:
		default: // a look is already due
		}
	}
}

// stale reports whether the filter should be built again: not built yet,
// or so full of the bits of keys written (live, expired or evicted) that
// it turns many absent keys away to the file.
func (f *keyFilter) stale() bool {
	g := f.cur.Load()
	return g == nil || g.full() > 0.5
}
