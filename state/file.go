package state

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DefaultFileMaxRecords is the most records a File store holds by default.
const DefaultFileMaxRecords = 1_000_000

// DefaultSweepEvery is how often a File store drops expired records.
const DefaultSweepEvery = 30 * time.Second

// sweepBatch bounds the records one sweep transaction drops, so that the
// writer lock is never held for long (readers never wait on it).
const sweepBatch = 2000

// The buckets of a File store. A record is found by key; the two indexes
// give the oldest write (eviction past the cap) and the next expiry (the
// sweep) in O(log n) without a scan. A kept record (Kept) has no entry in
// the order index, so eviction never finds it.
var (
	bucketRecords = []byte("records") // key -> expires(8) seq(8) value
	bucketOrder   = []byte("order")   // seq(8) -> key
	bucketExpiry  = []byte("expiry")  // expires(8) seq(8) -> key
	bucketMeta    = []byte("meta")    // "seq", "count" and "kept", 8 bytes each
	metaSeq       = []byte("seq")
	metaCount     = []byte("count") // the records in the order index, which the cap evicts
	metaKept      = []byte("kept")  // the records outside it (Kept), which it never does
)

// recordHeader is the size of a record's expiry and sequence number.
const recordHeader = 16

// File is the embedded Store: one bbolt file on the local disk. Every
// write is committed (fsync) before it returns, so records survive a
// crash or restart of the process. Reads never wait on writes (bbolt
// readers see a snapshot), so pages asking for declines do not queue
// behind accepts or the sweep.
//
// bbolt was chosen over SQLite and the others because it is pure Go (no
// cgo in a Caddy build), already in Caddy's module graph, gives
// serialisable single-writer transactions (the atomic claim is a plain
// read-then-write inside one transaction) and lock-free snapshot reads.
//
// Records expire (a read past the expiry finds nothing; a background
// sweep drops them from the file) and the store holds at most its cap,
// evicting the oldest write first. One file serves one process at a time;
// a second process opening it waits briefly, then fails with a clear error.
type File struct {
	db    *bolt.DB
	path  string
	max   uint64
	now   func() time.Time
	mu    sync.Mutex // guards shut
	stop  chan struct{}
	swept chan struct{}
	shut  bool
	keys  *keyFilter // the keys written, so that absent ones need no read
}

// FileOptions tunes a File store. The zero value is the default.
type FileOptions struct {
	// MaxRecords caps the records held (DefaultFileMaxRecords when <= 0).
	MaxRecords int
	// SweepEvery is how often expired records are dropped
	// (DefaultSweepEvery when <= 0).
	SweepEvery time.Duration

	// noSync skips the fsync of each commit (benchmarks only).
	noSync bool
	// now replaces the clock (tests).
	now func() time.Time
}

// OpenFile opens (creating it and its directory if needed) the File store
// at path.
func OpenFile(path string, opts FileOptions) (*File, error) {
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = DefaultFileMaxRecords
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = DefaultSweepEvery
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state: creating the directory of %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: opts.noSync, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("state: %s is in use by another process (one Caddy per state file; use Redis for several)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("state: opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRecords, bucketOrder, bucketExpiry, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state: preparing %s: %w", path, err)
	}
	f := &File{db: db, path: path, max: uint64(opts.MaxRecords), now: opts.now,
		stop: make(chan struct{}), swept: make(chan struct{}), keys: newKeyFilter()}
	go f.sweepLoop(opts.SweepEvery)
	return f, nil
}

// Path is the file the store lives in.
func (f *File) Path() string { return f.path }

// fileTx is one transaction over the store's buckets.
type fileTx struct {
	records, order, expiry, meta *bolt.Bucket
	now                          uint64
	keys                         *keyFilter // told of each key written
}

func (f *File) txOf(tx *bolt.Tx) *fileTx {
	return &fileTx{
		records: tx.Bucket(bucketRecords), order: tx.Bucket(bucketOrder),
		expiry: tx.Bucket(bucketExpiry), meta: tx.Bucket(bucketMeta),
		now: uint64(f.now().UnixNano()), keys: f.keys,
	}
}

