package caddymodule

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Auto-pause counts accepts, not store calls, and weighs the refused
// against the applied: one buyer retrying through a store's blip is one
// failure, and a best seller's few declined cards among many applied
// accepts pause nothing; refusals that outnumber what the store applies
// still pause the offer.
func TestAutoPauseWeighsAcceptsNotCalls(t *testing.T) {
	newPause := func() *autoPause {
		return newAutoPause(3, time.Minute, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "paused"}, []string{"offer"}), zap.NewNop())
	}
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tick := func() time.Time { at = at.Add(time.Second); return at }

	p := newPause()
	for range 10 {
		p.failed("mug", "order-1/mug", tick())
	}
	if p.isPaused("mug") {
		t.Error("one buyer's ten tries paused the offer")
	}

	p = newPause()
	for i := range 40 {
		if i%10 == 0 {
			p.failed("mug", fmt.Sprint("declined-", i), tick())
			continue
		}
		p.succeeded("mug", fmt.Sprint("applied-", i), tick())
	}
	if p.isPaused("mug") {
		t.Error("four declined cards among 36 applied accepts paused the offer")
	}

	p = newPause()
	for i := range 5 { // a store's blip: each buyer refused once, applied on the retry
		p.failed("mug", fmt.Sprint("order-", i), tick())
		p.succeeded("mug", fmt.Sprint("order-", i), tick())
	}
	if p.isPaused("mug") {
		t.Error("five accepts refused once and applied on their retry paused the offer")
	}

	p = newPause()
	p.succeeded("mug", "applied-1", tick())
	for i := range 3 {
		p.failed("mug", fmt.Sprint("refused-", i), tick())
	}
	if !p.isPaused("mug") {
		t.Error("three refused accepts and one applied within the window did not pause the offer")
	}
}
