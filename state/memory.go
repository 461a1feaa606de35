package state

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// DefaultMemoryCap is the most records a Memory store holds by default.
const DefaultMemoryCap = 1_000_000

// Memory is an in-process Store. Records expire; past its cap the oldest
// written record is evicted first, never a kept one (Kept), of which it
// holds at most its cap too. It does not survive a restart and is
// not shared between instances: it backs tests and the embedded store's
// cache, and is what a single short-lived process may use.
type Memory struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *memEntry
	order   *list.List               // oldest write at the front
	kept    *list.List               // the kept records (Kept), which are never evicted
	cap     int
	now     func() time.Time
	closed  bool
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	kept    bool // in Memory.kept, not Memory.order
}

// listOf is the list that holds e.
func (m *Memory) listOf(e *memEntry) *list.List {
	if e.kept {
		return m.kept
	}
	return m.order
}

// NewMemory returns a Memory store holding at most maxRecords records
// (DefaultMemoryCap when maxRecords <= 0).
func NewMemory(maxRecords int) *Memory {
	if maxRecords <= 0 {
		maxRecords = DefaultMemoryCap
	}
	return &Memory{entries: make(map[string]*list.Element), order: list.New(), kept: list.New(), cap: maxRecords, now: time.Now}
}

// SetClock replaces the store's clock (tests).
func (m *Memory) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}

// Len is the number of records held, expired ones not yet dropped included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// lookupLocked returns the live entry under key, dropping it if expired.
func (m *Memory) lookupLocked(key string) *memEntry {
	el, ok := m.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*memEntry)
	if !m.now().Before(e.expires) {
		m.dropLocked(el)
		return nil
	}
	return e
}

// writeLocked stores value under key as the newest record, evicting the
// oldest records (expired ones first come for free at the front) past the
// cap. A kept record (Kept) is never evicted; past the cap of them, a new
// one is refused (ErrFull).
func (m *Memory) writeLocked(key string, value []byte, ttl time.Duration) error {
	if el, ok := m.entries[key]; ok {
		m.dropLocked(el)
	}
	e := &memEntry{key: key, value: bytes.Clone(value), expires: m.now().Add(ttl), kept: Kept(key)}
	if e.kept && m.kept.Len() >= m.cap && !m.dropExpiredKeptLocked() {
		return errFull(key, uint64(m.cap))
	}
	m.entries[key] = m.listOf(e).PushBack(e)
	for m.order.Len() > m.cap {
		m.dropLocked(m.order.Front())
	}
	return nil
}

// dropExpiredKeptLocked drops the kept records that have expired, which
// nothing else drops until they are looked up, and reports whether there
// were any. It walks them all, but only when they fill the cap, where the
// alternative is refusing the write.
func (m *Memory) dropExpiredKeptLocked() bool {
	now, dropped := m.now(), false
	for el := m.kept.Front(); el != nil; {
		next := el.Next()
		if !now.Before(el.Value.(*memEntry).expires) {
			m.dropLocked(el)
			dropped = true
		}
		el = next
	}
	return dropped
}

// dropLocked removes a record.
func (m *Memory) dropLocked(el *list.Element) {
	e := el.Value.(*memEntry)
	m.listOf(e).Remove(el)
	delete(m.entries, e.key)
}

func (m *Memory) check(ttl time.Duration, write bool) error {
	if m.closed {
		return fmt.Errorf("%w: memory store closed", ErrUnavailable)
	}
	if write && ttl <= 0 {
		return errNoTTL
	}
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(0, false); err != nil {
		return nil, false, err
	}
	if e := m.lookupLocked(key); e != nil {
		return bytes.Clone(e.value), true, nil
	}
	return nil, false, nil
}

// ExistAll implements BatchReader: one lock for all the keys.
func (m *Memory) ExistAll(_ context.Context, keys []string) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(0, false); err != nil {
		return nil, err
	}
	found := make([]bool, len(keys))
	for i, key := range keys {
		found[i] = m.lookupLocked(key) != nil
	}
	return found, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return err
	}
	return m.writeLocked(key, value, ttl)
}

// SetNX implements Store.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return nil, false, err
	}
	if e := m.lookupLocked(key); e != nil {
		return bytes.Clone(e.value), false, nil
	}
	if err := m.writeLocked(key, value, ttl); err != nil {
		return nil, false, err
	}
	return bytes.Clone(value), true, nil
}

// CompareAndSet implements Store.
func (m *Memory) CompareAndSet(_ context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return false, err
	}
	e := m.lookupLocked(key)
	if e == nil || !bytes.Equal(e.value, old) {
		return false, nil
	}
	if err := m.writeLocked(key, value, ttl); err != nil {
		return false, err
	}
	return true, nil
}

// DeleteIf implements Store.
func (m *Memory) DeleteIf(_ context.Context, key string, old []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(0, false); err != nil {
		return false, err
	}
	e := m.lookupLocked(key)
	if e == nil || !bytes.Equal(e.value, old) {
		return false, nil
	}
	m.dropLocked(m.entries[key])
	return true, nil
}

// Incr implements Store.
func (m *Memory) Incr(_ context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return 0, err
	}
	n, err := m.counterLocked(key)
	if err != nil {
		return 0, err
	}
	n = addCounter(n, delta)
	if err := m.writeLocked(key, strconv.AppendInt(nil, n, 10), ttl); err != nil {
		return 0, err
	}
	return n, nil
}

// counterLocked is the counter under key (0 when absent).
func (m *Memory) counterLocked(key string) (int64, error) {
	e := m.lookupLocked(key)
	if e == nil {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(e.value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("state: %q does not hold a counter", key)
	}
	return v, nil
}

// AddAll implements Batcher: every counter or none.
func (m *Memory) AddAll(_ context.Context, deltas map[string]int64, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return err
	}
	sums := make(map[string]int64, len(deltas))
	for key, delta := range deltas {
		n, err := m.counterLocked(key)
		if err != nil {
			return err
		}
		sums[key] = addCounter(n, delta)
	}
	for key, n := range sums {
		if err := m.writeLocked(key, strconv.AppendInt(nil, n, 10), ttl); err != nil {
			return err
		}
		delete(deltas, key)
	}
	return nil
}

// SetNXAll implements Batcher.
func (m *Memory) SetNXAll(_ context.Context, keys []string, value []byte, ttl time.Duration) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ttl, true); err != nil {
		return nil, err
	}
	stored := make([]bool, len(keys))
	for i, key := range keys {
		if m.lookupLocked(key) == nil {
			if err := m.writeLocked(key, value, ttl); err != nil {
				return stored[:i], err
			}
			stored[i] = true
		}
	}
	return stored, nil
}

// Close implements Store.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.entries, m.order, m.kept = map[string]*list.Element{}, list.New(), list.New()
	return nil
}

var (
	_ Store       = (*Memory)(nil)
	_ Batcher     = (*Memory)(nil)
	_ BatchReader = (*Memory)(nil)
)
