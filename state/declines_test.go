package state

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// ExistAll answers as one Get per key would: live records found, absent
// and expired ones not, the same key twice answered twice.
func TestStoreExistAll(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		b, ok := s.(BatchReader)
		if !ok {
			t.Fatalf("%T is not a BatchReader", s)
		}
		for _, k := range []string{"a", "c"} {
			if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Set(ctx, "short", []byte("v"), 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		keys := []string{"a", "b", "c", "short", "a"}
		found, err := b.ExistAll(ctx, keys)
		if want := []bool{true, false, true, true, true}; err != nil || !slices.Equal(found, want) {
			t.Fatalf("ExistAll(%q) = %v %v, want %v", keys, found, err, want)
		}
		time.Sleep(600 * time.Millisecond)
		found, err = b.ExistAll(ctx, keys)
		if want := []bool{true, false, true, false, true}; err != nil || !slices.Equal(found, want) {
			t.Fatalf("after short expired: ExistAll(%q) = %v %v, want %v", keys, found, err, want)
		}
		if found, err := b.ExistAll(ctx, nil); err != nil || len(found) != 0 {
			t.Errorf("ExistAll of no keys = %v %v", found, err)
		}
		// More keys than one Redis command carries.
		many := make([]string, batchChunk+3)
		for i := range many {
			many[i] = "k/" + strconv.Itoa(i)
		}
		if err := s.Set(ctx, many[batchChunk+1], []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		found, err = b.ExistAll(ctx, many)
		if err != nil || len(found) != len(many) {
			t.Fatalf("ExistAll of %d keys: %d answers, %v", len(many), len(found), err)
		}
		for i, f := range found {
			if f != (i == batchChunk+1) {
				t.Errorf("ExistAll: %s found %v", many[i], f)
			}
		}
	})
}

// DeclinedAmong answers for each offer what Declined answers, for its own
// subject only, on every store and through a Store that reads one key at a
// time.
func TestDeclinedAmong(t *testing.T) {
	check := func(t *testing.T, s Store) {
		ctx := context.Background()
		d := NewDeclines(s)
		if _, err := d.Add(ctx, "cart-1", "thermos", time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Add(ctx, "cart-2", "socks", time.Minute); err != nil {
			t.Fatal(err)
		}
		ids := []string{"socks", "thermos", "tote", "thermos"}
		for subject, want := range map[string][]bool{
			"cart-1": {false, true, false, true},
			"cart-2": {true, false, false, false},
			"cart-3": {false, false, false, false},
		} {
			got, err := d.DeclinedAmong(ctx, subject, ids)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("DeclinedAmong(%s, %q) = %v %v, want %v", subject, ids, got, err, want)
			}
			for i, id := range ids {
				if one, err := d.Declined(ctx, subject, id); err != nil || one != want[i] {
					t.Errorf("Declined(%s, %s) = %v %v, want %v", subject, id, one, err, want[i])
				}
			}
		}
		if got, err := d.DeclinedAmong(ctx, "cart-1", nil); err != nil || len(got) != 0 {
			t.Errorf("DeclinedAmong of no offers = %v %v", got, err)
		}
	}
	forEachStore(t, check)
	t.Run("one key at a time", func(t *testing.T) { check(t, getOnly{NewMemory(0)}) })
}

// getOnly is a Store that is no BatchReader.
type getOnly struct{ Store }

// A page's declines are one read transaction on the File store.
func TestFileDeclinedAmongIsOneTransaction(t *testing.T) {
	f := openFiltered(t, FileOptions{}) // once built: its build reads the file too
	d := NewDeclines(f)
	ctx := context.Background()
	if _, err := d.Add(ctx, "cart-1", "socks", time.Minute); err != nil {
		t.Fatal(err)
	}
	before := f.db.Stats().TxN
	got, err := d.DeclinedAmong(ctx, "cart-1", []string{"thermos", "socks", "tote", "grinder"})
	if err != nil || !slices.Equal(got, []bool{false, true, false, false}) {
		t.Fatalf("DeclinedAmong = %v %v", got, err)
	}
	if n := f.db.Stats().TxN - before; n != 1 {
		t.Errorf("4 declines asked in %d read transactions, want 1", n)
	}
}

// A page's declines are one command on Redis, and Redis down is
// ErrUnavailable.
func TestRedisDeclinedAmongIsOneCommand(t *testing.T) {
	srv, r := startTestRedis(t)
	ctx := context.Background()
	d := NewDeclines(r)
	if _, err := d.Add(ctx, "cart-1", "socks", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.client.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := d.DeclinedAmong(ctx, "cart-1", []string{"thermos", "socks", "tote", "grinder"})
	if err != nil || !slices.Equal(got, []bool{false, true, false, false}) {
		t.Fatalf("DeclinedAmong = %v %v", got, err)
	}
	stats, err := r.client.Info(ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	calls := regexp.MustCompile(`cmdstat_(\w+):calls=(\d+)`).FindAllStringSubmatch(stats, -1)
	var asked []string
	for _, c := range calls {
		if c[1] != "config" && c[1] != "info" {
			asked = append(asked, c[1]+"×"+c[2])
		}
	}
	if !slices.Equal(asked, []string{"mget×1"}) {
		t.Errorf("4 declines asked with %v, want one MGET", asked)
	}
	srv.Stop()
	if _, err := d.DeclinedAmong(ctx, "cart-1", []string{"socks"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("DeclinedAmong with Redis down: %v, want ErrUnavailable", err)
	}
}
