package offers

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// funnelCatalog is a funnel on the thank-you page of an order of beans:
// the thermos (accept leads to the tote, decline to the socks), the tote
// (decline leads to the socks), the socks, and an unrelated entry offer,
// the grinder, that shows once the funnel has run out.
func funnelCatalog(t *testing.T, extra ...string) *Catalog {
	t.Helper()
	offer := func(id, product string, priority int, more string) string {
		return offerJSONText(`"id":"` + id + `","priority":` + strconv.Itoa(priority) +
			`,"trigger":{"product_ids":["beans"]},"product":{"product_id":"` + product + `","title":"` + product + `","unit_price":1000,"currency":"USD"}` + more)
	}
	list := []string{
		offer("thermos", "thermos", 30, `,"on_accept":"tote","on_decline":"socks"`),
		offer("tote", "tote", 1, `,"on_decline":"socks"`),
		offer("socks", "socks", 1, ``),
		offer("grinder", "grinder", 10, ``),
	}
	list = append(list, extra...)
	doc := "["
	for i, o := range list {
		if i > 0 {
			doc += ","
		}
		doc += o
	}
	return mustParse(t, doc+"]")
}

// walk runs the offer page for an order: each answer is recorded and Next
// asked again, as the module does. It returns the offers shown in order.
func walk(c *Catalog, ctx *Context, h History, maxSteps int, answers ...StepOutcome) []string {
	var f Funnel
	var shown []string
	for _, ans := range answers {
		cands := c.Select(PlacementThankYou, ctx, june, 20)
		o := c.Next(PlacementThankYou, ctx, cands, f, h, june, maxSteps)
		if o == nil {
			return shown
		}
		shown = append(shown, o.ID)
		f = f.Show(o.ID)
		if again := c.Next(PlacementThankYou, ctx, cands, f, h, june, maxSteps); again != o {
			panic("a reload must show the same step")
		}
		f, _ = f.Answer(o.ID, ans)
		if ans == StepAccepted {
			// The store added the product to the order.
			ctx.Items = append(ctx.Items, Item{ProductID: o.Product.ProductID, Quantity: 1})
		}
	}
	if o := c.Next(PlacementThankYou, ctx, c.Select(PlacementThankYou, ctx, june, 20), f, h, june, maxSteps); o != nil {
		shown = append(shown, o.ID+"…")
	}
	return shown
}

