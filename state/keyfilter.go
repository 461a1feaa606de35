package state

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
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
// file holds (rebuildFilter, below).
//
// Its words are only ever or-ed into, with atomic operations: a reader
// needs no lock, and a write sets its key's bits before its transaction
// commits, so a reader that sees the record committed sees its bits in
// the filter in place then; rebuildFilter makes sure a new filter has
// them too.
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
// room for twice the keys held when it is built (at least minFilterKeys),
// rounded up to a power of two words, at most maxFilterWords (64 MiB,
// enough for some 22 million keys at 12 bits, and still correct, if less
// useful, for more). At the default cap of a million records it is 4 MiB,
// twice that while it is rebuilt.
const (
	filterBitsPerKey = 12
	minFilterKeys    = 1 << 14
	maxFilterWords   = 1 << 23
)

// newFilterWords is a filter generation with room for keys keys.
func newFilterWords(keys uint64) *filterWords {
	keys = min(max(keys, minFilterKeys/2), maxFilterWords*64/filterBitsPerKey/2)
	n := 2 * keys * filterBitsPerKey / 64
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

// filterChunk is how many keys one read transaction of a rebuild reads:
// one long read transaction would keep a growing file from being mapped
// again, and page reads would queue behind that.
const filterChunk = 4096

// rebuildFilter builds the key filter again from the file, sized for the
// records it holds, and puts it in place. No key committed before then can
// be missing from it: writes go to it (next) from before the writer in
// progress, if any, has finished (the writer's lock is taken and given
// back), and the file is read after that, so every key committed earlier
// is in what it reads, unless removed (and a key written again goes to
// next). One build at a time: a call while one runs returns at once.
// It gives up when the store is closing, or on an error (the filter in
// place stays, and the next look builds it again).
func (f *File) rebuildFilter() {
	var held uint64
	if f.view(func(t *fileTx) error { held = t.held(); return nil }) != nil {
		return
	}
	g := newFilterWords(min(held, 2*f.max)) // the cap of each kind: a count past both is no size
	if !f.keys.next.CompareAndSwap(nil, g) {
		return
	}
	defer f.keys.next.Store(nil)
	tx, err := f.db.Begin(true)
	if err != nil {
		return
	}
	_ = tx.Rollback() // nothing written: the lock was all it was for
	var last []byte   // the last key read, where the next chunk goes on
	for done := false; !done; {
		if f.stopping() {
			return
		}
		err := f.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketRecords).Cursor()
			var k []byte
			if last == nil {
				k, _ = c.First()
			} else if k, _ = c.Seek(last); bytes.Equal(k, last) {
				k, _ = c.Next()
			}
			for n := 0; k != nil; k, _ = c.Next() {
				g.add(maphash.Bytes(f.keys.seed, k))
				if n++; n == filterChunk {
					last = append(last[:0], k...) // k is the transaction's
					return nil
				}
			}
			done = true
			return nil
		})
		if err != nil {
			return
		}
	}
	f.keys.cur.Store(g)
}