// lookup returns the live value under key (valid inside the transaction).
// In a writable transaction an expired record is dropped.
func (t *fileTx) lookup(key []byte, writable bool) ([]byte, bool) {
	raw := t.records.Get(key)
	if raw == nil {
		return nil, false
	}
	if !t.live(raw) {
		if writable {
			t.remove(key, raw)
		}
		return nil, false
	}
	return raw[recordHeader:], true
}

// live reports whether a record has not expired.
func (t *fileTx) live(raw []byte) bool {
	return binary.BigEndian.Uint64(raw) > t.now
}

// remove drops a record and its index entries. Whether it was counted as
// evictable or as kept is told by the order index, not by its key: a file
// written before kept records had their own count holds them in the index.
func (t *fileTx) remove(key, raw []byte) {
	var idx [recordHeader]byte
	copy(idx[:], raw[:recordHeader])
	_ = t.expiry.Delete(idx[:])
	_ = t.records.Delete(key)
	if t.order.Get(idx[8:]) != nil {
		_ = t.order.Delete(idx[8:])
		t.setCounter(metaCount, t.counter(metaCount)-1)
	} else {
		t.setCounter(metaKept, t.counter(metaKept)-1)
	}
}

// write stores value under key as the newest record and evicts the oldest
// records past max. A kept record (Kept) is never evicted: past max of
// them, a new one is refused (ErrFull).
func (t *fileTx) write(key, value []byte, ttl time.Duration, max uint64) error {
	if old := t.records.Get(key); old != nil {
		t.remove(key, old)
	}
	kept := Kept(string(key))
	if kept && t.counter(metaKept) >= max {
		return errFull(string(key), max)
	}
	seq := t.counter(metaSeq) + 1
	t.setCounter(metaSeq, seq)
	rec := make([]byte, recordHeader+len(value))
	binary.BigEndian.PutUint64(rec, t.now+uint64(ttl))
	binary.BigEndian.PutUint64(rec[8:], seq)
	copy(rec[recordHeader:], value)
	t.keys.add(key) // before the commit: a reader that sees the record sees its key
	if err := t.records.Put(key, rec); err != nil {
		return err
	}
	if err := t.expiry.Put(rec[:recordHeader], key); err != nil {
		return err
	}
	if kept {
		t.setCounter(metaKept, t.counter(metaKept)+1)
		return nil
	}
	if err := t.order.Put(rec[8:recordHeader], key); err != nil {
		return err
	}
	count := t.counter(metaCount) + 1
	t.setCounter(metaCount, count)
	for ; count > max; count-- {
		seq, oldest := t.order.Cursor().First()
		oldestKey := bytes.Clone(oldest)
		raw := t.records.Get(oldestKey)
		if raw == nil {
			return fmt.Errorf("index names %q, which has no record", oldestKey)
		}
		if Kept(string(oldestKey)) {
			// Written before kept records left the index: moved out of
			// it now, not evicted.
			_ = t.order.Delete(bytes.Clone(seq))
			t.setCounter(metaCount, t.counter(metaCount)-1)
			t.setCounter(metaKept, t.counter(metaKept)+1)
			continue
		}
		t.remove(oldestKey, raw)
	}
	return nil
}

