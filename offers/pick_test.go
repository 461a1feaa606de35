package offers

import (
	"fmt"
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name                  string
		offer                 string
		subject               string
		variant, title, image string
		unit, discount, final int64
		quantity              int
		expiresAfter          time.Duration
	}{
		{"percent off", `"id":"t"`, "1001", "", "Thermos", "/img/t.jpg", 2499, 250, 2249, 1, 15 * time.Minute},
		{"amount off", `"id":"t","discount":{"amount":500},"quantity":3,"expires_after":"5m"`, "1001", "", "Thermos", "/img/t.jpg", 2499, 500, 1999, 3, 5 * time.Minute},
		{"no discount", `"id":"t","discount":"<delete>"`, "1001", "", "Thermos", "/img/t.jpg", 2499, 0, 2499, 1, 15 * time.Minute},
		{"free", `"id":"t","discount":{"percent":100}`, "1001", "", "Thermos", "/img/t.jpg", 2499, 2499, 0, 1, 15 * time.Minute},
		{"variant keeps the offer's", `"id":"t","variants":[{"id":"only","weight":100}]`, "1001", "only", "Thermos", "/img/t.jpg", 2499, 250, 2249, 1, 15 * time.Minute},
		{"variant overrides", `"id":"t","variants":[{"id":"b","weight":100,"title":"Hot","image":"https://cdn.example.com/b.jpg","discount":{"amount":1000}}]`, "1001", "b", "Hot", "https://cdn.example.com/b.jpg", 2499, 1000, 1499, 1, 15 * time.Minute},
		{"variant without discount", `"id":"t","variants":[{"id":"b","weight":100,"discount":{"amount":0}}]`, "1001", "b", "Thermos", "/img/t.jpg", 2499, 0, 2499, 1, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mustParse(t, `[`+offerJSONText(tt.offer)+`]`).Offer("t")
			got := o.Resolve(tt.subject)
			want := Pick{
				OfferID: "t", Variant: tt.variant,
				ProductID: "thermos", ProductVariantID: "thermos-steel",
				Title: tt.title, Image: tt.image, Quantity: tt.quantity,
				UnitPrice:      Money{tt.unit, "USD"},
				Discount:       Money{tt.discount, "USD"},
				FinalUnitPrice: Money{tt.final, "USD"},
				Shipping:       Money{0, "USD"},
				ExpiresAfter:   tt.expiresAfter,
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestResolveHandBuiltOffer checks that an Offer built in code, without the
// catalog's defaults and checks, still resolves to something sane.
func TestResolveHandBuiltOffer(t *testing.T) {
	o := &Offer{
		ID:       "gift",
		Product:  Product{ProductID: "card", Title: "Card", UnitPrice: 300, Currency: "EUR"},
		Discount: Discount{Amount: 500},
		Variants: []Variant{{ID: "x"}, {ID: "y"}}, // no weights
	}
	p := o.Resolve("cart-1")
	if p.Quantity != 1 || p.ExpiresAfter != DefaultExpiresAfter || p.FinalUnitPrice.Amount != 0 || p.Discount.Amount != 300 || p.Variant != "x" {
		t.Errorf("got %+v", p)
	}
}

func TestResolveIsStable(t *testing.T) {
	c := mustParse(t, `[`+
		offerJSONText(`"id":"t","variants":[{"id":"a","weight":50},{"id":"b","weight":50}]`)+`,`+
		offerJSONText(`"id":"u","variants":[{"id":"a","weight":50},{"id":"b","weight":50}]`)+`]`)
	// Pinned assignments: a customer must keep their variant across
	// restarts, releases and instances of a fleet.
	pinned := map[string]string{"1001": "b", "1002": "b", "1003": "a", "cart-7": "b"}
	for subject, want := range pinned {
		if got := c.Offer("t").Resolve(subject).Variant; got != want {
			t.Errorf("subject %s: variant %q, want %q", subject, got, want)
		}
	}
	// Assignment depends on the offer too: over many subjects, the two
	// offers do not put everyone in the same arm.
	same := 0
	for i := range 1000 {
		s := fmt.Sprint("order-", i)
		if c.Offer("t").Resolve(s).Variant == c.Offer("u").Resolve(s).Variant {
			same++
		}
	}
	if same < 400 || same > 600 {
		t.Errorf("%d of 1000 subjects got the same arm in both offers; want about half", same)
	}
}

// TestResolveFollowsWeights checks the shares of each arm over a fixed set
// of subjects. The hash is deterministic, so the counts are too; the bounds
// only say how close to the weights they must be.
func TestResolveFollowsWeights(t *testing.T) {
	o := mustParse(t, `[`+offerJSONText(`"id":"t","variants":[{"id":"a","weight":10},{"id":"b","weight":30},{"id":"off","weight":0},{"id":"c","weight":60}]`)+`]`).Offer("t")
	counts := map[string]int{}
	const n = 100000
	for i := range n {
		counts[o.Resolve(fmt.Sprint(i)).Variant]++
	}
	for id, weight := range map[string]int{"a": 10, "b": 30, "c": 60} {
		want := n * weight / 100
		if got := counts[id]; got < want*97/100 || got > want*103/100 {
			t.Errorf("variant %s: %d of %d, want about %d", id, got, n, want)
		}
	}
	if counts["off"] != 0 {
		t.Errorf("a variant of weight 0 was picked %d times", counts["off"])
	}
}

func TestPickClaimsAndTotal(t *testing.T) {
	o := mustParse(t, `[`+offerJSONText(`"id":"t","quantity":2,"variants":[{"id":"b","weight":100}]`)+`]`).Offer("t")
	p := o.Resolve("1001")
	now := time.Date(2025, 6, 1, 12, 0, 0, 700_000_000, time.UTC)
	got := p.Claims(PlacementThankYou, "1001", now)
	want := Claims{
		OfferID: "t", Variant: "b", Placement: PlacementThankYou, Subject: "1001",
		ProductID: "thermos", ProductVariantID: "thermos-steel", Quantity: 2,
		UnitPrice: 2249, Discount: 250, Currency: "USD",
		ExpiresAt: time.Date(2025, 6, 1, 12, 15, 0, 0, time.UTC),
	}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if total := p.Total(); total != (Money{4498, "USD"}) {
		t.Errorf("Total %v", total)
	}
}

func TestPickShipping(t *testing.T) {
	o := mustParse(t, `[`+offerJSONText(`"id":"t","quantity":2,"shipping":499`)+`]`).Offer("t")
	p := o.Resolve("1001")
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if cl := p.Claims(PlacementThankYou, "1001", now); cl.Shipping != 499 {
		t.Errorf("thank_you claims: shipping %d, want 499", cl.Shipping)
	}
	if cl := p.Claims(PlacementCart, "c1", now); cl.Shipping != 0 {
		t.Errorf("cart claims: shipping %d, want 0 (the checkout charges shipping)", cl.Shipping)
	}
	if due := p.Due(PlacementThankYou); due != (Money{2*2249 + 499, "USD"}) {
		t.Errorf("Due after purchase %v, want items and shipping", due)
	}
	if due := p.Due(PlacementCart); due != p.Total() {
		t.Errorf("Due before purchase %v, want the items' %v", due, p.Total())
	}
}
