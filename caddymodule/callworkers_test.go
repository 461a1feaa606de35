package caddymodule

import (
	"testing"
	"time"
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
