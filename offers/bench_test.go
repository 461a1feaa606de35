package offers

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// reportCPU pins the benchmark to its OS thread and returns a function that,
// called once the loop is done, reports the CPU time the thread used per
// operation as "cpu-ns/op". On a shared machine ns/op also counts the time
// spent waiting for a core; cpu-ns/op does not (where the platform can tell).
func reportCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start, ok := threadCPUTime()
	return func() {
		end, endOK := threadCPUTime()
		runtime.UnlockOSThread()
		if ok && endOK && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// The shape of the synthetic store behind the benchmarks: a catalog of
// offers over 5,000 products, 200 product tags and 10 customer segments,
// and carts of 20 items.
const (
	benchProducts = 5000
	benchTags     = 200
	benchSegments = 10
	benchItems    = 20
)

// syntheticCatalog writes a catalog of n offers: 70% triggered by one to
// three products, 20% by a product tag, 5% by a customer segment, 5% for
// everyone within a subtotal range or for new customers; split between the
// placements and between USD and EUR; a fifth of them scheduled.
func syntheticCatalog(n int) []byte {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	var b strings.Builder
	b.WriteString(`{"version":1,"offers":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		var trigger string
		switch k := r.IntN(100); {
		case k < 70:
			var ids []string
			for range 1 + r.IntN(3) {
				ids = append(ids, fmt.Sprintf(`"product-%d"`, r.IntN(benchProducts)))
			}
			trigger = `"product_ids":[` + strings.Join(ids, ",") + `]`
		case k < 90:
			trigger = fmt.Sprintf(`"tags":["tag-%d"]`, r.IntN(benchTags))
		case k < 95:
			trigger = fmt.Sprintf(`"customer_tags":["segment-%d"]`, r.IntN(benchSegments))
		case k < 98:
			low := r.IntN(20000)
			trigger = fmt.Sprintf(`"min_subtotal":%d,"max_subtotal":%d`, low, low+1+r.IntN(20000))
		default:
			trigger = `"new_customers_only":true`
		}
		placements := `"cart","thank_you"`
		switch k := r.IntN(100); {
		case k < 45:
			placements = `"cart"`
		case k < 90:
			placements = `"thank_you"`
		}
		currency := "USD"
		if r.IntN(100) < 15 {
			currency = "EUR"
		}
		schedule := ""
		if r.IntN(5) == 0 {
			month := 1 + r.IntN(10)
			schedule = fmt.Sprintf(`,"starts_at":"2025-%02d-01T00:00:00Z","ends_at":"2025-%02d-01T00:00:00Z"`, month, month+2)
		}
		discount := fmt.Sprintf(`{"percent":%d}`, 5+r.IntN(30))
		if r.IntN(3) == 0 {
			discount = fmt.Sprintf(`{"amount":%d}`, 100+r.IntN(400))
		}
		fmt.Fprintf(&b, `{"id":"offer-%05d","placements":[%s],"trigger":{%s},`+
			`"product":{"product_id":"product-%d","title":"Product %d","image":"/img/%d.jpg","unit_price":%d,"currency":%q},`+
			`"discount":%s,"priority":%d%s}`,
			i, placements, trigger, r.IntN(benchProducts), i, i, 500+r.IntN(20000), currency, discount, r.IntN(100), schedule)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// syntheticContexts returns n paid orders of benchItems items each, most
// from returning customers in one segment.
func syntheticContexts(n int) []*Context {
	r := rand.New(rand.NewPCG(7, 7))
	contexts := make([]*Context, n)
	for i := range contexts {
		c := &Context{ID: fmt.Sprint(100000 + i), Currency: "USD", Status: "paid"}
		for range benchItems {
			price := int64(500 + r.IntN(5000))
			c.Items = append(c.Items, Item{
				ProductID: fmt.Sprint("product-", r.IntN(benchProducts)),
				Quantity:  1,
				UnitPrice: price,
				Tags:      []string{fmt.Sprint("tag-", r.IntN(benchTags)), fmt.Sprint("tag-", r.IntN(benchTags))},
			})
			c.Subtotal += price
		}
		if r.IntN(4) > 0 {
			c.Customer = &Customer{ID: fmt.Sprint("c", i), Tags: []string{fmt.Sprint("segment-", r.IntN(benchSegments))}, OrdersCount: r.IntN(5)}
		}
		contexts[i] = c
	}
	return contexts
}

func BenchmarkSelect(b *testing.B) {
	now := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	contexts := syntheticContexts(64)
	for _, size := range []int{1000, 10000} {
		c, err := ParseCatalog("synthetic.json", syntheticCatalog(size))
		if err != nil {
			b.Fatal(err)
		}
		for _, max := range []int{3, 10} {
			b.Run(fmt.Sprintf("offers=%d/items=%d/max=%d", size, benchItems, max), func(b *testing.B) {
				b.ReportAllocs()
				found := 0
				i := 0
				defer reportCPU(b)()
				for b.Loop() {
					found += len(c.Select(PlacementThankYou, contexts[i%len(contexts)], now, max))
					i++
				}
				if found == 0 {
					b.Fatal("no selection found anything")
				}
			})
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s := newTestSigner(b, &clock{june}, secretA)
	c := testClaims()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := s.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s := newTestSigner(b, &clock{june}, secretA)
	token, _ := s.Sign(testClaims())
	b.SetBytes(int64(len(token)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := s.VerifyFor(token, "1001"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRotated verifies a token signed with the second of two
// secrets, the worst case during a rotation.
func BenchmarkVerifyRotated(b *testing.B) {
	token, _ := newTestSigner(b, &clock{june}, secretA).Sign(testClaims())
	s := newTestSigner(b, &clock{june}, secretB, secretA)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := s.Verify(token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	c, err := LoadCatalog("testdata/offers.json")
	if err != nil {
		b.Fatal(err)
	}
	o := c.Offer("thermos-10")
	b.ReportAllocs()
	for b.Loop() {
		_ = o.Resolve("1001")
	}
}

func BenchmarkFingerprint(b *testing.B) {
	ctx := syntheticContexts(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		_ = ctx.Fingerprint()
	}
}

func BenchmarkParseContext(b *testing.B) {
	data := []byte(`{"id":"1001","currency":"USD","subtotal":4599,"items":[` +
		strings.Repeat(`{"product_id":"mug","variant_id":"mug-white","quantity":1,"unit_price":1999,"tags":["kitchen"]},`, benchItems-1) +
		`{"product_id":"beans","quantity":2,"unit_price":1300}],"customer":{"id":"c1","tags":["vip"],"orders_count":3},"status":"paid"}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseContext(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCatalog(b *testing.B) {
	data := syntheticCatalog(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCatalog("synthetic.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat writes one amount the plain way and for two locales.
func BenchmarkFormat(b *testing.B) {
	m := Money{Amount: 149999, Currency: "EUR"}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = m.Format()
		}
	})
	for _, tag := range []string{"de-DE", "fr-FR"} {
		l, _ := ParseLocale(tag)
		b.Run(tag, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.FormatIn(l)
			}
		})
	}
}

// BenchmarkParseLocale reads a tag as a store sends it, once per page.
func BenchmarkParseLocale(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLocale("de-DE"); err != nil {
			b.Fatal(err)
		}
	}
}
