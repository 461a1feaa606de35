package offers

import (
	"errors"
	"testing"
	"time"
)

func TestRecheck(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	load := func(t *testing.T, src string) *Catalog {
		t.Helper()
		c, err := ParseCatalog("offers.json", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const shown = `[{"id":"thermos-20","placements":["thank_you"],
		"product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"discount":{"percent":20}}]`
	cl := load(t, shown).Offer("thermos-20").Resolve("order-1").Claims(PlacementThankYou, "order-1", now)
	tests := []struct {
		name, catalog string
		changed       bool
	}{
		{"unchanged", shown, false},
		{"removed", `[{"id":"other","placements":["thank_you"],"product":{"product_id":"mug","title":"Mug","unit_price":999,"currency":"USD"}}]`, true},
		{"re-priced", `[{"id":"thermos-20","placements":["thank_you"],
			"product":{"product_id":"thermos","title":"Thermos","unit_price":3999,"currency":"USD"},"discount":{"percent":20}}]`, true},
		{"discount changed", `[{"id":"thermos-20","placements":["thank_you"],
			"product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"discount":{"percent":10}}]`, true},
		{"ended", `[{"id":"thermos-20","placements":["thank_you"],"ends_at":"2025-06-01T11:00:00Z",
			"product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"discount":{"percent":20}}]`, true},
		{"shipping added", `[{"id":"thermos-20","placements":["thank_you"],"shipping":499,
			"product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"discount":{"percent":20}}]`, true},
		{"moved to the cart", `[{"id":"thermos-20","placements":["cart"],
			"product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"discount":{"percent":20}}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := load(t, tt.catalog).Recheck(cl, now)
			if changed := errors.Is(err, ErrOfferChanged); changed != tt.changed || (err != nil && !changed) {
				t.Errorf("Recheck = %v, want changed %v", err, tt.changed)
			}
		})
	}
}

// The offer page signs an offer with options with its first choice, even
// when the offer names no variant_id: any option still stands at accept,
// a variant the offer does not offer does not.
func TestRecheckOptions(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, variant := range []string{``, `"variant_id":"tee-m",`} {
		c, err := ParseCatalog("offers.json", []byte(`[{"id":"tee","placements":["thank_you"],
			"product":{"product_id":"tee",`+variant+`"title":"Tee","unit_price":2000,"currency":"USD",
			"options":[{"variant_id":"tee-s","label":"S"},{"variant_id":"tee-m","label":"M"}]}}]`))
		if err != nil {
			t.Fatal(err)
		}
		o := c.Offer("tee")
		cl := o.Resolve("order-1").Claims(PlacementThankYou, "order-1", now)
		if cl.ProductVariantID == "" {
			t.Errorf("%s: an offer of options is signed without a variant", variant)
		}
		// "" as tokens were signed before offers of options named their
		// first option, which stand for an offer that names no variant.
		for v, ok := range map[string]bool{o.Product.DefaultOption().VariantID: true, "tee-s": true, "tee-m": true, "tee-xl": false, "": variant == ""} {
			cl.ProductVariantID = v
			if err := c.Recheck(cl, now); (err == nil) != ok {
				t.Errorf("%s variant %q: Recheck = %v, want ok %v", variant, v, err, ok)
			}
		}
	}
}