func (t *fileTx) counter(name []byte) uint64 {
	if v := t.meta.Get(name); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (t *fileTx) setCounter(name []byte, n uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	_ = t.meta.Put(name, b[:])
}

// view runs fn in a read transaction.
func (f *File) view(fn func(t *fileTx) error) error {
	return f.wrap(f.db.View(func(tx *bolt.Tx) error { return fn(f.txOf(tx)) }))
}

// update runs fn in a write transaction, committed to disk on return.
func (f *File) update(fn func(t *fileTx) error) error {
	return f.wrap(f.db.Update(func(tx *bolt.Tx) error { return fn(f.txOf(tx)) }))
}

// wrap marks every failure of the file as the store being unavailable:
// money fails closed on it.
func (f *File) wrap(err error) error {
	switch {
	case err == nil || errors.Is(err, errNoTTL) || errors.Is(err, errNotCounter):
		return err
	case errors.Is(err, ErrUnavailable): // ErrFull: says so itself
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrUnavailable, f.path, err)
}

// read begins a read transaction over the records bucket alone: the
// indexes serve writes and the sweep, and reads are on the page path
// (declines). The caller rolls tx back.
func (f *File) read() (tx *bolt.Tx, t fileTx, err error) {
	tx, err = f.db.Begin(false)
	if err != nil {
		return nil, t, f.wrap(err)
	}
	return tx, fileTx{records: tx.Bucket(bucketRecords), now: uint64(f.now().UnixNano())}, nil
}

// Get implements Store.
func (f *File) Get(_ context.Context, key string) (value []byte, found bool, err error) {
	tx, t, err := f.read()
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	v, ok := t.lookup([]byte(key), false)
	return bytes.Clone(v), ok, nil
}

// ExistAll implements BatchReader: one read transaction and one cursor for
// all the keys, and none when the key filter shows that no record was
// ever written under any of them (a page's declines, nearly always).
func (f *File) ExistAll(_ context.Context, keys []string) ([]bool, error) {
	if !f.stopping() && !slices.ContainsFunc(keys, f.keys.mayHold) {
		return make([]bool, len(keys)), nil
	}
	tx, t, err := f.read()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	found := make([]bool, len(keys))
	c := t.records.Cursor()
	var k []byte // one buffer for every key: bbolt keeps none after Seek
	for i, key := range keys {
		k = append(k[:0], key...)
		at, raw := c.Seek(k)
		found[i] = bytes.Equal(at, k) && raw != nil && t.live(raw)
	}
	return found, nil
}

// Set implements Store.
func (f *File) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errNoTTL
	}
	return f.update(func(t *fileTx) error { return t.write([]byte(key), value, ttl, f.max) })
}

// SetNX implements Store.
func (f *File) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (current []byte, stored bool, err error) {
	if ttl <= 0 {
		return nil, false, errNoTTL
	}
	err = f.update(func(t *fileTx) error {
		if v, ok := t.lookup([]byte(key), true); ok {
			current, stored = bytes.Clone(v), false
			return nil
		}
		current, stored = bytes.Clone(value), true
		return t.write([]byte(key), value, ttl, f.max)
	})
	if err != nil {
		return nil, false, err
	}
	return current, stored, nil
}

