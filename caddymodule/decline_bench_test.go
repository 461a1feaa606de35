package caddymodule

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/state"
)

// orderWithBeans is a paid order that the demo catalog's thank-you offers
// apply to.
const orderWithBeans = `{"id":"order-bench","currency":"USD","subtotal":1499,"status":"paid",
 "items":[{"product_id":"coffee-beans","variant_id":"coffee-beans-250g","quantity":1,"unit_price":1499,"tags":["coffee"]}]}`

// BenchmarkServePageDeclines serves a thank-you page with the inline box
// through the handler, with no declines recorded and with 200,000 (other
// orders' declines of the page's offers), on the memory and the embedded
// file store. The page asks the state layer whether each offer it
// considers was declined; the two figures of a store should match: a
// decline is one keyed record, never a scan. cpu-ns/op is the process's
// CPU time per page (the store server, the garbage collector and the
// handler's own goroutines included), which, unlike ns/op, other work on a
// busy machine does not inflate.
//
//	go test -run '^$' -bench 'ServePage.*Decline' -benchmem ./caddymodule
//
// Recording the 200,000 declines on the file store, one commit each, takes
// about a minute before its figure.
func BenchmarkServePageDeclines(b *testing.B) {
	store := contractStore(b, http.StatusOK, orderWithBeans)
	page := benchStorePage(16 << 10)
	stores := []struct {
		name string
		open func(b *testing.B) state.Store
	}{
		{"memory", func(*testing.B) state.Store { return state.NewMemory(0) }},
		{"file", func(b *testing.B) state.Store {
			f, err := state.OpenFile(filepath.Join(memoryBackedDir(b), "state.db"), state.FileOptions{})
			if err != nil {
				b.Fatal(err)
			}
			return f
		}},
	}
	for _, st := range stores {
		for _, recorded := range []int{0, 200_000} {
			b.Run(fmt.Sprintf("store=%s/declines=%d", st.name, recorded), func(b *testing.B) {
				s := st.open(b)
				defer s.Close()
				recordDeclines(b, s, recorded)
				h := provisionSimHandler(b, store.URL, "../demo/offers.json", s, nil, AnalyticsConfig{})
				defer h.Cleanup()
				next := proxiedPage(page)
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				cpu := processCPU(b)
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, "/checkout/success/order-bench", nil)
					req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
					w := &discardWriter{header: make(http.Header)}
					if err := h.ServeHTTP(w, req, next); err != nil {
						b.Fatal(err)
					}
					if !w.injected {
						b.Fatal("no offers on the thank-you page")
					}
				}
				b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// recordDeclines records n declines of the demo's thank-you offers by
// other orders, as customers declining them would.
func recordDeclines(b *testing.B, s state.Store, n int) {
	d := state.NewDeclines(s)
	ctx := context.Background()
	offerIDs := []string{"thermos-20", "tote-bundle", "socks-half", "beans-restock"}
	start := time.Now()
	for i := range n {
		if _, err := d.Add(ctx, fmt.Sprintf("order-%d", i), offerIDs[i%len(offerIDs)], 24*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("recorded %d declines in %v", n, time.Since(start))
}

// memoryBackedDir is a temporary directory in memory (tmpfs) where there is
// one. Recording 200,000 declines is 200,000 commits, each an fsync: minutes
// on a disk, and no part of what is measured. The page only reads, from
// bbolt's memory map, which is the same on either.
func memoryBackedDir(b *testing.B) string {
	dir, err := os.MkdirTemp("/dev/shm", "kairo-bench-")
	if err != nil {
		return b.TempDir()
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// processCPU is the CPU time this process has used so far, in nanoseconds.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