func TestNextFollowsTheFunnel(t *testing.T) {
	c := funnelCatalog(t)
	A, D := StepAccepted, StepDeclined
	tests := []struct {
		name     string
		answers  []StepOutcome
		maxSteps int
		want     []string // offers shown; "x…" is shown after the last answer
	}{
		{"accept leads to on_accept", []StepOutcome{A}, 3, []string{"thermos", "tote…"}},
		{"decline leads to on_decline", []StepOutcome{D}, 3, []string{"thermos", "socks…"}},
		{"accept, decline, downsell", []StepOutcome{A, D, A}, 3, []string{"thermos", "tote", "socks"}},
		{"the page is done after max steps", []StepOutcome{A, D, D, D}, 3, []string{"thermos", "tote", "socks"}},
		{"a chain that runs out falls back to the next entry", []StepOutcome{D, D}, 3, []string{"thermos", "socks", "grinder…"}},
		{"one step only", []StepOutcome{A}, 1, []string{"thermos"}},
		{"no offer twice: socks declined once", []StepOutcome{D, D, D}, 5, []string{"thermos", "socks", "grinder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walk(c, orderContext(), History{}, tt.maxSteps, tt.answers...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("shown %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextSkipsWhatDoesNotApply(t *testing.T) {
	c := funnelCatalog(t)
	// The tote is in the order already: accepting the thermos skips it for
	// the tote's own follower in the same kind of answer (none), then the
	// best entry left.
	ctx := orderContext()
	ctx.Items = append(ctx.Items, Item{ProductID: "tote", Quantity: 1})
	if got := walk(c, ctx, History{}, 3, StepAccepted); !slices.Equal(got, []string{"thermos", "grinder…"}) {
		t.Errorf("shown %v, want thermos then grinder", got)
	}
	// A hidden (paused or shadow) offer is passed over, also as the step on
	// the page.
	hidden := History{Hidden: func(id string) bool { return id == "thermos" }}
	if got := walk(c, orderContext(), hidden, 3, StepDeclined); !slices.Equal(got, []string{"grinder"}) {
		t.Errorf("with the thermos hidden: shown %v, want the grinder only", got)
	}
	f := Funnel{}.Show("thermos")
	if o := c.Next(PlacementThankYou, orderContext(), c.Select(PlacementThankYou, orderContext(), june, 20), f, hidden, june, 3); o == nil || o.ID != "grinder" {
		t.Errorf("a hidden offer on the page gives way to %v, want the grinder", o)
	}
}

func TestNextHonoursFrequencyCaps(t *testing.T) {
	c := funnelCatalog(t, offerJSONText(`"id":"capped","priority":99,"trigger":{"product_ids":["beans"]},"product":{"product_id":"cap","title":"Cap","unit_price":500,"currency":"USD"},"max_per_customer":2`))
	for _, tt := range []struct {
		elsewhere int
		want      string
	}{{0, "capped"}, {1, "capped"}, {2, "thermos"}, {5, "thermos"}} {
		h := History{ShownElsewhere: func(id string) int {
			if id != "capped" {
				t.Fatalf("asked for the count of uncapped offer %q", id)
			}
			return tt.elsewhere
		}}
		ctx := orderContext()
		o := c.Next(PlacementThankYou, ctx, c.Select(PlacementThankYou, ctx, june, 20), Funnel{}, h, june, 3)
		if o == nil || o.ID != tt.want {
			t.Errorf("shown in %d other orders: next is %v, want %s", tt.elsewhere, o, tt.want)
		}
		// A guest has no customer id to count by: never capped.
		ctx.Customer = nil
		if o := c.Next(PlacementThankYou, ctx, c.Select(PlacementThankYou, ctx, june, 20), Funnel{}, h, june, 3); o == nil || o.ID != "capped" {
			t.Errorf("a guest's next is %v, want the capped offer", o)
		}
	}
}

func TestShelfShowsDownsellsOnlyInPlace(t *testing.T) {
	c := funnelCatalog(t)
	ctx := orderContext()
	cands := c.Select(PlacementThankYou, ctx, june, 20)
	ids := func(list []*Offer) []string {
		var out []string
		for _, o := range list {
			out = append(out, o.ID)
		}
		return out
	}
	if got := ids(c.Shelf(PlacementThankYou, ctx, cands, History{}, june, 3)); !slices.Equal(got, []string{"thermos", "grinder"}) {
		t.Errorf("shelf %v, want the two entry offers: followers show only when reached", got)
	}
	declined := History{Declined: func(id string) bool { return id == "thermos" }}
	if got := ids(c.Shelf(PlacementThankYou, ctx, cands, declined, june, 3)); !slices.Equal(got, []string{"socks", "grinder"}) {
		t.Errorf("shelf after declining the thermos %v, want its downsell in its place", got)
	}
	both := History{Declined: func(id string) bool { return id == "thermos" || id == "socks" }}
	if got := ids(c.Shelf(PlacementThankYou, ctx, cands, both, june, 3)); !slices.Equal(got, []string{"grinder"}) {
		t.Errorf("shelf after declining the thermos and the socks %v, want the grinder only", got)
	}
	if got := ids(c.Shelf(PlacementThankYou, ctx, cands, History{}, june, 1)); !slices.Equal(got, []string{"thermos"}) {
		t.Errorf("shelf of one %v", got)
	}
}

func TestFunnelAnswersOnlyTheCurrentStep(t *testing.T) {
	f := Funnel{}.Show("a")
	if f.Show("a").Current() != "a" || len(f.Show("a").Steps) != 1 {
		t.Errorf("showing the current step again adds a step")
	}
	if _, ok := f.Answer("b", StepAccepted); ok {
		t.Errorf("an offer that is not on the page was answered")
	}
	g, ok := f.Answer("a", StepDeclined)
	if !ok || g.Current() != "" || len(f.Steps) != 1 || f.Steps[0].Outcome != StepShown {
		t.Errorf("answering: %+v (ok %v); the original must not change: %+v", g, ok, f)
	}
	if _, ok := g.Answer("a", StepAccepted); ok {
		t.Errorf("a declined step was accepted afterwards")
	}
	if out, seen := g.Outcome("a"); !seen || out != StepDeclined {
		t.Errorf("outcome of a: %q %v", out, seen)
	}
}

func TestChangeableStatuses(t *testing.T) {
	for status, want := range map[string]bool{"": true, "paid": true, "processing": true, "fulfilled": false, "cancelled": false, "refunded": false, "shipped": false} {
		if got := (&Context{Status: status}).Changeable(); got != want {
			t.Errorf("status %q changeable %v, want %v", status, got, want)
		}
	}
	sc, err := ParseContext([]byte(`{"id":"1","currency":"usd","status":"PAID","placed_at":"2025-06-01T10:00:00+02:00"}`))
	if err != nil || !sc.Changeable() || !sc.PlacedAt.Equal(time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v, %v", sc, err)
	}
	for _, bad := range []string{`"yesterday"`, `5`} {
		if _, err := ParseContext([]byte(`{"id":"1","currency":"USD","placed_at":` + bad + `}`)); err == nil || !strings.Contains(err.Error(), "placed_at") {
			t.Errorf("placed_at %s: error %v, want one naming placed_at", bad, err)
		}
	}
}

// Shelf asks about the declines of no offer ShelfDeclines leaves out,
// whatever was declined: a caller may read them all before Shelf runs.
func TestShelfDeclinesCoverWhatShelfAsks(t *testing.T) {
	chained := func(id, onDecline string) string {
		more := ""
		if onDecline != "" {
			more = `,"on_decline":"` + onDecline + `"`
		}
		return offerJSONText(`"id":"` + id + `","priority":5,"trigger":{"product_ids":["beans"]},"product":{"product_id":"` + id + `","title":"` + id + `","unit_price":500,"currency":"USD"}` + more)
	}
	// A downsell chain longer than Shelf follows.
	c := funnelCatalog(t, chained("a", "b"), chained("b", "c"), chained("c", "d"), chained("d", "e"), chained("e", "f"), chained("f", "g"), chained("g", ""))
	ctx := orderContext()
	cands := c.Select(PlacementThankYou, ctx, june, 20)
	all := c.ShelfDeclines(nil, cands)
	if slices.Contains(all, "f") || !slices.Contains(all, "e") || !slices.Contains(all, "socks") {
		t.Errorf("ShelfDeclines = %v, want the entries and their downsells up to %d hops", all, maxFollowHops)
	}
	for i, id := range all {
		if slices.Contains(all[i+1:], id) {
			t.Errorf("ShelfDeclines names %s twice", id)
		}
	}
	if got := c.ShelfDeclines([]string{"x"}, nil); !slices.Equal(got, []string{"x"}) {
		t.Errorf("ShelfDeclines appended %v to dst for no candidates", got[1:])
	}
	// Every set of declines among the offers, at every shelf size.
	ids := make([]string, len(c.Offers()))
	for i, o := range c.Offers() {
		ids[i] = o.ID
	}
	for set := range 1 << len(ids) {
		for _, max := range []int{1, 3, 20} {
			h := History{Declined: func(id string) bool {
				if !slices.Contains(all, id) {
					t.Fatalf("Shelf asked about %s, which ShelfDeclines left out", id)
				}
				i := slices.Index(ids, id)
				return set&(1<<i) != 0
			}}
			c.Shelf(PlacementThankYou, ctx, cands, h, june, max)
		}
	}
}
