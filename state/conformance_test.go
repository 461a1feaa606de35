package state

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// stores are the Store implementations every conformance test runs
// against; Redis adds itself when a redis-server can be started.
func stores(t *testing.T) map[string]func(t *testing.T) Store {
	return map[string]func(t *testing.T) Store{
		"memory": func(t *testing.T) Store { return NewMemory(0) },
		"file": func(t *testing.T) Store {
			f, err := OpenFile(filepath.Join(t.TempDir(), "state.db"), FileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		},
		"redis": func(t *testing.T) Store { return newTestRedis(t) },
	}
}

// forEachStore runs test against every Store implementation.
func forEachStore(t *testing.T, test func(t *testing.T, s Store)) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { test(t, open(t)) })
	}
}

func TestStoreGetSetExpire(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if _, ok, err := s.Get(ctx, "absent"); ok || err != nil {
			t.Fatalf("Get of an absent key: found %v, %v", ok, err)
		}
		if err := s.Set(ctx, "k", []byte("v1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Set(ctx, "k", []byte("v2"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := s.Get(ctx, "k"); !ok || err != nil || string(v) != "v2" {
			t.Fatalf("Get = %q %v %v, want v2", v, ok, err)
		}
		if err := s.Set(ctx, "short", []byte("v"), 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(600 * time.Millisecond)
		if _, ok, _ := s.Get(ctx, "short"); ok {
			t.Error("a record outlived its ttl")
		}
		if _, _, err := s.SetNX(ctx, "short", []byte("again"), 0); err == nil {
			t.Error("a write without a ttl was accepted")
		}
	})
}

func TestStoreSetNXClaimsOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners, seen := 0, map[string]bool{}
		for i := range 50 {
			wg.Go(func() {
				cur, stored, err := s.SetNX(ctx, "claim", []byte(fmt.Sprint(i)), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				seen[string(cur)] = true
				if stored {
					winners++
				}
			})
		}
		wg.Wait()
		if winners != 1 || len(seen) != 1 {
			t.Fatalf("%d callers claimed the key and %d values were seen, want 1 and 1", winners, len(seen))
		}
	})
}

func TestStoreCompareAndSetDeleteIfIncr(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if ok, _ := s.CompareAndSet(ctx, "k", []byte("a"), []byte("b"), time.Minute); ok {
			t.Error("CompareAndSet on an absent key succeeded")
		}
		_ = s.Set(ctx, "k", []byte("a"), time.Minute)
		if ok, _ := s.CompareAndSet(ctx, "k", []byte("x"), []byte("b"), time.Minute); ok {
			t.Error("CompareAndSet with the wrong old value succeeded")
		}
		if ok, err := s.CompareAndSet(ctx, "k", []byte("a"), []byte("b"), time.Minute); !ok || err != nil {
			t.Errorf("CompareAndSet with the right old value: %v %v", ok, err)
		}
		if ok, _ := s.DeleteIf(ctx, "k", []byte("a")); ok {
			t.Error("DeleteIf with the wrong value deleted")
		}
		if ok, err := s.DeleteIf(ctx, "k", []byte("b")); !ok || err != nil {
			t.Errorf("DeleteIf with the right value: %v %v", ok, err)
		}
		if _, ok, _ := s.Get(ctx, "k"); ok {
			t.Error("the key survived DeleteIf")
		}
		for want := int64(1); want <= 3; want++ {
			if n, err := s.Incr(ctx, "n", 1, time.Minute); n != want || err != nil {
				t.Fatalf("Incr = %d %v, want %d", n, err, want)
			}
		}
		if n, _ := s.Incr(ctx, "n", -5, time.Minute); n != -2 {
			t.Errorf("Incr by -5 = %d, want -2", n)
		}
		_ = s.Set(ctx, "text", []byte("x"), time.Minute)
		if _, err := s.Incr(ctx, "text", 1, time.Minute); err == nil {
			t.Error("Incr of a non-number succeeded")
		}
	})
}

func TestStoreClosedIsUnavailable(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(context.Background(), "k"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Get after Close: %v, want ErrUnavailable", err)
		}
		if _, _, err := s.SetNX(context.Background(), "k", []byte("v"), time.Minute); !errors.Is(err, ErrUnavailable) {
			t.Errorf("SetNX after Close: %v, want ErrUnavailable", err)
		}
	})
}
