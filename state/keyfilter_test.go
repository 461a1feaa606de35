package state

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every key added is reported as possibly held; of keys never added, few
// are (the filter built for as many keys as it holds).
func TestKeyFilterNeverForgetsAKey(t *testing.T) {
	f := newKeyFilter()
	if !f.mayHold("anything") {
		t.Fatal("a filter not built yet turned a key away")
	}
	const n = 50_000
	f.cur.Store(newFilterWords(n))
	for i := range n {
		f.add(fmt.Appendf(nil, "decline:%d", i))
	}
	collisions := 0
	for i := range n {
		if !f.mayHold(fmt.Sprintf("decline:%d", i)) {
			t.Fatalf("decline:%d was added and is reported absent", i)
		}
		if f.mayHold(fmt.Sprintf("absent:%d", i)) {
			collisions++
		}
	}
	if rate := float64(collisions) / n; rate > 0.02 {
		t.Errorf("%.2f%% of absent keys reported as possibly held, want at most 2%%", 100*rate)
	}
	if f.stale() {
		t.Errorf("a filter built for its keys is stale (%.2f full)", f.cur.Load().full())
	}
}

// openFiltered opens a File store in a temporary directory, to be closed
// when the test ends, and waits for its first filter build.
func openFiltered(t *testing.T, opts FileOptions) *File {
	t.Helper()
	f, err := OpenFile(t.TempDir()+"/state.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	waitForFilter(t, f)
	return f
}

// waitForFilter waits until the store's first filter build is done.
func waitForFilter(t testing.TB, f *File) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); f.keys.cur.Load() == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the key filter was not built within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// Declines of keys never written are answered without a read transaction
// and with no allocation but the answer; a written one is read from the
// file, as are the keys of a file opened again (the filter is built from
// it).
func TestFileAbsentKeysNeedNoRead(t *testing.T) {
	f := openFiltered(t, FileOptions{})
	d := NewDeclines(f)
	ctx := context.Background()
	if _, err := d.Add(ctx, "cart-1", "socks", time.Minute); err != nil {
		t.Fatal(err)
	}
	offers := []string{"thermos", "tote", "grinder"}
	before := f.db.Stats().TxN
	got, err := d.DeclinedAmong(ctx, "cart-1", offers)
	if err != nil || !slices.Equal(got, []bool{false, false, false}) {
		t.Fatalf("DeclinedAmong = %v %v", got, err)
	}
	if n := f.db.Stats().TxN - before; n != 0 {
		t.Errorf("declines never written took %d read transactions, want 0", n)
	}
	keys := []string{declineKey("cart-1", "thermos"), declineKey("cart-1", "tote")}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = f.ExistAll(ctx, keys) }); allocs != 1 {
		t.Errorf("ExistAll of absent keys: %v allocations, want 1 (the answer)", allocs)
	}
	if got, err := d.DeclinedAmong(ctx, "cart-1", append(offers, "socks")); err != nil || !got[3] {
		t.Fatalf("a recorded decline: DeclinedAmong = %v %v", got, err)
	}
	closed := f
	f = reopenFile(t, f)
	if _, err := closed.ExistAll(ctx, keys); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ExistAll on a closed store: %v, want ErrUnavailable", err)
	}
	waitForFilter(t, f)
	if got, err := NewDeclines(f).DeclinedAmong(ctx, "cart-1", []string{"socks", "tote"}); err != nil || !slices.Equal(got, []bool{true, false}) {
		t.Fatalf("after reopening: DeclinedAmong = %v %v", got, err)
	}
}

