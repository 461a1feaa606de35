package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkDistinctAccepts runs b.N accepts of distinct (order, offer)
// keys through the ledger (claim, then record the answer) on a File store
// capped at 100,000 records, and reports what is held afterwards: records
// (never over the cap), the file's size and the Go heap. Run it with
// -benchtime=1000000x for a million accepts. The fsync of each commit is
// skipped here (noSync): it bounds the rate, not what is kept.
//
//	go test ./state -run '^$' -bench DistinctAccepts -benchtime=1000000x
func BenchmarkDistinctAccepts(b *testing.B) {
	const maxRecords = 100_000
	path := filepath.Join(b.TempDir(), "state.db")
	f, err := OpenFile(path, FileOptions{MaxRecords: maxRecords, noSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	l := NewLedger(f, time.Minute)
	ctx := context.Background()
	answer := []byte(`{"http_status":200,"status":"accepted","message":"Added to your order.","total":"$38.98"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c, _, err := l.Begin(ctx, fmt.Sprintf("order-%d/thermos-20", i))
		if err != nil || c == nil {
			b.Fatalf("accept %d: %v", i, err)
		}
		if err := c.Finish(ctx, answer, 75*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := f.Len(); n > maxRecords {
		b.Fatalf("%d records held, over the cap of %d", n, maxRecords)
	}
	st, _ := os.Stat(path)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(f.Len()), "records")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}

// BenchmarkDeclinedLookup is the page path's state cost: one decline
// lookup, with no declines recorded and with 200,000, on each embedded
// store. The two figures of a store should match (no scan).
//
//	go test ./state -run '^$' -bench DeclinedLookup
func BenchmarkDeclinedLookup(b *testing.B) {
	for _, kind := range []string{"memory", "file"} {
		for _, recorded := range []int{0, 200_000} {
			b.Run(fmt.Sprintf("%s/declines=%d", kind, recorded), func(b *testing.B) {
				s := benchStore(b, kind)
				defer s.Close()
				d := NewDeclines(s)
				ctx := context.Background()
				for i := range recorded {
					if _, err := d.Add(ctx, fmt.Sprintf("order-%d", i), "thermos-20", 24*time.Hour); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if _, err := d.Declined(ctx, fmt.Sprintf("order-%d", i%(2*max(recorded, 1))), "thermos-20"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPageDeclines is a page's decline lookups on each embedded
// store, with 200,000 declines of other orders recorded: each offer asked
// on its own (Declined, once per offer) against all of them at once
// (DeclinedAmong, one read).
//
//	go test ./state -run '^$' -bench PageDeclines -benchmem
func BenchmarkPageDeclines(b *testing.B) {
	offerIDs := []string{"thermos-20", "tote-bundle", "socks-half", "beans-restock"}
	for _, kind := range []string{"memory", "file"} {
		s := benchStore(b, kind)
		d := NewDeclines(s)
		ctx := context.Background()
		for i := range 200_000 {
			if _, err := d.Add(ctx, fmt.Sprintf("order-%d", i), offerIDs[i%len(offerIDs)], 24*time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		for _, offers := range []int{1, 2, 4} {
			ids := offerIDs[:offers]
			b.Run(fmt.Sprintf("%s/offers=%d/each", kind, offers), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					subject := fmt.Sprintf("order-x%d", i)
					for _, id := range ids {
						if _, err := d.Declined(ctx, subject, id); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			b.Run(fmt.Sprintf("%s/offers=%d/among", kind, offers), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := d.DeclinedAmong(ctx, fmt.Sprintf("order-x%d", i), ids); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		s.Close()
	}
}

// benchStore is a memory store, or a file store without fsync, for kind
// "memory" or "file".
func benchStore(b *testing.B, kind string) Store {
	if kind == "memory" {
		return NewMemory(0)
	}
	f, err := OpenFile(filepath.Join(b.TempDir(), "state.db"), FileOptions{noSync: true})
	if err != nil {
		b.Fatal(err)
	}
	return f
}
