package caddymodule

import "runtime"

// callWorkers runs store calls made beside a page (its context, asked
// while the page itself is fetched) on goroutines that outlive a request.
// A call on a goroutine of its own grows that goroutine's stack through
// net/http's client on every page (runtime.newstack, copying the stack
// twice or more); a kept goroutine keeps the stack it grew (see work).
// When every worker is busy, the call gets a goroutine of its own as
// before: a page never waits for a worker.
type callWorkers struct {
	calls chan func()
	quit  chan struct{}
}

// contextWorkers is how many workers a Handler keeps: enough for the
// context calls in flight on a busy instance (each waits on the store for
// most of its time, so even one CPU has dozens in flight), 16 KiB of
// stack each.
func contextWorkers() int { return max(64, 16*runtime.GOMAXPROCS(0)) }

// newCallWorkers starts n workers.
func newCallWorkers(n int) *callWorkers {
	w := &callWorkers{calls: make(chan func()), quit: make(chan struct{})}
	for range n {
		go w.work()
	}
	return w
}

// work runs calls until the workers are closed. Its frame reserves
// workerStackReserve bytes above the calls, so that a worker waiting for
// its next call still uses a quarter of the stack its calls grew: the
// garbage collector halves the stack of a goroutine that uses less, and
// the next call would grow it again, copying it (runtime.shrinkstack).
func (w *callWorkers) work() {
	var reserve [workerStackReserve]byte
	w.serve(&reserve)
}

// workerStackReserve is the part of a worker's stack kept in use between
// calls: with it, a context call through net/http's client runs in a
// 16 KiB stack, of which it is more than the quarter that must stay in
// use (TestCallWorkersKeepTheirStacks fails without it).
const workerStackReserve = 8 << 10

// serve is work's loop, below the reserved frame.
//
//go:noinline
func (w *callWorkers) serve(reserve *[workerStackReserve]byte) {
	reserve[0] = 0 // the reserve is a real frame the compiler keeps
	for {
		select {
		case call := <-w.calls:
			call()
		case <-w.quit:
			return
		}
	}
}

// run runs call on an idle worker, or on a goroutine of its own when none
// is idle (or w is nil).
func (w *callWorkers) run(call func()) {
	if w != nil {
		select {
		case w.calls <- call:
			return
		default:
		}
	}
	go call()
}

// close stops the workers: idle ones at once, busy ones when their call
// returns (a config reload does not wait for a slow store).
func (w *callWorkers) close() {
	if w != nil {
		close(w.quit)
	}
}
