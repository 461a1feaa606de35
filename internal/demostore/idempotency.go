package demostore

import (
	"context"
	"errors"
	"sync"
)

// errKeyReused means an Idempotency-Key came back with a different request.
var errKeyReused = errors.New("this Idempotency-Key was already used with a different request")

// replayKey scopes an Idempotency-Key to one order or one cart, so that two
// customers cannot collide and a key cannot be replayed against another
// order.
type replayKey struct {
	scope string // "order:<id>" or "cart:<id>"
	key   string
}

// replayEntry is one key's outcome. While the first request runs, done is
// open and later requests with the key wait on it; afterwards, a kept entry
// holds the answer they all get.
type replayEntry struct {
	fingerprint string
	done        chan struct{}
	finished    bool
	status      int
	body        []byte
}

// replayLedger makes the add-items endpoints exactly-once per key. Only
// successful answers are kept: a failure (a refused or failed request)
// changed nothing, so a retry with the same key is judged afresh.
type replayLedger struct {
	mu      sync.Mutex
	entries map[replayKey]*replayEntry
}

func newReplayLedger() *replayLedger {
	return &replayLedger{entries: make(map[replayKey]*replayEntry)}
}

// claim either hands the key to the caller (owned is true: run the request,
// then call release), or returns the kept answer of an earlier request with
// the same key (owned is false). A request arriving while another with the
// key is running waits for it. It fails when ctx ends while waiting, or
// with errKeyReused when the key's first request had another fingerprint.
func (l *replayLedger) claim(ctx context.Context, k replayKey, fingerprint string) (e *replayEntry, owned bool, err error) {
	for {
		l.mu.Lock()
		e, ok := l.entries[k]
		if !ok {
			e = &replayEntry{fingerprint: fingerprint, done: make(chan struct{})}
			l.entries[k] = e
			l.mu.Unlock()
			return e, true, nil
		}
		if e.finished {
			l.mu.Unlock()
			if e.fingerprint != fingerprint {
				return nil, false, errKeyReused
			}
			return e, false, nil
		}
		done := e.done
		l.mu.Unlock()
		select {
		case <-done:
			// Finished: kept (replay it) or forgotten (claim it) on the next turn.
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// keep records the owner's successful answer for every later request.
func (l *replayLedger) keep(k replayKey, e *replayEntry, status int, body []byte) {
	l.mu.Lock()
	e.status, e.body, e.finished = status, body, true
	close(e.done)
	l.mu.Unlock()
}

// forget drops the owner's claim after a failure, so the key can be retried.
func (l *replayLedger) forget(k replayKey, e *replayEntry) {
	l.mu.Lock()
	if l.entries[k] == e {
		delete(l.entries, k)
	}
	close(e.done)
	l.mu.Unlock()
}
