package offers

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// june is a time inside the schedule of validOffer.
var june = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// orderContext is a paid order from a returning VIP customer: coffee beans
// tagged "coffee", subtotal 45.99 USD.
func orderContext() *Context {
	return &Context{
		ID: "1001", Currency: "USD", Subtotal: 4599, Status: "paid",
		Items: []Item{
			{ProductID: "beans", VariantID: "beans-1kg", Quantity: 1, UnitPrice: 2999, Tags: []string{"coffee"}},
			{ProductID: "dripper", Quantity: 1, UnitPrice: 1600, Tags: []string{"brewing"}},
		},
		Customer: &Customer{ID: "c1", Tags: []string{"vip"}, OrdersCount: 3},
	}
}

// TestTriggers checks every kind of condition, both through Select (the
// index) and through Matches (the plain test), which must agree.
func TestTriggers(t *testing.T) {
	tests := []struct {
		name    string
		offer   string // members replacing those of validOffer
		context func(c *Context)
		now     time.Time
		want    bool
	}{
		{"every condition holds", ``, nil, june, true},
		{"empty trigger", `"trigger":{}`, nil, june, true},
		{"no trigger", `"trigger":"<delete>"`, nil, june, true},

		{"product id", `"trigger":{"product_ids":["dripper"]}`, nil, june, true},
		{"product id absent", `"trigger":{"product_ids":["kettle"]}`, nil, june, false},
		{"product id among several", `"trigger":{"product_ids":["kettle","beans"]}`, nil, june, true},
		{"tag", `"trigger":{"tags":["brewing"]}`, nil, june, true},
		{"tag in another case", `"trigger":{"tags":["Brewing"]}`, nil, june, true},
		{"context tag in another case", `"trigger":{"tags":["brewing"]}`, func(c *Context) { c.Items[1].Tags = []string{"BREWING"} }, june, true},
		{"tag absent", `"trigger":{"tags":["tea"]}`, nil, june, false},
		{"product id or tag: tag", `"trigger":{"product_ids":["kettle"],"tags":["coffee"]}`, nil, june, true},
		{"product id or tag: product", `"trigger":{"product_ids":["beans"],"tags":["tea"]}`, nil, june, true},
		{"product id or tag: neither", `"trigger":{"product_ids":["kettle"],"tags":["tea"]}`, nil, june, false},
		{"empty cart", `"trigger":{"product_ids":["beans"]}`, func(c *Context) { c.Items = nil }, june, false},

		{"min subtotal met exactly", `"trigger":{"min_subtotal":4599}`, nil, june, true},
		{"min subtotal missed by one", `"trigger":{"min_subtotal":4600}`, nil, june, false},
		{"max subtotal met exactly", `"trigger":{"max_subtotal":4599}`, nil, june, true},
		{"max subtotal passed by one", `"trigger":{"max_subtotal":4598}`, nil, june, false},

		{"currency listed", `"trigger":{"currencies":["EUR","USD"]}`, nil, june, true},
		{"context in another currency", `"trigger":{}`, func(c *Context) { c.Currency = "EUR" }, june, false},
		{"currency listed but product in another", `"trigger":{"currencies":["EUR","USD"]}`, func(c *Context) { c.Currency = "EUR" }, june, false},

		{"customer tag", `"trigger":{"customer_tags":["wholesale","vip"]}`, nil, june, true},
		{"customer tag absent", `"trigger":{"customer_tags":["wholesale"]}`, nil, june, false},
		{"customer tag for a guest", `"trigger":{"customer_tags":["vip"]}`, func(c *Context) { c.Customer = nil }, june, false},
		{"customer tag with product", `"trigger":{"product_ids":["beans"],"customer_tags":["vip"]}`, nil, june, true},
		{"customer tag with product, tag absent", `"trigger":{"product_ids":["beans"],"customer_tags":["staff"]}`, nil, june, false},

		{"new customers only: returning", `"trigger":{"new_customers_only":true}`, nil, june, false},
		{"new customers only: first order", `"trigger":{"new_customers_only":true}`, func(c *Context) { c.Customer.OrdersCount = 0 }, june, true},
		{"new customers only: guest", `"trigger":{"new_customers_only":true}`, func(c *Context) { c.Customer = nil }, june, true},

		{"status", `"trigger":{"statuses":["paid","fulfilled"]}`, nil, june, true},
		{"status in another case", `"trigger":{"statuses":["paid"]}`, func(c *Context) { c.Status = "PAID" }, june, true},
		{"status not listed", `"trigger":{"statuses":["paid"]}`, func(c *Context) { c.Status = "pending" }, june, false},
		{"status missing", `"trigger":{"statuses":["paid"]}`, func(c *Context) { c.Status = "" }, june, false},

		{"before the start", ``, nil, time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{"at the start", ``, nil, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"just before the end", ``, nil, time.Date(2025, 12, 31, 23, 59, 59, 999, time.UTC), true},
		{"at the end", ``, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"no schedule", `"starts_at":"<delete>","ends_at":"<delete>"`, nil, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), true},

		{"product already in the cart", `"trigger":{"tags":["coffee"]},"product":{"product_id":"dripper","title":"D","unit_price":100,"currency":"USD"}`, nil, june, false},
		{"same product in another variant", `"trigger":{"tags":["coffee"]},"product":{"product_id":"beans","variant_id":"beans-250g","title":"B","unit_price":100,"currency":"USD"}`, nil, june, false},
		{"placement not listed", `"placements":["cart"]`, nil, june, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := `"id":"t"`
			if tt.offer != "" {
				members += "," + tt.offer
			}
			c := mustParse(t, `[`+offerJSONText(members)+`]`)
			ctx := orderContext()
			if tt.context != nil {
				tt.context(ctx)
			}
			matches := c.Offer("t").Matches(PlacementThankYou, ctx, tt.now)
			selected := len(c.Select(PlacementThankYou, ctx, tt.now, 5)) == 1
			if matches != tt.want || selected != tt.want {
				t.Errorf("Matches %v, Select %v, want %v", matches, selected, tt.want)
			}
		})
	}
}

