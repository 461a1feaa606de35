package state

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strconv"
	"testing"
	"time"
)

// A batch adds like one Incr per counter, claims like one SetNX per key,
// and a counter that is not a number leaves the whole batch undone.
func TestStoreBatches(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		b, ok := s.(Batcher)
		if !ok {
			t.Fatalf("%T is not a Batcher", s)
		}
		if _, err := s.Incr(ctx, "c/0", 5, time.Minute); err != nil {
			t.Fatal(err)
		}
		// More counters than one Redis script carries.
		deltas := map[string]int64{}
		for i := range batchChunk + 10 {
			deltas[fmt.Sprintf("c/%d", i)] = int64(i + 1)
		}
		want := maps.Clone(deltas)
		want["c/0"] += 5
		if err := b.AddAll(ctx, deltas, time.Minute); err != nil || len(deltas) != 0 {
			t.Fatalf("AddAll: %v, %d counters left", err, len(deltas))
		}
		for key, n := range want {
			if got, err := s.Incr(ctx, key, 0, time.Minute); got != n || err != nil {
				t.Fatalf("%s = %d %v, want %d", key, got, err, n)
			}
		}

		_ = s.Set(ctx, "text", []byte("x"), time.Minute)
		bad := map[string]int64{"c/1": 1, "text": 1, "fresh": 1}
		if err := b.AddAll(ctx, bad, time.Minute); err == nil || len(bad) != 3 {
			t.Fatalf("AddAll with a non-counter: %v, %d counters left, want an error and all 3", err, len(bad))
		}
		if got, _ := s.Incr(ctx, "c/1", 0, time.Minute); got != want["c/1"] {
			t.Errorf("a failed batch changed c/1 to %d", got)
		}
		if _, found, _ := s.Get(ctx, "fresh"); found {
			t.Error("a failed batch made a counter")
		}

		// A counter a batch would take past an int64 stays at its bound,
		// and the rest of the batch is added (Redis: INCRBY failing
		// midway would leave the counters before it added, and the batch
		// refused for ever). Twenty others, so that some come before it
		// whatever the order.
		if _, err := s.Incr(ctx, "big", 1<<62, time.Minute); err != nil {
			t.Fatal(err)
		}
		over := map[string]int64{"big": 1 << 62}
		for i := 1; i <= 20; i++ {
			over[fmt.Sprintf("c/%d", i)] = 1
		}
		if err := b.AddAll(ctx, over, time.Minute); err != nil || len(over) != 0 {
			t.Fatalf("AddAll past a counter's range: %v, %d counters left", err, len(over))
		}
		for i := 1; i <= 20; i++ {
			key := fmt.Sprintf("c/%d", i)
			if got, _, _ := s.Get(ctx, key); string(got) != strconv.FormatInt(want[key]+1, 10) {
				t.Errorf("%s = %s after the batch, want %d", key, got, want[key]+1)
			}
		}
		if got, _, _ := s.Get(ctx, "big"); string(got) != strconv.FormatInt(math.MaxInt64, 10) {
			t.Errorf("the counter past its range is %s, want the bound", got)
		}
		if _, err := s.Incr(ctx, "big", 1<<62, time.Minute); err != nil {
			t.Errorf("Incr past a counter's range: %v", err)
		}
		if got, _, _ := s.Get(ctx, "big"); string(got) != strconv.FormatInt(math.MaxInt64, 10) {
			t.Errorf("Incr took the counter past its range to %s", got)
		}

		if _, _, err := s.SetNX(ctx, "k/1", []byte("before"), time.Minute); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, batchChunk+3)
		for i := range keys {
			keys[i] = fmt.Sprintf("k/%d", i)
		}
		stored, err := b.SetNXAll(ctx, keys, []byte("v"), time.Minute)
		if err != nil || len(stored) != len(keys) {
			t.Fatalf("SetNXAll: %d answers, %v", len(stored), err)
		}
		for i, ok := range stored {
			if ok != (i != 1) {
				t.Errorf("%s stored %v", keys[i], ok)
			}
		}
		if v, _, _ := s.Get(ctx, "k/1"); string(v) != "before" {
			t.Errorf("SetNXAll replaced k/1 with %q", v)
		}
		again, err := b.SetNXAll(ctx, keys[:2], []byte("w"), time.Minute)
		if err != nil || again[0] || again[1] {
			t.Errorf("SetNXAll of present keys: %v %v", again, err)
		}
		if err := b.AddAll(ctx, map[string]int64{"x": 1}, 0); err == nil {
			t.Error("AddAll without a ttl was accepted")
		}
	})
}

// Counters added in a batch keep at least the ttl, like Incr.
func TestStoreBatchKeepsCounters(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		b := s.(Batcher)
		if err := b.AddAll(ctx, map[string]int64{"short": 1}, 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if err := b.AddAll(ctx, map[string]int64{"long": 1}, time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(600 * time.Millisecond)
		if _, found, _ := s.Get(ctx, "short"); found {
			t.Error("a counter outlived its ttl")
		}
		if v, found, _ := s.Get(ctx, "long"); !found || string(v) != "1" {
			t.Errorf("long = %q %v", v, found)
		}
	})
}
