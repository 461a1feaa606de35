package caddymodule

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// Outcome is the answer Kairo gave to an accept. A repeat of the same token
// gets the same Outcome again, so a double click, a retry or a reload never
// reaches the store twice.
type Outcome struct {
	// HTTPStatus is the status of the JSON answer.
	HTTPStatus int `json:"http_status"`
	// Status is a short machine code: accepted, payment_failed, ...
	Status string `json:"status"`
	// Message is the plain-words sentence shown to the customer.
	Message string `json:"message"`
	// Total is the formatted order or cart total after an accept, if known.
	Total string `json:"total,omitempty"`
}

// ErrInFlight is returned by a Ledger that cannot wait for an accept that
// is still in progress elsewhere.
var ErrInFlight = errors.New("an accept with this token is already in progress")

// Ledger records accepts by their token's nonce so that one token causes
// at most one store call at a time and a finished accept is answered the
// same way again. The in-memory ledger serves one instance; a fleet needs a
// shared implementation.
type Ledger interface {
	// Begin claims key. For a new key it returns claimed=true, and the
	// caller must later call Finish or Abandon. For a finished key it
	// returns the recorded Outcome. For a key in flight it waits for the
	// outcome until ctx ends, or returns ErrInFlight.
	Begin(ctx context.Context, key string) (prev *Outcome, claimed bool, err error)
	// Finish records the outcome of a claimed key for keep.
	Finish(key string, out Outcome, keep time.Duration)
	// Abandon releases a claimed key without an outcome, so that a later
	// attempt may try the store again (after a timeout or a 5xx, which the
	// store contract says did not apply). Waiters get the given outcome.
	Abandon(key string, out Outcome)
}

// memoryLedger is the in-process Ledger.
type memoryLedger struct {
	mu        sync.Mutex
	entries   map[string]*ledgerEntry
	lastSweep time.Time
	now       func() time.Time
}

type ledgerEntry struct {
	done    chan struct{} // closed when the first attempt ends
	outcome Outcome       // valid once done is closed
	final   bool          // outcome recorded for repeats (not abandoned)
	expires time.Time
	waiters int // repeats waiting for the first attempt (guarded by the ledger's mutex)
}

func newMemoryLedger() *memoryLedger {
	return &memoryLedger{entries: make(map[string]*ledgerEntry), now: time.Now}
}

func (l *memoryLedger) Begin(ctx context.Context, key string) (*Outcome, bool, error) {
	l.mu.Lock()
	e, ok := l.entries[key]
	if ok && e.final && l.now().After(e.expires) {
		delete(l.entries, key)
		ok = false
	}
	if !ok {
		l.entries[key] = &ledgerEntry{done: make(chan struct{})}
		l.mu.Unlock()
		return nil, true, nil
	}
	e.waiters++
	l.mu.Unlock()
	select {
	case <-e.done:
		out := e.outcome
		return &out, false, nil
	case <-ctx.Done():
		return nil, false, ErrInFlight
	}
}

func (l *memoryLedger) Finish(key string, out Outcome, keep time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return
	}
	e.outcome, e.final, e.expires = out, true, l.now().Add(keep)
	close(e.done)
	l.sweepLocked()
}

func (l *memoryLedger) Abandon(key string, out Outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return
	}
	e.outcome = out
	delete(l.entries, key)
	close(e.done)
}

// sweepLocked drops expired outcomes, at most once a minute.
func (l *memoryLedger) sweepLocked() {
	now := l.now()
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, e := range l.entries {
		if e.final && now.After(e.expires) {
			delete(l.entries, k)
		}
	}
}

// declineLog remembers which offers a customer turned down, so that a
// reload does not show them again (and a downsell can take their place).
type declineLog struct {
	mu      sync.Mutex
	entries map[declineKey]time.Time
}

type declineKey struct{ subject, offerID string }

func newDeclineLog() *declineLog { return &declineLog{entries: make(map[declineKey]time.Time)} }

// add records a decline until expires.
func (d *declineLog) add(subject, offerID string, expires time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.entries) > 100_000 {
		now := time.Now()
		for k, exp := range d.entries {
			if now.After(exp) {
				delete(d.entries, k)
			}
		}
	}
	d.entries[declineKey{subject, offerID}] = expires
}

// declined reports whether subject turned offerID down and it still counts.
func (d *declineLog) declined(subject, offerID string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	exp, ok := d.entries[declineKey{subject, offerID}]
	return ok && now.Before(exp)
}

// empty reports whether nothing was declined, so pages can skip the check.
func (d *declineLog) empty() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries) == 0
}

// memoryState is the in-memory state that outlives a config reload: a
// reload provisions a new Handler, but accepts in flight and recorded
// outcomes must stay.
type memoryState struct {
	ledger   *memoryLedger
	declines *declineLog
}

// statePool holds the one memoryState of this process, shared by every
// provisioned Handler and dropped when the last one is cleaned up.
var statePool = caddy.NewUsagePool()

// memoryStateKey names the memoryState in statePool.
const memoryStateKey = "memory"

func acquireMemoryState() (Ledger, *declineLog) {
	v, _ := statePool.LoadOrStore(memoryStateKey, memoryState{ledger: newMemoryLedger(), declines: newDeclineLog()})
	st := v.(memoryState)
	return st.ledger, st.declines
}

func releaseMemoryState() { _, _ = statePool.Delete(memoryStateKey) }