func TestSelectOrderAndLimit(t *testing.T) {
	var offers []string
	for _, o := range []struct {
		id       string
		priority int
	}{{"m", 1}, {"b", 5}, {"a", 5}, {"z", 9}, {"c", -2}, {"k", 1}} {
		offers = append(offers, offerJSONText(fmt.Sprintf(`"id":%q,"priority":%d,"product":{"product_id":"p-%s","title":"T","unit_price":100,"currency":"USD"}`, o.id, o.priority, o.id)))
	}
	c := mustParse(t, `[`+strings.Join(offers, ",")+`]`)
	ctx := orderContext()
	if got := ids(c.Select(PlacementThankYou, ctx, june, 10)); got != "z a b k m c" {
		t.Errorf("order %q, want priority then id", got)
	}
	if got := ids(c.Select(PlacementThankYou, ctx, june, 3)); got != "z a b" {
		t.Errorf("max 3: %q", got)
	}
	for _, tt := range []struct {
		name string
		p    Placement
		ctx  *Context
		max  int
	}{
		{"max 0", PlacementThankYou, ctx, 0},
		{"max negative", PlacementThankYou, ctx, -1},
		{"nil context", PlacementThankYou, nil, 5},
		{"unknown placement", Placement("checkout"), ctx, 5},
		{"no offer for the placement", PlacementCart, ctx, 5},
		{"no offer in the currency", PlacementThankYou, &Context{ID: "x", Currency: "JPY"}, 5},
	} {
		if got := c.Select(tt.p, tt.ctx, june, tt.max); got != nil {
			t.Errorf("%s: got %q, want nil", tt.name, ids(got))
		}
	}
}

func ids(list []*Offer) string {
	var names []string
	for _, o := range list {
		names = append(names, o.ID)
	}
	return strings.Join(names, " ")
}

