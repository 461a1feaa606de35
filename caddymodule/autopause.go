package caddymodule

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Defaults of AutoPause.
const (
	DefaultAutoPauseFailures = 5
	DefaultAutoPauseWindow   = 10 * time.Minute
)

// autoPause stops showing an offer whose accepts keep failing at the store
// (payment refused, out of stock, store errors): Failures refusals within
// Window pause it until the catalog is loaded again (a config reload
// provisions a new handler, and with it an empty autoPause). Each instance
// decides on the failures it saw itself.
type autoPause struct {
	failures int
	window   time.Duration
	gauge    *prometheus.GaugeVec
	logger   *zap.Logger

	mu     sync.Mutex
	recent map[string][]time.Time // offer → its latest failures, oldest first
	// paused is read on every page without a lock: a map replaced, never
	// changed, when an offer is paused.
	paused atomic.Pointer[map[string]time.Time]
}

func newAutoPause(failures int, window time.Duration, gauge *prometheus.GaugeVec, logger *zap.Logger) *autoPause {
	a := &autoPause{failures: failures, window: window, gauge: gauge, logger: logger, recent: map[string][]time.Time{}}
	a.paused.Store(&map[string]time.Time{})
	return a
}

// isPaused reports whether offer is paused.
func (a *autoPause) isPaused(offer string) bool {
	if a == nil {
		return false
	}
	_, ok := (*a.paused.Load())[offer]
	return ok
}

// pausedSince returns the paused offers and when each was paused.
func (a *autoPause) pausedSince() map[string]time.Time {
	if a == nil {
		return nil
	}
	return *a.paused.Load()
}

// failed records a refused accept of offer at t, and pauses the offer when
// it is the Failures-th within Window.
func (a *autoPause) failed(offer string, t time.Time) {
	if a == nil || a.failures <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	times := append(a.recent[offer], t)
	if len(times) > a.failures {
		times = times[len(times)-a.failures:]
	}
	a.recent[offer] = times
	if len(times) < a.failures || t.Sub(times[0]) > a.window || a.isPaused(offer) {
		return
	}
	old := *a.paused.Load()
	next := make(map[string]time.Time, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[offer] = t
	a.paused.Store(&next)
	a.gauge.WithLabelValues(offer).Set(1)
	a.logger.Warn("offer paused: its accepts keep failing at the store; reload the catalog to show it again",
		zap.String("offer", offer), zap.Int("failures", a.failures), zap.Duration("window", a.window))
}