// A key is found as soon as its write returns, while the filter is being
// rebuilt over and over by another goroutine, and by readers other than
// the writer.
func TestFileFilterMissesNoCommittedWrite(t *testing.T) {
	f := openFiltered(t, FileOptions{noSync: true})
	ctx := context.Background()
	// Keys on both sides of the ones written below, so that a rebuild
	// reads the file in several chunks.
	var around []string
	for i := range filterChunk {
		around = append(around, fmt.Sprintf("a:%d", i), fmt.Sprintf("z:%d", i))
	}
	if _, err := f.SetNXAll(ctx, around, []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	key := func(i int64) string { return fmt.Sprintf("k:%d", i) }
	var committed atomic.Int64 // keys 0 .. committed-1 are written
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(done); wg.Wait() }() // before f.Close, also when the test fails
	// repeat runs step until done is closed or step fails.
	repeat := func(step func() bool) {
		for {
			select {
			case <-done:
				return
			default:
			}
			if !step() {
				return
			}
		}
	}
	wg.Go(func() {
		repeat(func() bool {
			f.rebuildFilter()
			return true
		})
	})
	for range 2 {
		wg.Go(func() {
			repeat(func() bool {
				n := committed.Load()
				if n == 0 {
					return true
				}
				k := key(n - 1)
				if found, err := f.ExistAll(ctx, []string{k}); err != nil || !found[0] {
					t.Errorf("%s was written and a reader does not find it: %v %v", k, found, err)
					return false
				}
				return true
			})
		})
	}
	const writes = 3000
	for i := range int64(writes) {
		if err := f.Set(ctx, key(i), []byte("1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		committed.Store(i + 1)
		if found, err := f.ExistAll(ctx, []string{key(i)}); err != nil || !found[0] {
			t.Fatalf("%s is not found right after its write: %v %v", key(i), found, err)
		}
	}
	if found, err := f.ExistAll(ctx, around); err != nil || slices.Contains(found, false) {
		t.Fatalf("a key written before the rebuilds is not found: %v", err)
	}
}

// A rebuild waits for the write in progress: a key written by a
// transaction that commits while the rebuild has begun is in the new
// filter.
func TestFileFilterRebuildWaitsForTheWriterInProgress(t *testing.T) {
	f := openFiltered(t, FileOptions{noSync: true})
	rebuilt := make(chan struct{})
	err := f.update(func(tx *fileTx) error {
		if err := tx.write([]byte("k"), []byte("1"), time.Minute, f.max); err != nil {
			return err
		}
		go func() { f.rebuildFilter(); close(rebuilt) }()
		select { // a rebuild that waits for this writer cannot end now
		case <-rebuilt:
		case <-time.After(200 * time.Millisecond):
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-rebuilt
	if found, err := f.ExistAll(context.Background(), []string{"k"}); err != nil || !found[0] {
		t.Fatalf("a key committed as the rebuild began is reported absent: %v %v", found, err)
	}
}

// The order in which add reads the generations: with a build ending
// between its two reads, the key must still land in the generation put in
// place. The build here follows rebuildFilter's steps around a lock that
// stands for the file's writer lock, and reads back only the last keys.
func TestKeyFilterAddRacesNoBuild(t *testing.T) {
	f := newKeyFilter()
	f.cur.Store(newFilterWords(0))
	var writer sync.Mutex
	var committed atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	defer func() { stop.Store(true); wg.Wait() }()
	wg.Go(func() {
		for !stop.Load() {
			g := newFilterWords(0)
			f.next.Store(g)
			writer.Lock()
			//lint:ignore SA2001 taking the lock is the point: the writer in progress finishes
			writer.Unlock()
			n := committed.Load()
			for i := max(0, n-64); i < n; i++ {
				g.add(maphash.Bytes(f.seed, fmt.Appendf(nil, "k:%d", i)))
			}
			f.cur.Store(g)
			f.next.Store(nil)
		}
	})
	for i, deadline := int64(0), time.Now().Add(time.Second); time.Now().Before(deadline); i++ {
		writer.Lock()
		f.add(fmt.Appendf(nil, "k:%d", i))
		committed.Store(i + 1)
		writer.Unlock()
		if !f.mayHold(fmt.Sprintf("k:%d", i)) {
			t.Fatalf("k:%d was committed and is reported absent", i)
		}
	}
}

// A filter filled past half by keys written since it was built is stale,
// and the store builds it again, larger, from what the file holds.
func TestFileFilterIsRebuiltWhenStale(t *testing.T) {
	f := openFiltered(t, FileOptions{noSync: true})
	first := f.keys.cur.Load()
	ctx := context.Background()
	// Enough keys to fill the first filter well past half.
	keys := make([]string, 0, 1000)
	for i := range 100 {
		keys = keys[:0]
		for j := range 1000 {
			keys = append(keys, fmt.Sprintf("k:%d:%d", i, j))
		}
		if _, err := f.SetNXAll(ctx, keys, []byte("1"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if i == 99 && first.full() <= 0.5 {
			t.Fatalf("100,000 keys fill the first filter only %.2f", first.full())
		}
	}
	for deadline := time.Now().Add(10 * time.Second); f.keys.cur.Load() == first || f.keys.stale(); {
		if time.Now().After(deadline) {
			t.Fatalf("the filter was not built again within 10 s (%.2f full)", f.keys.cur.Load().full())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if g := f.keys.cur.Load(); len(g.w) <= len(first.w) {
		t.Errorf("rebuilt filter: %d words, was %d", len(g.w), len(first.w))
	}
	if found, err := f.ExistAll(ctx, keys); err != nil || slices.Contains(found, false) {
		t.Errorf("after the rebuild a written key is not found: %v", err)
	}
}
