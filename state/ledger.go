package state

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultLease is how long a claim on a ledger key holds without being
// renewed. The holder renews it while its action runs; a holder that died
// (crashed, killed, cut off from the store) stops renewing, and after the
// lease another caller takes the key over.
const DefaultLease = 5 * time.Second

// failedKeep is how long the answer of an abandoned attempt stays, for the
// callers that were waiting on that attempt to read it. A later, fresh
// attempt takes the key over at once.
const failedKeep = 5 * time.Second

// ledgerPrefix namespaces ledger records in a Store.
const ledgerPrefix = "ledger/"

// ErrInFlight is returned by Begin when its context ends while another
// caller's attempt on the key is still running.
var ErrInFlight = errors.New("state: an attempt with this key is in progress")

// Ledger makes an action with a side effect elsewhere (a store call that
// adds to an order) happen once per key, across goroutines, processes and
// restarts, on top of any Store:
//
//   - the first caller claims the key (an atomic SetNX of an in-flight
//     record that lives for a lease) and renews the lease while it works;
//   - later callers, on any instance, wait for the answer and get the same
//     bytes;
//   - a finished key keeps its answer for as long as the caller says;
//   - an attempt that did not apply (Abandon) frees the key for the next
//     attempt, and the callers that waited on it get its answer;
//   - a holder that died stops renewing: after its lease a waiter takes the
//     key over and repeats the action with the SAME key.
//
// The last point is why the action must itself be idempotent on the key:
// a dead holder may have applied the action before dying, and only the
// other side can tell. Kairo sends the key as the store call's
// Idempotency-Key, and the store contract says a store dedupes on it.
type Ledger struct {
	store Store
	lease time.Duration
}

// NewLedger returns a Ledger on store whose claims last lease unless
// renewed (DefaultLease when lease <= 0).
func NewLedger(store Store, lease time.Duration) *Ledger {
	if lease <= 0 {
		lease = DefaultLease
	}
	return &Ledger{store: store, lease: lease}
}

// Ledger records are one kind byte and a body:
//
//	'F' holder                       in flight, claimed by holder
//	'D' answer                       done: the answer every repeat gets
//	'A' len(holder) holder answer    abandoned by holder, with its answer
const (
	recordInFlight  = 'F'
	recordDone      = 'D'
	recordAbandoned = 'A'
)

// Claim is a caller's hold on a ledger key. Exactly one of Finish and
// Abandon must be called; until then the lease is renewed in the
// background.
type Claim struct {
	ledger *Ledger
	key    string
	record []byte // the in-flight record this claim wrote
	// TookOver is true when the key was held by another caller whose
	// lease ran out: the action may have been applied already, and is to be
	// repeated with the same key.
	TookOver bool
	// Repeat is true when an earlier attempt under the key was made: taken
	// over (TookOver), or abandoned, as not applied by the caller's
	// reading, though an answer lost on the way may hide an applied one.
	Repeat bool

	stop    chan struct{}
	stopped sync.Once
	renewed chan struct{} // closed when the renewal loop has ended
}

// Record is what the ledger holds under a key, read without claiming it.
type Record struct {
	// InFlight: an attempt holds the key (it may have taken over one
	// whose holder stopped answering).
	InFlight bool
	// Done: an attempt finished (Finish), and Answer is its answer.
	Done   bool
	Answer []byte
	// Found: there is a record, of any kind (an abandoned attempt too).
	Found bool
}

// Lookup reads the record under key without claiming it: for a caller
// that checks something before it claims (say, that the offer still
// stands: a repeat of a finished attempt gets that attempt's answer
// whatever changed since), or that must not act while an attempt is in
// flight (a decline of the offer being accepted in another tab).
func (l *Ledger) Lookup(ctx context.Context, key string) (Record, error) {
	cur, found, err := l.store.Get(ctx, ledgerPrefix+key)
	if err != nil || !found || len(cur) == 0 {
		return Record{}, err
	}
	r := Record{Found: true}
	switch cur[0] {
	case recordInFlight:
		r.InFlight = true
	case recordDone:
		r.Done, r.Answer = true, cur[1:]
	}
	return r, nil
}

