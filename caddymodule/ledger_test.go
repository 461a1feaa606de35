package caddymodule

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLedgerFirstClaimsRepeatsGetTheOutcome(t *testing.T) {
	l := newMemoryLedger()
	ctx := context.Background()
	if _, claimed, err := l.Begin(ctx, "k"); !claimed || err != nil {
		t.Fatalf("first Begin: claimed=%v err=%v", claimed, err)
	}
	want := Outcome{HTTPStatus: 200, Status: "accepted", Message: "Added to your order."}

	// Repeats while in flight wait for the first outcome.
	const waiters = 10
	var wg sync.WaitGroup
	got := make([]*Outcome, waiters)
	for i := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev, claimed, err := l.Begin(ctx, "k")
			if claimed || err != nil {
				t.Errorf("repeat claimed=%v err=%v", claimed, err)
			}
			got[i] = prev
		}()
	}
	l.Finish("k", want, time.Hour)
	wg.Wait()
	for i, g := range got {
		if g == nil || *g != want {
			t.Errorf("waiter %d got %v, want %v", i, g, want)
		}
	}
	// A repeat after the first finished gets the recorded outcome.
	prev, claimed, err := l.Begin(ctx, "k")
	if claimed || err != nil || prev == nil || *prev != want {
		t.Errorf("later repeat: %v %v %v", prev, claimed, err)
	}
}

func TestLedgerAbandonLetsALaterAttemptRetry(t *testing.T) {
	l := newMemoryLedger()
	ctx := context.Background()
	l.Begin(ctx, "k")
	done := make(chan *Outcome)
	go func() {
		prev, _, _ := l.Begin(ctx, "k")
		done <- prev
	}()
	fail := Outcome{HTTPStatus: 503, Status: "store_unavailable"}
	// Wait until the repeat is blocked on the first attempt.
	for {
		l.mu.Lock()
		n := l.entries["k"].waiters
		l.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	l.Abandon("k", fail)
	if got := <-done; got == nil || *got != fail {
		t.Errorf("waiter got %v, want the abandoned attempt's outcome", got)
	}
	if _, claimed, _ := l.Begin(ctx, "k"); !claimed {
		t.Error("after Abandon a new attempt must claim the key again")
	}
}

func TestLedgerWaiterGivesUpWithItsContext(t *testing.T) {
	l := newMemoryLedger()
	l.Begin(context.Background(), "k")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, claimed, err := l.Begin(ctx, "k"); claimed || !errors.Is(err, ErrInFlight) {
		t.Errorf("claimed=%v err=%v, want ErrInFlight", claimed, err)
	}
}

func TestLedgerForgetsExpiredOutcomes(t *testing.T) {
	l := newMemoryLedger()
	now := time.Unix(1_800_000_000, 0)
	l.now = func() time.Time { return now }
	l.Begin(context.Background(), "k")
	l.Finish("k", Outcome{Status: "accepted"}, time.Minute)
	now = now.Add(2 * time.Minute)
	if _, claimed, _ := l.Begin(context.Background(), "k"); !claimed {
		t.Error("an expired outcome still blocks its key")
	}
	// The sweep drops other expired entries too.
	l.Begin(context.Background(), "other")
	l.Finish("other", Outcome{Status: "accepted"}, time.Second)
	now = now.Add(2 * time.Minute)
	l.Finish("k", Outcome{Status: "accepted"}, time.Hour)
	l.mu.Lock()
	_, kept := l.entries["other"]
	l.mu.Unlock()
	if kept {
		t.Error("the sweep kept an expired outcome")
	}
}

func TestDeclineLog(t *testing.T) {
	d := newDeclineLog()
	now := time.Now()
	if !d.empty() || d.declined("o1", "thermos", now) {
		t.Fatal("a new log has declines")
	}
	d.add("o1", "thermos", now.Add(time.Hour))
	if !d.declined("o1", "thermos", now) || d.declined("o2", "thermos", now) || d.declined("o1", "mug", now) {
		t.Error("declined answers for the wrong subject or offer")
	}
	if d.declined("o1", "thermos", now.Add(2*time.Hour)) {
		t.Error("a decline outlived its expiry")
	}
}
