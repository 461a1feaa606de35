package caddymodule

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/kairoedge/kairo/stores"
)

// TestCallWorkersNeverWait checks that every call runs, also when all the
// workers are busy (it then gets a goroutine of its own rather than
// waiting) and after the workers were stopped; a nil set runs calls too.
func TestCallWorkersNeverWait(t *testing.T) {
	w := newCallWorkers(2)
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	for range 2 { // both workers busy until release
		w.run(func() { started <- struct{}{}; <-release })
	}
	for range 2 {
		waitFor(t, started, "a worker did not take a call")
	}

	ran := make(chan struct{}, 3)
	done := func() { ran <- struct{}{} }
	go w.run(done) // would block, were it to wait for a worker
	waitFor(t, ran, "a call waited for a busy worker")
	close(release)

	w.close()
	w.run(done)
	waitFor(t, ran, "a call after close did not run")
	var none *callWorkers
	none.run(done)
	none.close()
	waitFor(t, ran, "a call on no workers did not run")
}

// waitFor fails the test when nothing arrives on ch within five seconds.
func waitFor(t *testing.T, ch <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal(msg)
	}
}

// TestCallWorkersKeepTheirStacks checks that a worker's stack survives
// garbage collections between calls: a cart context call to a real store
// server finds the frame that made it at the same address every time.
// Were the collector to shrink the idle worker's stack, each call would
// grow it again into new memory, copying it (it does without the
// worker's reserve).
func TestCallWorkersKeepTheirStacks(t *testing.T) {
	h := provisionedWith(t, contractStore(t, http.StatusOK, cartWithBeans).URL, "2s", 0)
	w := newCallWorkers(1)
	defer w.close()
	moved := func() uintptr {
		got := make(chan uintptr)
		w.run(func() {
			got <- frameMoves(func() {
				if _, err := h.store.CartContext(context.Background(), stores.Shopper{Cookie: "cart=1"}); err != nil {
					t.Error(err)
				}
			})
		})
		return <-got
	}
	moved() // the first call grows the new worker's stack
	for range 3 {
		runtime.GC()
		if d := moved(); d != 0 {
			t.Fatalf("a worker's stack moved by %d bytes during a call after a collection: the collector shrank it while the worker waited", int64(d))
		}
	}
}

// frameMoves runs call and returns how far its own frame moved meanwhile:
// not 0 when the goroutine's stack was copied to grow it.
//
//go:noinline
func frameMoves(call func()) uintptr {
	var local [64]byte
	at := uintptr(unsafe.Pointer(&local[0]))
	call()
	return uintptr(unsafe.Pointer(&local[0])) - at
}
