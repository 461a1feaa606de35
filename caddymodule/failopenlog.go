package caddymodule

import (
	"sync"
	"time"

	"go.uber.org/zap"
)

// failOpenWindow is how often the fail-open log reports what it held back.
const failOpenWindow = time.Minute

// operatorFixable are the fail-open reasons an operator can act on: the
// store is slow, unreachable, answers an error or a context Kairo cannot
// read. They are logged at warn level; the others (no offer matches, the
// response cannot be rewritten, the client left) are normal traffic.
var operatorFixable = map[string]bool{
	"timeout":      true,
	"unreachable":  true,
	"store_status": true,
	"bad_context":  true,
	"store_error":  true,
}

// failOpenLog writes one warn line the first time a route passes a page
// through for a reason the operator can fix, then at most one line a
// minute with how many more pages did, so a store outage is loud in the
// log without writing a line per page.
type failOpenLog struct {
	logger *zap.Logger

	mu      sync.Mutex
	pending map[failOpenKey]*failOpenCount
	stop    chan struct{}
	stopped sync.Once
}

// failOpenKey is a route (its configured pattern, not the request path,
// which would hold order ids) and a reason.
type failOpenKey struct{ route, reason string }

// failOpenCount is what the log holds back for one key until the next
// minute's report.
type failOpenCount struct {
	count  int    // pages since the last line
	detail string // the last error, for the report
}

// newFailOpenLog starts the minute reports; close stops them.
func newFailOpenLog(logger *zap.Logger) *failOpenLog {
	l := &failOpenLog{logger: logger, pending: make(map[failOpenKey]*failOpenCount), stop: make(chan struct{})}
	go l.reportEvery(failOpenWindow)
	return l
}

// record notes that a page of route passed through for reason; detail
// says what exactly went wrong (the store's error).
func (l *failOpenLog) record(route, placement, reason, detail string) {
	if !operatorFixable[reason] {
		return
	}
	key := failOpenKey{route, reason}
	l.mu.Lock()
	c, seen := l.pending[key]
	if seen {
		c.count++
		c.detail = detail
	} else {
		// Remembered with no count: the next minute's report forgets it
		// again if nothing more happens, so a later occurrence is logged
		// at once.
		l.pending[key] = &failOpenCount{}
	}
	l.mu.Unlock()
	if !seen {
		l.logger.Warn("page served without offers: "+reasonSentence(reason),
			zap.String("route", route), zap.String("placement", placement),
			zap.String("reason", reason), zap.String("error", detail))
	}
}

// reportEvery writes, every interval, how many pages each route passed
// through since the last report, and forgets the keys that stayed quiet.
func (l *failOpenLog) reportEvery(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.report(interval)
		}
	}
}

// report writes one line per key with a count and resets the counts.
func (l *failOpenLog) report(interval time.Duration) {
	type line struct {
		key failOpenKey
		failOpenCount
	}
	var lines []line
	l.mu.Lock()
	for k, c := range l.pending {
		if c.count == 0 {
			delete(l.pending, k)
			continue
		}
		lines = append(lines, line{k, *c})
		*c = failOpenCount{}
	}
	l.mu.Unlock()
	for _, ln := range lines {
		l.logger.Warn("more pages served without offers: "+reasonSentence(ln.key.reason),
			zap.String("route", ln.key.route), zap.String("reason", ln.key.reason),
			zap.Int("pages", ln.count), zap.Duration("in_the_last", interval),
			zap.String("last_error", ln.detail))
	}
}

// close stops the reports; safe to call more than once.
func (l *failOpenLog) close() {
	l.stopped.Do(func() { close(l.stop) })
}

// reasonSentence says in words what an operator-fixable reason means and
// where to look.
func reasonSentence(reason string) string {
	switch reason {
	case "timeout":
		return "the store's context did not arrive within the store timeout after the page's </body> (raise timeout in the store block, or speed up the context endpoint)"
	case "unreachable":
		return "the store's context endpoint could not be reached (check the store URL)"
	case "store_status":
		return "the store's context endpoint answered an error status (check the endpoint paths and the credential)"
	case "bad_context":
		return "the store's context answer is not store contract v1 JSON"
	}
	return "the store's context request failed"
}
