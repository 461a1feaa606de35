package caddymodule

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/redistest"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
)

// BenchmarkAnalyticsRecorder is what one analytics event costs the state
// layer, before and after counters were batched, on each store: per-event
// writes every counter of an event with its own Incr as it comes (and
// claims each impression with its own SetNX), as the recorder did before;
// batched sums them in memory and writes them once a second with one
// commit per kind. The events are those of a thank-you page's visit,
// cycled: the offer shown, the shadow offer selected, the order seen, a
// reload of the page (the same impression again), then an accept or a
// decline. ns/op is per event; commits/event counts the state writes, each
// a transaction and an fsync on the File store, a round trip on Redis.
//
//	go test ./caddymodule -run '^$' -bench AnalyticsRecorder -benchtime 3000x
func BenchmarkAnalyticsRecorder(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) state.Store
	}{
		{"file", func(b *testing.B) state.Store {
			f, err := state.OpenFile(filepath.Join(b.TempDir(), "state.db"), state.FileOptions{})
			if err != nil {
				b.Fatal(err)
			}
			return f
		}},
		{"redis", func(b *testing.B) state.Store {
			r, err := state.OpenRedis(redistest.Start(b, 0).URL)
			if err != nil {
				b.Fatal(err)
			}
			return r
		}},
		{"memory", func(*testing.B) state.Store { return state.NewMemory(0) }},
	}
	for _, st := range stores {
		b.Run("store="+st.name+"/write=per-event", func(b *testing.B) {
			// Without the batch methods every counter is its own Incr.
			store := &commitCounter{Store: st.open(b)}
			defer store.Close()
			benchRecorder(b, store, &store.commits, 0)
		})
		b.Run("store="+st.name+"/write=batched", func(b *testing.B) {
			store := &batchCommitCounter{commitCounter{Store: st.open(b)}}
			defer store.Close()
			benchRecorder(b, store, &store.commits, analyticsFlushEvery)
		})
	}
}

func benchRecorder(b *testing.B, store state.Store, commits *atomic.Int64, every time.Duration) {
	m := newAnalyticsMetrics(newMetrics().revenue)
	rec := newRecorder(store, m, nil, zap.NewNop(), every)
	defer rec.close(time.Minute)
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	orders := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		visit := fmt.Sprintf("ob%d-%d", b.N, i/5)
		var ev event
		switch i % 5 {
		case 0, 3: // shown, and shown again on a reload
			ev = event{kind: evImpression, offer: "thermos-pp", variant: "a", placement: offers.PlacementThankYou, subject: visit}
		case 1:
			ev = event{kind: evShadow, offer: "socks-preview", placement: offers.PlacementThankYou, subject: visit}
		case 2:
			orders++
			ev = event{kind: evOrder, order: &offers.Context{ID: visit, Currency: "USD", Subtotal: 4500,
				Items: []offers.Item{{ProductID: "beans", Quantity: 1, UnitPrice: 4500}}}}
		case 4:
			cl := offers.Claims{OfferID: "thermos-pp", Variant: "a", Placement: offers.PlacementThankYou, Subject: visit,
				ProductID: "thermos", Quantity: 1, UnitPrice: 2400, Currency: "USD"}
			ev = event{kind: evDeclined, offer: cl.OfferID, variant: cl.Variant, placement: cl.Placement, claims: cl}
			if i%10 == 4 {
				ev.kind, ev.amount = evAccepted, 2400
			}
		}
		ev.at, ev.arm = at, offers.ArmTreated
		// Wait rather than drop when the recorder falls behind.
		for rec.queued() > recorderQueue/2 {
			time.Sleep(100 * time.Microsecond)
		}
		rec.send(ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := rec.flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(commits.Load())/float64(b.N), "commits/event")
	if dropped := metricValue(m.dropped.WithLabelValues("state_error")) + metricValue(m.dropped.WithLabelValues("queue_full")); dropped != 0 {
		b.Fatalf("%v events dropped", dropped)
	}
	v, _, err := store.Get(ctx, orderKey(dayOf(at), offers.ArmTreated, "USD", figOrderCount))
	if want := fmt.Sprint(orders); err != nil || (string(v) != want && orders > 0) {
		b.Fatalf("orders counted %q %v, want %d", v, err, orders)
	}
}

// commitCounter counts the writes made to a Store, each one commit. It
// hides the store's batch methods.
type commitCounter struct {
	state.Store
	commits atomic.Int64
}

func (c *commitCounter) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	c.commits.Add(1)
	return c.Store.Set(ctx, key, value, ttl)
}

func (c *commitCounter) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	c.commits.Add(1)
	return c.Store.SetNX(ctx, key, value, ttl)
}

func (c *commitCounter) CompareAndSet(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	c.commits.Add(1)
	return c.Store.CompareAndSet(ctx, key, old, value, ttl)
}

func (c *commitCounter) DeleteIf(ctx context.Context, key string, old []byte) (bool, error) {
	c.commits.Add(1)
	return c.Store.DeleteIf(ctx, key, old)
}

func (c *commitCounter) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	c.commits.Add(1)
	return c.Store.Incr(ctx, key, delta, ttl)
}

// batchCommitCounter is a commitCounter that passes batches on as batches,
// one commit each.
type batchCommitCounter struct{ commitCounter }

func (c *batchCommitCounter) AddAll(ctx context.Context, deltas map[string]int64, ttl time.Duration) error {
	c.commits.Add(1)
	return state.AddAll(ctx, c.Store, deltas, ttl)
}

func (c *batchCommitCounter) SetNXAll(ctx context.Context, keys []string, value []byte, ttl time.Duration) ([]bool, error) {
	c.commits.Add(1)
	return state.SetNXAll(ctx, c.Store, keys, value, ttl)
}

// queued is how many events wait for the recorder.
func (r *recorder) queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue)
}
