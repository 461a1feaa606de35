package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMemoryExpiresAndEvictsOldestFirst(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(3)
	m.SetClock(func() time.Time { return now })

	for i := range 3 {
		if err := m.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set(ctx, "k3", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := m.Get(ctx, "k0"); ok {
		t.Error("k0, the oldest record, survived past the cap")
	}
	if _, ok, _ := m.Get(ctx, "k3"); !ok {
		t.Error("k3, the newest record, was evicted")
	}
	now = now.Add(time.Minute)
	if _, ok, _ := m.Get(ctx, "k3"); ok {
		t.Error("k3 is still there after its ttl")
	}
	if err := m.Set(ctx, "k", nil, 0); !errors.Is(err, errNoTTL) {
		t.Errorf("a write without ttl: %v", err)
	}
}

func TestMemorySetNXClaimsOnce(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for i := range 100 {
		wg.Go(func() {
			_, stored, err := m.SetNX(ctx, "claim", []byte(fmt.Sprint(i)), time.Minute)
			if err != nil {
				t.Error(err)
			}
			if stored {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d callers claimed the key, want 1", winners)
	}
}

func TestMemoryCompareAndSetDeleteIfIncr(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(0)
	if ok, _ := m.CompareAndSet(ctx, "k", []byte("a"), []byte("b"), time.Minute); ok {
		t.Error("CompareAndSet on an absent key succeeded")
	}
	_ = m.Set(ctx, "k", []byte("a"), time.Minute)
	if ok, _ := m.CompareAndSet(ctx, "k", []byte("x"), []byte("b"), time.Minute); ok {
		t.Error("CompareAndSet with the wrong old value succeeded")
	}
	if ok, _ := m.CompareAndSet(ctx, "k", []byte("a"), []byte("b"), time.Minute); !ok {
		t.Error("CompareAndSet with the right old value failed")
	}
	if ok, _ := m.DeleteIf(ctx, "k", []byte("a")); ok {
		t.Error("DeleteIf with the wrong value deleted")
	}
	if ok, _ := m.DeleteIf(ctx, "k", []byte("b")); !ok {
		t.Error("DeleteIf with the right value did not delete")
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := m.Incr(ctx, "c", 1, time.Minute); err != nil || n != want {
			t.Fatalf("Incr = %d, %v; want %d", n, err, want)
		}
	}
	_ = m.Close()
	if _, _, err := m.Get(ctx, "c"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get after Close: %v, want ErrUnavailable", err)
	}
}
