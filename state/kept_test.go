package state

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// cappedStores are the stores with a record cap of max, on one clock.
func cappedStores(t *testing.T, max int, clock *testClock) map[string]Store {
	t.Helper()
	f, err := OpenFile(filepath.Join(t.TempDir(), "state.db"), FileOptions{MaxRecords: max, noSync: true, now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m := NewMemory(max)
	m.SetClock(clock.now)
	return map[string]Store{"file": f, "memory": m}
}

// The cap evicts the oldest records, but never a ledger record (a claim
// in flight or a finished accept) nor an order's records: page traffic
// past the cap must not let an accept be claimed twice.
func TestCapNeverEvictsKeptRecords(t *testing.T) {
	for name, s := range cappedStores(t, 50, newTestClock()) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l := NewLedger(s, 0)
			done, _, err := l.Begin(ctx, "order-1/offer-a")
			if err != nil || done == nil {
				t.Fatal(done, err)
			}
			if err := done.Finish(ctx, []byte("accepted"), time.Hour); err != nil {
				t.Fatal(err)
			}
			inFlight, _, err := l.Begin(ctx, "order-1/offer-b")
			if err != nil || inFlight == nil {
				t.Fatal(inFlight, err)
			}
			defer inFlight.Abandon(ctx, nil)
			order := []string{DeadlinePrefix + "order-1", DonePrefix + "order-1", FunnelPrefix + "order-1"}
			for _, k := range order {
				if err := s.Set(ctx, k, []byte("1"), time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			// Two caps' worth of page writes (impressions, declines).
			for i := range 100 {
				if err := s.Set(ctx, fmt.Sprintf("an/shown/cart/offer:%d", i), []byte("1"), 7*24*time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if _, ok, _ := s.Get(ctx, "an/shown/cart/offer:0"); ok {
				t.Error("the oldest page record survived past the cap: the cap evicts nothing")
			}
			if again, prev, err := l.Begin(ctx, "order-1/offer-a"); again != nil || string(prev) != "accepted" {
				t.Errorf("a finished accept was evicted: Begin again = %v, %q, %v; want its first answer", again, prev, err)
			}
			wait, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if twice, _, err := l.Begin(wait, "order-1/offer-b"); twice != nil || !errors.Is(err, ErrInFlight) {
				t.Errorf("a claim in flight was evicted: a second Begin = %v, %v; want ErrInFlight", twice, err)
			}
			for _, k := range order {
				if _, ok, err := s.Get(ctx, k); !ok || err != nil {
					t.Errorf("%s was evicted (%v)", k, err)
				}
			}
		})
	}
}

// Past the cap of kept records a new one is refused with ErrFull (which
// wraps ErrUnavailable: the accept fails closed); rewriting one it holds
// is not refused, and one that expires makes room again.
func TestKeptRecordsPastTheCapAreRefused(t *testing.T) {
	clock := newTestClock()
	for name, s := range cappedStores(t, 3, clock) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for i := range 3 {
				if err := s.Set(ctx, fmt.Sprint(DeadlinePrefix, i), []byte("1"), time.Duration(i+1)*time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			_, stored, err := s.SetNX(ctx, ledgerPrefix+"k", []byte("1"), time.Hour)
			if stored || !errors.Is(err, ErrFull) || !errors.Is(err, ErrUnavailable) {
				t.Fatalf("a fourth kept record: stored %v, %v; want ErrFull", stored, err)
			}
			if err := s.Set(ctx, DeadlinePrefix+"2", []byte("2"), time.Hour); err != nil {
				t.Errorf("rewriting a kept record at the cap: %v", err)
			}
			if err := s.Set(ctx, "decline/x", []byte("1"), time.Hour); err != nil {
				t.Errorf("an evictable record beside a full set of kept ones: %v", err)
			}
			clock.add(90 * time.Second) // the first one (1m) has expired
			if f, ok := s.(*File); ok {
				if _, err := f.Sweep(); err != nil {
					t.Fatal(err)
				}
			}
			if _, stored, err := s.SetNX(ctx, ledgerPrefix+"k", []byte("1"), time.Hour); !stored || err != nil {
				t.Errorf("after one expired: stored %v, %v", stored, err)
			}
		})
	}
}

// The file counts kept and evictable records apart, through rewrites,
// deletes and the sweep, and a reopened file still knows which is which.
func TestFileCountsKeptRecordsApart(t *testing.T) {
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "state.db")
	f, err := OpenFile(path, FileOptions{MaxRecords: 4, noSync: true, now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = f.Set(ctx, ledgerPrefix+"a", []byte("1"), time.Minute)
	_ = f.Set(ctx, ledgerPrefix+"a", []byte("2"), time.Hour) // rewritten
	_ = f.Set(ctx, ledgerPrefix+"b", []byte("1"), time.Hour)
	if ok, err := f.DeleteIf(ctx, ledgerPrefix+"b", []byte("1")); !ok || err != nil {
		t.Fatal(ok, err)
	}
	for i := range 6 {
		_ = f.Set(ctx, fmt.Sprint("decline/", i), []byte("1"), time.Minute)
	}
	if n := f.Len(); n != 5 {
		t.Errorf("Len = %d, want 5 (4 evictable, 1 kept)", n)
	}
	f.Close()
	if f, err = OpenFile(path, FileOptions{MaxRecords: 4, noSync: true, now: clock.now}); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clock.add(2 * time.Minute)
	if n, err := f.Sweep(); n != 4 || err != nil {
		t.Errorf("Sweep dropped %d (%v), want the 4 declines", n, err)
	}
	if v, ok, _ := f.Get(ctx, ledgerPrefix+"a"); !ok || string(v) != "2" {
		t.Errorf("the kept record reads %q, %v", v, ok)
	}
	var counted, kept uint64
	_ = f.view(func(t *fileTx) error { counted, kept = t.counter(metaCount), t.counter(metaKept); return nil })
	if counted != 0 || kept != 1 {
		t.Errorf("counts: %d evictable, %d kept; want 0 and 1", counted, kept)
	}
}

// A kept record written before kept records left the eviction index (it
// sits in the index and in the evictable count) is moved out of the index
// when the cap reaches it, not evicted.
func TestFileMovesAnOldKeptRecordOutOfTheIndex(t *testing.T) {
	f, err := OpenFile(filepath.Join(t.TempDir(), "state.db"), FileOptions{MaxRecords: 10, noSync: true, now: newTestClock().now})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	// As the store wrote a ledger record before: in the order index.
	if err := f.update(func(t *fileTx) error {
		if err := t.write([]byte("ledger/old-answer"), []byte("Daccepted"), time.Hour, 10); err != nil {
			return err
		}
		raw := t.records.Get([]byte("ledger/old-answer"))
		t.setCounter(metaKept, t.counter(metaKept)-1)
		t.setCounter(metaCount, t.counter(metaCount)+1)
		return t.order.Put(raw[8:recordHeader], []byte("ledger/old-answer"))
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := f.Set(ctx, fmt.Sprint("decline/", i), []byte("1"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok, _ := f.Get(ctx, "ledger/old-answer"); !ok || string(v) != "Daccepted" {
		t.Fatalf("the old ledger record was evicted (%q, %v)", v, ok)
	}
	var counted, kept uint64
	_ = f.view(func(t *fileTx) error { counted, kept = t.counter(metaCount), t.counter(metaKept); return nil })
	if counted != 10 || kept != 1 {
		t.Errorf("counts: %d evictable, %d kept; want 10 and 1", counted, kept)
	}
}