// TestSelectExampleCatalog runs the example catalog against the carts and
// orders it was written for.
func TestSelectExampleCatalog(t *testing.T) {
	c, err := LoadCatalog("testdata/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	december := time.Date(2025, 12, 10, 9, 0, 0, 0, time.UTC)
	coffee := Item{ProductID: "coffee-beans-1kg", Quantity: 1, UnitPrice: 2999, Tags: []string{"coffee"}}
	dripper := Item{ProductID: "pour-over-dripper", Quantity: 1, UnitPrice: 1900, Tags: []string{"brewing"}}
	vip := &Customer{ID: "c7", Tags: []string{"vip"}, OrdersCount: 4}
	tests := []struct {
		name string
		p    Placement
		ctx  Context
		now  time.Time
		want string
	}{
		{"VIP cart with coffee", PlacementCart,
			Context{ID: "cart-1", Currency: "USD", Subtotal: 4899, Items: []Item{coffee, dripper}, Customer: vip}, december,
			"grinder-vip winter-blend filters-cart"},
		{"guest cart with a dripper", PlacementCart,
			Context{ID: "cart-2", Currency: "USD", Subtotal: 1900, Items: []Item{dripper}}, december,
			"filters-cart"},
		{"winter blend out of season", PlacementCart,
			Context{ID: "cart-3", Currency: "USD", Subtotal: 2999, Items: []Item{coffee}}, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
			""},
		{"paid VIP order with coffee", PlacementThankYou,
			Context{ID: "1001", Currency: "USD", Subtotal: 2999, Items: []Item{coffee}, Customer: vip, Status: "paid"}, december,
			"thermos-10 thermos-mini"},
		{"VIP order above the grinder threshold", PlacementThankYou,
			Context{ID: "1002", Currency: "USD", Subtotal: 5998, Items: []Item{coffee, dripper}, Customer: vip, Status: "paid"}, december,
			"grinder-vip thermos-10 thermos-mini"},
		{"first order of a new customer", PlacementThankYou,
			Context{ID: "1003", Currency: "USD", Subtotal: 1900, Items: []Item{dripper}, Customer: &Customer{ID: "c8"}, Status: "paid"}, december,
			"mug-welcome"},
		{"unpaid order", PlacementThankYou,
			Context{ID: "1004", Currency: "USD", Subtotal: 2999, Items: []Item{coffee}, Status: "pending"}, december,
			""},
		{"order in euros", PlacementThankYou,
			Context{ID: "1005", Currency: "EUR", Subtotal: 2999, Items: []Item{coffee}, Customer: vip, Status: "paid"}, december,
			"thermos-eu"},
		{"order already holding a thermos", PlacementThankYou,
			Context{ID: "1006", Currency: "USD", Subtotal: 5498, Items: []Item{coffee, {ProductID: "thermos", Quantity: 1, UnitPrice: 2499}}, Status: "paid", Customer: vip}, december,
			"grinder-vip thermos-mini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(c.Select(tt.p, &tt.ctx, tt.now, 5)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSelectAgreesWithScan compares the indexed selection with a plain scan
// of every offer through Matches, over random catalogs and contexts.
func TestSelectAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 20 {
		c := randomCatalog(t, r, 300)
		for range 50 {
			ctx := randomContext(r)
			p := Placement([]Placement{PlacementCart, PlacementThankYou}[r.IntN(2)])
			now := time.Date(2025, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
			max := 1 + r.IntN(6)
			var want []*Offer
			for _, o := range c.Offers() {
				if o.Matches(p, ctx, now) {
					want = append(want, o)
				}
			}
			slices.SortFunc(want, compareRank)
			want = want[:min(len(want), max)]
			if got := c.Select(p, ctx, now, max); ids(got) != ids(want) {
				t.Fatalf("round %d: Select %q, scan %q\ncontext %+v", round, ids(got), ids(want), ctx)
			}
		}
	}
}

// TestSelectCostIgnoresUnmatchableOffers checks that offers which cannot
// match a context (other products, tags, customer tags, currency or
// placement) add nothing to what a selection looks at.
func TestSelectCostIgnoresUnmatchableOffers(t *testing.T) {
	relevant := []string{
		offerJSONText(`"id":"by-product","trigger":{"product_ids":["beans"]}`),
		offerJSONText(`"id":"by-tag","trigger":{"tags":["coffee"]}`),
		offerJSONText(`"id":"by-customer","trigger":{"customer_tags":["vip"]}`),
		offerJSONText(`"id":"for-all","trigger":{"min_subtotal":100}`),
	}
	unmatchable := slices.Clone(relevant)
	for i := range 10000 {
		var trigger string
		switch i % 5 {
		case 0:
			trigger = fmt.Sprintf(`"trigger":{"product_ids":["other-%d"]}`, i)
		case 1:
			trigger = fmt.Sprintf(`"trigger":{"tags":["tag-%d"]}`, i)
		case 2:
			trigger = fmt.Sprintf(`"trigger":{"customer_tags":["segment-%d"]}`, i)
		case 3:
			trigger = `"trigger":{},"product":{"product_id":"x","title":"X","unit_price":100,"currency":"EUR"}`
		case 4:
			trigger = `"trigger":{},"placements":["cart"]`
		}
		unmatchable = append(unmatchable, offerJSONText(fmt.Sprintf(`"id":"o-%d",%s`, i, trigger)))
	}
	small := mustParse(t, `[`+strings.Join(relevant, ",")+`]`)
	large := mustParse(t, `[`+strings.Join(unmatchable, ",")+`]`)
	ctx := orderContext()
	looked := func(c *Catalog) int {
		b := c.index[PlacementThankYou.index()][ctx.Currency]
		var h rankHeap
		b.candidateLists(&h, ctx)
		n := 0
		for _, list := range h {
			n += len(list)
		}
		return n
	}
	if s, l := looked(small), looked(large); s != l || s != 4 {
		t.Errorf("a selection looks at %d offers in the small catalog, %d in the large one; want 4 in both", s, l)
	}
	if got := ids(large.Select(PlacementThankYou, ctx, june, 10)); got != ids(small.Select(PlacementThankYou, ctx, june, 10)) {
		t.Errorf("selections differ: %q", got)
	}
}

// randomCatalog builds a catalog of n offers drawn from small vocabularies,
// so that offers and contexts overlap often.
func randomCatalog(t *testing.T, r *rand.Rand, n int) *Catalog {
	t.Helper()
	var offers []string
	for i := range n {
		offers = append(offers, randomOfferJSON(r, i, 40, 10))
	}
	return mustParse(t, `[`+strings.Join(offers, ",")+`]`)
}

// randomOfferJSON is one offer drawn from products p-0..p-(products-1) and
// tags t-0..t-(tags-1), with every kind of condition now and then.
func randomOfferJSON(r *rand.Rand, i, products, tags int) string {
	pick := func(prefix string, n, k int) string {
		var list []string
		for range k {
			list = append(list, fmt.Sprintf("%q", fmt.Sprintf("%s-%d", prefix, r.IntN(n))))
		}
		return "[" + strings.Join(list, ",") + "]"
	}
	var cond []string
	if r.IntN(2) == 0 {
		cond = append(cond, `"product_ids":`+pick("p", products, 1+r.IntN(3)))
	}
	if r.IntN(3) == 0 {
		cond = append(cond, `"tags":`+pick("t", tags, 1+r.IntN(2)))
	}
	if r.IntN(4) == 0 {
		cond = append(cond, `"customer_tags":`+pick("c", 4, 1))
	}
	if r.IntN(5) == 0 {
		cond = append(cond, fmt.Sprintf(`"min_subtotal":%d`, r.IntN(10000)))
	}
	if r.IntN(5) == 0 {
		cond = append(cond, fmt.Sprintf(`"max_subtotal":%d`, 10000+r.IntN(10000)))
	}
	if r.IntN(8) == 0 {
		cond = append(cond, `"new_customers_only":true`)
	}
	if r.IntN(6) == 0 {
		cond = append(cond, `"statuses":["paid"]`)
	}
	placements := [][]string{{`"cart"`}, {`"thank_you"`}, {`"cart"`, `"thank_you"`}}[r.IntN(3)]
	currency := []string{"USD", "USD", "USD", "EUR"}[r.IntN(4)]
	schedule := ""
	if r.IntN(4) == 0 {
		start := 1 + r.IntN(11)
		schedule = fmt.Sprintf(`,"starts_at":"2025-%02d-01T00:00:00Z","ends_at":"2025-%02d-01T00:00:00Z"`, start, start+1)
	}
	return fmt.Sprintf(`{"id":"o-%05d","placements":[%s],"trigger":{%s},
		"product":{"product_id":"p-%d","title":"T","unit_price":%d,"currency":%q},
		"discount":{"percent":%d},"priority":%d%s}`,
		i, strings.Join(placements, ","), strings.Join(cond, ","),
		r.IntN(products), 100+r.IntN(5000), currency, r.IntN(50), r.IntN(10), schedule)
}

// randomContext is a cart or order drawn from the vocabularies of
// randomOfferJSON.
func randomContext(r *rand.Rand) *Context {
	c := &Context{
		ID:       fmt.Sprint("ctx-", r.IntN(1000)),
		Currency: []string{"USD", "USD", "EUR"}[r.IntN(3)],
		Subtotal: int64(r.IntN(20000)),
		Status:   []string{"paid", "pending", ""}[r.IntN(3)],
	}
	for range r.IntN(6) {
		c.Items = append(c.Items, Item{
			ProductID: fmt.Sprint("p-", r.IntN(40)),
			Quantity:  1,
			Tags:      []string{fmt.Sprint("t-", r.IntN(10)), fmt.Sprint("T-", r.IntN(10))},
		})
	}
	if r.IntN(3) > 0 {
		c.Customer = &Customer{Tags: []string{fmt.Sprint("c-", r.IntN(4))}, OrdersCount: r.IntN(3)}
	}
	return c
}