// Begin claims key. It returns either a Claim (the caller acts, then calls
// Finish or Abandon) or the recorded answer of an earlier attempt. While
// another caller's attempt is in flight it waits, polling the store, until
// that attempt ends (then it gets that answer), its holder's lease runs
// out (then it takes the key over) or ctx ends (ErrInFlight). Store
// errors are returned as they are (they wrap ErrUnavailable).
func (l *Ledger) Begin(ctx context.Context, key string) (*Claim, []byte, error) {
	k := ledgerPrefix + key
	holder := newHolder()
	mine := append([]byte{recordInFlight}, holder...)
	var waitedOn []byte // the holder whose attempt this caller waited for
	delay := 2 * time.Millisecond
	for {
		cur, stored, err := l.store.SetNX(ctx, k, mine, l.lease)
		if err != nil {
			if waitedOn != nil && ctx.Err() != nil {
				// The wait ran out while asking again: still in flight.
				return nil, nil, ErrInFlight
			}
			return nil, nil, err
		}
		if stored || bytes.Equal(cur, mine) {
			// Equal: this call stored it and the answer was lost (the
			// holder is unique to the call); the Redis client sent the
			// script again, which found the claim there.
			return l.claimed(k, mine, waitedOn != nil, waitedOn != nil), nil, nil
		}
		if len(cur) == 0 {
			return nil, nil, fmt.Errorf("state: ledger record %q is empty", key)
		}
		switch cur[0] {
		case recordDone:
			return nil, cur[1:], nil
		case recordAbandoned:
			who, answer, ok := parseAbandoned(cur[1:])
			if !ok {
				return nil, nil, fmt.Errorf("state: ledger record %q is damaged", key)
			}
			if waitedOn != nil && bytes.Equal(who, waitedOn) {
				return nil, answer, nil
			}
			// A fresh attempt after a failed one: try again.
			swapped, err := l.store.CompareAndSet(ctx, k, cur, mine, l.lease)
			if err != nil {
				return nil, nil, err
			}
			if swapped {
				return l.claimed(k, mine, false, true), nil, nil
			}
			continue
		case recordInFlight:
			waitedOn = cur[1:]
		default:
			return nil, nil, fmt.Errorf("state: ledger record %q has unknown kind %q", key, cur[0])
		}
		select {
		case <-ctx.Done():
			return nil, nil, ErrInFlight
		case <-time.After(delay):
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// claimed starts the renewal of a fresh claim.
func (l *Ledger) claimed(k string, record []byte, tookOver, repeat bool) *Claim {
	c := &Claim{ledger: l, key: k, record: record, TookOver: tookOver, Repeat: repeat,
		stop: make(chan struct{}), renewed: make(chan struct{})}
	go c.renew()
	return c
}

// renew keeps the claim's lease alive until the claim ends, or until the
// record is no longer this claim's (taken over after a missed renewal).
func (c *Claim) renew() {
	defer close(c.renewed)
	tick := time.NewTicker(c.ledger.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), c.ledger.lease/3)
			ok, err := c.ledger.store.CompareAndSet(ctx, c.key, c.record, c.record, c.ledger.lease)
			cancel()
			if err == nil && !ok {
				return
			}
		}
	}
}

// end stops the renewal and waits for it, so that no renewal lands after
// the final record.
func (c *Claim) end() {
	c.stopped.Do(func() { close(c.stop) })
	<-c.renewed
}

// Finish records the answer of the claimed attempt for keep: every later
// Begin of the key gets it. It is written even if the claim was taken
// over meanwhile: both attempts used the same key, so the other side gave
// both the same answer.
func (c *Claim) Finish(ctx context.Context, answer []byte, keep time.Duration) error {
	c.end()
	return c.ledger.store.Set(ctx, c.key, append([]byte{recordDone}, answer...), keep)
}

// Abandon ends the claimed attempt without recording it, because it was
// not applied (the other side said so, or was not reached): the next
// Begin tries again. The callers that waited on this attempt get answer.
func (c *Claim) Abandon(ctx context.Context, answer []byte) error {
	c.end()
	holder := c.record[1:]
	rec := make([]byte, 0, 2+len(holder)+len(answer))
	rec = append(append(append(rec, recordAbandoned, byte(len(holder))), holder...), answer...)
	_, err := c.ledger.store.CompareAndSet(ctx, c.key, c.record, rec, failedKeep)
	return err
}

// parseAbandoned splits an abandoned record's body.
func parseAbandoned(body []byte) (holder, answer []byte, ok bool) {
	if len(body) < 1 || len(body) < 1+int(body[0]) {
		return nil, nil, false
	}
	n := int(body[0])
	return body[1 : 1+n], body[1+n:], true
}

// newHolder names one attempt: 96 random bits.
func newHolder() []byte {
	var b [12]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.AppendEncode(nil, b[:])
}
