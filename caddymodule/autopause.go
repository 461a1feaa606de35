package caddymodule

import (
	"slices"
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
// (payment refused, out of stock, store errors): Failures refused accepts
// within Window, when they are at least as many as the applied ones in it,
// pause it until the catalog is loaded again (a config reload provisions a
// new handler, and with it an empty autoPause). An accept is one order or
// cart and offer (its accept key): a buyer who tries again and again
// during a store's blip is one failure, and a best seller's normal share
// of declined cards among many applied accepts pauses nothing. Each
// instance decides on the accepts it saw itself.
type autoPause struct {
	failures int
	window   time.Duration
	gauge    *prometheus.GaugeVec
	logger   *zap.Logger

	mu     sync.Mutex
	recent map[string][]pauseAttempt // offer → its latest accepts' answers, oldest first
	// paused is read on every page without a lock: a map replaced, never
	// changed, when an offer is paused.
	paused atomic.Pointer[map[string]time.Time]
}

func newAutoPause(failures int, window time.Duration, gauge *prometheus.GaugeVec, logger *zap.Logger) *autoPause {
	a := &autoPause{failures: failures, window: window, gauge: gauge, logger: logger, recent: map[string][]pauseAttempt{}}
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

// pauseAttempt is one answer of the store to an accept, as autoPause
// keeps it.
type pauseAttempt struct {
	at     time.Time
	key    string // the accept's key: an order or cart and offer
	failed bool
}

// succeeded records an applied accept of offer, under key, at t.
func (a *autoPause) succeeded(offer, key string, t time.Time) {
	if a == nil || a.failures <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.note(offer, pauseAttempt{at: t, key: key})
}

// note keeps an answer, the latest 8 × Failures of an offer at most.
func (a *autoPause) note(offer string, at pauseAttempt) []pauseAttempt {
	recent := append(a.recent[offer], at)
	if keep := 8 * a.failures; len(recent) > keep {
		recent = slices.Clone(recent[len(recent)-keep:])
	}
	a.recent[offer] = recent
	return recent
}

// failed records a refused accept of offer, under key, at t, and pauses
// the offer when Failures accepts were refused within Window and no more
// were applied in it.
func (a *autoPause) failed(offer, key string, t time.Time) {
	if a == nil || a.failures <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	recent := a.note(offer, pauseAttempt{at: t, key: key, failed: true})
	refused, applied := map[string]bool{}, map[string]bool{}
	for _, at := range recent {
		if t.Sub(at.at) <= a.window {
			if at.failed {
				refused[at.key] = true
			} else {
				applied[at.key] = true
			}
		}
	}
	for key := range applied {
		delete(refused, key) // refused, then applied on a retry: no refusal
	}
	if len(refused) < a.failures || len(refused) < len(applied) || a.isPaused(offer) {
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