// SetNXAll implements Batcher: one transaction for all the keys.
func (f *File) SetNXAll(_ context.Context, keys []string, value []byte, ttl time.Duration) ([]bool, error) {
	if ttl <= 0 {
		return nil, errNoTTL
	}
	if len(keys) == 0 {
		return nil, nil
	}
	stored := make([]bool, len(keys))
	err := f.update(func(t *fileTx) error {
		clear(stored) // bbolt may run the function again
		for i, key := range keys {
			if _, ok := t.lookup([]byte(key), true); ok {
				continue
			}
			if err := t.write([]byte(key), value, ttl, f.max); err != nil {
				return err
			}
			stored[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// CompareAndSet implements Store.
func (f *File) CompareAndSet(_ context.Context, key string, old, value []byte, ttl time.Duration) (swapped bool, err error) {
	if ttl <= 0 {
		return false, errNoTTL
	}
	err = f.update(func(t *fileTx) error {
		v, ok := t.lookup([]byte(key), true)
		if swapped = ok && bytes.Equal(v, old); !swapped {
			return nil
		}
		return t.write([]byte(key), value, ttl, f.max)
	})
	return swapped && err == nil, err
}

// DeleteIf implements Store.
func (f *File) DeleteIf(_ context.Context, key string, old []byte) (deleted bool, err error) {
	err = f.update(func(t *fileTx) error {
		v, ok := t.lookup([]byte(key), true)
		if deleted = ok && bytes.Equal(v, old); deleted {
			t.remove([]byte(key), t.records.Get([]byte(key)))
		}
		return nil
	})
	return deleted, err
}

// errNotCounter is returned by Incr on a record that is not a number.
var errNotCounter = errors.New("state: the record does not hold a counter")

// Incr implements Store.
func (f *File) Incr(_ context.Context, key string, delta int64, ttl time.Duration) (n int64, err error) {
	if ttl <= 0 {
		return 0, errNoTTL
	}
	err = f.update(func(t *fileTx) error {
		n, err = t.incr([]byte(key), delta, ttl, f.max)
		return err
	})
	return n, err
}

// AddAll implements Batcher: one transaction, every counter or none.
func (f *File) AddAll(_ context.Context, deltas map[string]int64, ttl time.Duration) error {
	if ttl <= 0 {
		return errNoTTL
	}
	if len(deltas) == 0 {
		return nil // no commit, no fsync
	}
	err := f.update(func(t *fileTx) error {
		for key, delta := range deltas {
			if _, err := t.incr([]byte(key), delta, ttl, f.max); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		clear(deltas)
	}
	return err
}

// incr adds delta to the counter under key and keeps it at least ttl from
// now, never shorter than it had.
func (t *fileTx) incr(key []byte, delta int64, ttl time.Duration, max uint64) (int64, error) {
	var n int64
	keep := ttl
	if v, ok := t.lookup(key, true); ok {
		cur, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", errNotCounter, key)
		}
		n = cur
		if left := time.Duration(binary.BigEndian.Uint64(t.records.Get(key)) - t.now); left > keep {
			keep = left
		}
	}
	n = addCounter(n, delta)
	return n, t.write(key, strconv.AppendInt(nil, n, 10), keep, max)
}

// Len is the number of records held, kept ones and expired ones not yet
// swept included.
func (f *File) Len() int {
	var n uint64
	_ = f.view(func(t *fileTx) error { n = t.held(); return nil })
	return int(n)
}

// held is the number of records in the file, kept ones included.
func (t *fileTx) held() uint64 { return t.counter(metaCount) + t.counter(metaKept) }

// Sweep drops expired records now, a batch per transaction, and returns how
// many it dropped.
func (f *File) Sweep() (int, error) {
	total := 0
	for {
		n := 0
		err := f.update(func(t *fileTx) error {
			var due [][]byte
			c := t.expiry.Cursor()
			for k, _ := c.First(); k != nil && len(due) < sweepBatch && binary.BigEndian.Uint64(k) <= t.now; k, _ = c.Next() {
				due = append(due, bytes.Clone(k))
			}
			for _, idx := range due {
				key := bytes.Clone(t.expiry.Get(idx))
				if raw := t.records.Get(key); raw != nil && bytes.Equal(raw[:recordHeader], idx) {
					t.remove(key, raw)
				} else {
					_ = t.expiry.Delete(idx) // a stale entry; cannot happen, but harmless
				}
			}
			n = len(due)
			return nil
		})
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}

// sweepLoop builds the key filter, then sweeps every period until Close,
// and builds the filter again when it has gone stale (looked at after
// each sweep, and when writes ask).
func (f *File) sweepLoop(every time.Duration) {
	defer close(f.swept)
	f.rebuildFilter()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-tick.C:
			_, _ = f.Sweep()
		case <-f.keys.check:
		}
		if !f.stopping() && f.keys.stale() {
			f.rebuildFilter()
		}
	}
}

// stopping reports whether Close has begun.
func (f *File) stopping() bool {
	select {
	case <-f.stop:
		return true
	default:
		return false
	}
}

// Close implements Store: it stops the sweep and closes the file.
func (f *File) Close() error {
	f.mu.Lock()
	if f.shut {
		f.mu.Unlock()
		return nil
	}
	f.shut = true
	close(f.stop)
	f.mu.Unlock()
	<-f.swept
	return f.db.Close()
}

var (
	_ Store       = (*File)(nil)
	_ Batcher     = (*File)(nil)
	_ BatchReader = (*File)(nil)
)
