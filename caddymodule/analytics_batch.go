package caddymodule

import (
	"context"
	"time"

	"github.com/kairoedge/kairo/state"
)

// analyticsFlushEvery is how often the recorder writes what it counted. A
// dashboard is that much behind at most; a config reload or shutdown
// writes what is left before the handler goes.
const analyticsFlushEvery = time.Second

// batchMaxEvents is how many events a batch takes before it is written
// early, so that a burst does not wait for the tick.
const batchMaxEvents = 4096

// batchMaxClaims bounds the impressions a batch keeps while the state layer
// refuses it: past it they are dropped and counted, the counters kept (their
// number is bounded by the catalog and the days).
const batchMaxClaims = recorderQueue

// counterBatch is what the recorder counted and has not written yet:
// counter deltas summed in memory, and impressions waiting for their claim
// ("the first time this cart or order was shown this offer"). A batch is
// written with one commit per kind (state.SetNXAll, state.AddAll), so an
// event costs a share of a commit, not a commit per counter. Only the
// recorder's goroutine uses it.
type counterBatch struct {
	deltas map[string]int64 // counter key → what to add
	claims []shownClaim
	claim  map[string]bool // claim keys in claims: a reload in one batch is one claim
	events int             // events in the batch, for the dropped metric
}

// shownClaim is an impression whose counter is added only if its claim
// key is new.
type shownClaim struct {
	key     string // idKey("shown/...")
	counter string // offerKey(..., figImpressions or figShadow)
}

func newCounterBatch() *counterBatch {
	return &counterBatch{deltas: map[string]int64{}, claim: map[string]bool{}}
}

// add counts delta on a counter.
func (b *counterBatch) add(counter string, delta int64) {
	if delta != 0 {
		b.deltas[counter] += delta
	}
}

// addShown counts an impression on counter the first time key is claimed.
func (b *counterBatch) addShown(key, counter string) {
	if b.claim[key] {
		return
	}
	b.claim[key] = true
	b.claims = append(b.claims, shownClaim{key, counter})
}

// empty reports whether there is nothing to write.
func (b *counterBatch) empty() bool { return len(b.deltas) == 0 && len(b.claims) == 0 }

// write claims the impressions, then adds every counter. What was not
// written stays in the batch for the next write; what was, never is again.
func (b *counterBatch) write(ctx context.Context, store state.Store) error {
	if len(b.claims) > 0 {
		keys := make([]string, len(b.claims))
		for i, c := range b.claims {
			keys[i] = c.key
		}
		stored, err := state.SetNXAll(ctx, store, keys, []byte{1}, shownTTL)
		for i, first := range stored {
			if first {
				b.add(b.claims[i].counter, 1)
			}
			delete(b.claim, b.claims[i].key)
		}
		b.claims = b.claims[len(stored):]
		if err != nil {
			return err
		}
	}
	if len(b.deltas) == 0 {
		b.events = 0
		return nil
	}
	if err := state.AddAll(ctx, store, b.deltas, counterTTL); err != nil {
		return err
	}
	b.events = 0
	return nil
}

// dropClaims gives up the impressions not claimed yet and returns how many.
func (b *counterBatch) dropClaims() int {
	n := len(b.claims)
	b.claims, b.claim = nil, map[string]bool{}
	return n
}
