package state

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLedgerOneClaimManyWaiters: of many concurrent callers of one key,
// one acts and every other gets its answer, whatever the store.
func TestLedgerOneClaimManyWaiters(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		// The default lease: the waiters must wait for the answer, and with
		// a 1 s lease 40 of them polling the file store (a commit each)
		// once delayed the holder's renewal past it on a loaded machine,
		// and a second caller took the key over.
		l := NewLedger(s, DefaultLease)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var acted atomic.Int32
		answers := make([]string, 40)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				c, ans, err := l.Begin(ctx, "order-1/thermos")
				if err != nil {
					t.Error(err)
					return
				}
				if c != nil {
					acted.Add(1)
					time.Sleep(100 * time.Millisecond) // the store call
					ans = []byte("accepted")
					if err := c.Finish(ctx, ans, time.Minute); err != nil {
						t.Error(err)
					}
				}
				answers[i] = string(ans)
			})
		}
		wg.Wait()
		if acted.Load() != 1 {
			t.Errorf("%d callers acted, want 1", acted.Load())
		}
		for i, a := range answers {
			if a != "accepted" {
				t.Errorf("caller %d got %q", i, a)
			}
		}
		// A repeat long after gets the recorded answer.
		if c, ans, err := l.Begin(ctx, "order-1/thermos"); c != nil || string(ans) != "accepted" || err != nil {
			t.Errorf("a repeat: claim %v answer %q %v", c != nil, ans, err)
		}
	})
}

// TestLedgerAbandonAnswersWaitersAndFreesTheKey: an attempt that did not
// apply answers the callers that waited on it, and the next attempt
// tries again.
func TestLedgerAbandonAnswersWaitersAndFreesTheKey(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		l := NewLedger(s, time.Second)
		ctx := context.Background()
		first, _, err := l.Begin(ctx, "k")
		if err != nil || first == nil {
			t.Fatalf("first Begin: %v", err)
		}
		waiter := make(chan string)
		go func() {
			_, ans, err := l.Begin(ctx, "k")
			if err != nil {
				t.Error(err)
			}
			waiter <- string(ans)
		}()
		time.Sleep(50 * time.Millisecond)
		if err := first.Abandon(ctx, []byte("store down")); err != nil {
			t.Fatal(err)
		}
		if got := <-waiter; got != "store down" {
			t.Errorf("the waiter got %q, want the abandoned attempt's answer", got)
		}
		again, _, err := l.Begin(ctx, "k")
		if err != nil || again == nil {
			t.Fatalf("a fresh attempt after an abandoned one did not claim the key: %v", err)
		}
		_ = again.Finish(ctx, []byte("ok"), time.Minute)
	})
}

// TestLedgerTakesOverADeadHolder: a holder that stops renewing (its
// process died) loses the key after its lease; a waiter takes it over and
// is told so, and until then waiters wait.
func TestLedgerTakesOverADeadHolder(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		const lease = 600 * time.Millisecond
		l := NewLedger(s, lease)
		ctx := context.Background()
		dead, _, err := l.Begin(ctx, "k")
		if err != nil || dead == nil {
			t.Fatalf("Begin: %v", err)
		}
		dead.end() // the process dies: no more renewals, no Finish
		short, cancel := context.WithTimeout(ctx, lease/4)
		defer cancel()
		if _, _, err := l.Begin(short, "k"); !errors.Is(err, ErrInFlight) {
			t.Fatalf("Begin within the lease: %v, want ErrInFlight", err)
		}
		began := time.Now()
		c, _, err := l.Begin(ctx, "k")
		if err != nil || c == nil {
			t.Fatalf("Begin after the lease: %v", err)
		}
		if !c.TookOver {
			t.Error("the claim does not say it took over")
		}
		if waited := time.Since(began); waited > 3*lease {
			t.Errorf("took over after %v, lease %v", waited, lease)
		}
		_ = c.Finish(ctx, []byte("ok"), time.Minute)
	})
}

// TestLedgerRenewsALongAttempt: an attempt longer than the lease keeps its
// key while its holder lives.
func TestLedgerRenewsALongAttempt(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		// Renewals come every third of the lease; a lease far longer than a
		// write keeps the test meaningful on a loaded machine (at 600 ms, a
		// CI machine running the race detector once let a renewal come
		// late). The second caller waits two leases: without renewals the
		// claim would be taken over within one.
		const lease = 1500 * time.Millisecond
		l := NewLedger(s, lease)
		ctx := context.Background()
		c, _, err := l.Begin(ctx, "k")
		if err != nil || c == nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 2*lease)
		defer cancel()
		if c2, _, err := l.Begin(short, "k"); c2 != nil || !errors.Is(err, ErrInFlight) {
			t.Errorf("a second caller during a renewed attempt: claim %v, %v", c2 != nil, err)
		}
		_ = c.Finish(ctx, []byte("ok"), time.Minute)
	})
}

// A claim says whether an earlier attempt under its key was made: after an
// abandoned one (whose answer may have been lost), not on a first one.
func TestLedgerClaimSaysWhenItIsARepeat(t *testing.T) {
	ctx := context.Background()
	l := NewLedger(NewMemory(0), 0)
	first, _, err := l.Begin(ctx, "k")
	if err != nil || first == nil || first.Repeat {
		t.Fatalf("first claim: %+v, %v; want a claim that is no repeat", first, err)
	}
	if err := first.Abandon(ctx, []byte("store unreachable")); err != nil {
		t.Fatal(err)
	}
	again, _, err := l.Begin(ctx, "k")
	if err != nil || again == nil || !again.Repeat {
		t.Fatalf("the claim after an abandoned attempt: %+v, %v; want a repeat", again, err)
	}
	again.Abandon(ctx, nil)
}
