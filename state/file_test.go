package state

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kairo", "state.db")
	f, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l := NewLedger(f, time.Second)
	c, _, err := l.Begin(ctx, "order-1/thermos")
	if err != nil || c == nil {
		t.Fatal(err)
	}
	if err := c.Finish(ctx, []byte("accepted"), time.Hour); err != nil {
		t.Fatal(err)
	}
	// A second opener in this process (or another) waits, then is told.
	if _, err := OpenFile(path, FileOptions{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("opening a held file: %v", err)
	}
	f = reopenFile(t, f)
	c, ans, err := NewLedger(f, time.Second).Begin(ctx, "order-1/thermos")
	if c != nil || string(ans) != "accepted" || err != nil {
		t.Errorf("after reopening: claim %v answer %q %v, want the recorded answer", c != nil, ans, err)
	}
}

// reopenFile closes f and opens its file again, as a restart would; the
// test closes the new store.
func reopenFile(t *testing.T, f *File) *File {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(f.Path(), FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFileCapEvictsOldestAndSweepDropsExpired(t *testing.T) {
	clock := newTestClock() // read by the sweep's goroutine too
	f, err := OpenFile(filepath.Join(t.TempDir(), "state.db"), FileOptions{MaxRecords: 3, now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	for i := range 4 {
		if err := f.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := f.Get(ctx, "k0"); ok {
		t.Error("k0, the oldest write, survived past the cap")
	}
	if n := f.Len(); n != 3 {
		t.Errorf("Len = %d, want 3", n)
	}
	// Rewriting k1 makes it the newest: the next eviction takes k2.
	_ = f.Set(ctx, "k1", []byte("v"), 10*time.Minute)
	_ = f.Set(ctx, "k4", []byte("v"), 10*time.Minute)
	if _, ok, _ := f.Get(ctx, "k2"); ok {
		t.Error("k2 survived, though k1 was rewritten after it")
	}
	clock.add(5 * time.Minute) // k3 (4m) has expired; k1 and k4 (10m) have not
	if _, ok, _ := f.Get(ctx, "k3"); ok {
		t.Error("k3 is found after its ttl")
	}
	if n, err := f.Sweep(); n != 1 || err != nil {
		t.Errorf("Sweep dropped %d (%v), want 1", n, err)
	}
	if n := f.Len(); n != 2 {
		t.Errorf("Len after the sweep = %d, want 2", n)
	}
}
