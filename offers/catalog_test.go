package offers

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadCatalogExample(t *testing.T) {
	c, err := LoadCatalog("testdata/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 8 || len(c.Offers()) != 8 || c.Name() != "testdata/offers.json" {
		t.Fatalf("Len %d, Offers %d, Name %q", c.Len(), len(c.Offers()), c.Name())
	}
	if c.Offers()[0].ID != "thermos-10" || c.Offers()[7].ID != "descaler-jp" {
		t.Errorf("Offers not in catalog order: %s ... %s", c.Offers()[0].ID, c.Offers()[7].ID)
	}
	got := *c.Offer("thermos-10")
	got.rank, got.productHash = 0, 0 // set by the catalog for selection
	want := Offer{
		ID:         "thermos-10",
		Placements: []Placement{PlacementThankYou},
		Trigger: Trigger{
			ProductIDs: []string{"coffee-beans-1kg", "coffee-beans-250g"},
			Tags:       []string{"coffee"},
			Currencies: []string{"USD"},
			Statuses:   []string{"paid"},
		},
		Product: Product{
			ProductID: "thermos", VariantID: "thermos-steel-500ml",
			Title: "Steel thermos, 500 ml", Image: "https://cdn.example.com/img/thermos.jpg",
			Description: "Double-walled steel: hot for 12 hours, cold for 24.",
			UnitPrice:   2499, Currency: "USD",
		},
		Discount:     Discount{Percent: 10},
		Quantity:     1,
		Priority:     20,
		ExpiresAfter: 15 * time.Minute,
		Variants: []Variant{
			{ID: "a", Weight: 50},
			{ID: "b", Weight: 50, Title: "Keep it hot: steel thermos, 500 ml", Discount: &Discount{Percent: 20}},
		},
		OnDecline:   "thermos-mini",
		OnAccept:    "grinder-vip",
		MaxQuantity: 3,
		Shipping:    499,
		Text:        map[string]string{"headline": "Your coffee stays hot for 12 hours", "pay": "Yes, add it · {amount}"},
		Cap:         FrequencyCap{MaxPerCustomer: 2, Period: 168 * time.Hour},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("thermos-10:\n got %+v\nwant %+v", got, want)
	}
	if c.Offer("thermos-mini").ExpiresAfter != 10*time.Minute || c.Offer("filters-cart").Quantity != 2 {
		t.Error("explicit expires_after or quantity lost")
	}
	winter := c.Offer("winter-blend")
	if !winter.StartsAt.Equal(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)) || !winter.EndsAt.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("schedule %v - %v", winter.StartsAt, winter.EndsAt)
	}
	if c.Offer("nope") != nil {
		t.Error("Offer of an unknown id is not nil")
	}
}

func TestOffersIsACopy(t *testing.T) {
	c := mustParse(t, `[`+offerJSONText(`"id":"a"`)+`]`)
	list := c.Offers()
	list[0] = nil
	if c.Offers()[0] == nil {
		t.Error("changing the result of Offers changed the catalog")
	}
}

func TestLoadCatalogMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.json")
	_, err := LoadCatalog(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not name %s or is not ErrNotExist", err, path)
	}
}

func TestLoadCatalogNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offers.json")
	if err := os.WriteFile(path, []byte(`{"offers":[{"id":"x"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCatalog(path)
	var ce *CatalogError
	if !errors.As(err, &ce) || ce.Name != path {
		t.Fatalf("want a *CatalogError named %s, got %v", path, err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, path+": offer \"x\": ") {
			t.Errorf("line %q does not start with the file and offer", line)
		}
	}
}

func TestParseCatalogForms(t *testing.T) {
	offer := offerJSONText(`"id":"a"`)
	for _, doc := range []string{
		`{"version":1,"offers":[` + offer + `]}`,
		`{"offers":[` + offer + `]}`,
		`[` + offer + `]`,
		"\uFEFF[" + offer + "]", // a byte order mark some editors write
		` { "offers" : [ ` + offer + ` ] } `,
	} {
		c, err := ParseCatalog("t.json", []byte(doc))
		if err != nil || c.Len() != 1 {
			t.Errorf("%s: %v", doc, err)
		}
	}
	for _, doc := range []string{`{"version":1,"offers":[]}`, `[]`} {
		c, err := ParseCatalog("t.json", []byte(doc))
		if err != nil || c.Len() != 0 {
			t.Errorf("%s: want an empty catalog, got %v", doc, err)
		}
	}
}

// validOffer is the offer every validation case starts from; each case
// changes one thing.
const validOffer = `"placements":["thank_you"],
	"trigger":{"product_ids":["beans"],"tags":["coffee"],"min_subtotal":1000,"max_subtotal":90000,"currencies":["USD"],"customer_tags":["vip"],"new_customers_only":false,"statuses":["paid"]},
	"product":{"product_id":"thermos","variant_id":"thermos-steel","title":"Thermos","image":"/img/t.jpg","unit_price":2499,"currency":"USD"},
	"discount":{"percent":10},"quantity":1,"priority":5,
	"starts_at":"2025-01-01T00:00:00Z","ends_at":"2026-01-01T00:00:00Z","expires_after":"15m"`

// offerJSONText returns validOffer with the given members; a member given
// here replaces the same member of validOffer.
func offerJSONText(members string) string {
	var base, over map[string]json.RawMessage
	if err := json.Unmarshal([]byte("{"+validOffer+"}"), &base); err != nil {
		panic(err)
	}
	if err := json.Unmarshal([]byte("{"+members+"}"), &over); err != nil {
		panic(err)
	}
	for k, v := range over {
		if string(v) == `"<delete>"` {
			delete(base, k)
			continue
		}
		base[k] = v
	}
	out, err := json.Marshal(base)
	if err != nil {
		panic(err)
	}
	return string(out)
}

func mustParse(t *testing.T, doc string) *Catalog {
	t.Helper()
	c, err := ParseCatalog("t.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseCatalogProblems(t *testing.T) {
	one := func(members string) string { return `{"offers":[` + offerJSONText(members) + `]}` }
	tests := []struct {
		name string
		doc  string
		want []string // every line of the error, without the "t.json: " prefix
	}{
		// The file as a whole.
		{"not JSON", "{\n  \"offers\": [\n    {,}\n  ]\n}", []string{`not valid JSON: line 3, column 6: invalid character ',' looking for beginning of object key string`}},
		{"empty file", "  \n", []string{`empty (want {"version": 1, "offers": [...]})`}},
		{"top level string", `"offers"`, []string{`want an object {"version": 1, "offers": [...]}, got string "offers"`}},
		{"unknown top-level field", `{"ofers":[]}`, []string{`unknown field "ofers" (did you mean "offers"?)`, `offers: missing`}},
		{"version", `{"version":2,"offers":[]}`, []string{`version: number 2 is not a supported version (want 1)`}},
		{"offers not a list", `{"offers":{}}`, []string{`offers: want a list of offers, got an object`}},
		{"offer not an object", `{"offers":["thermos"]}`, []string{`offers[0]: want an object, got string "thermos"`, `offers[0]: id: missing`, `offers[0]: placements: missing (want one or more of "cart", "thank_you", "product", "checkout" or "popup")`, `offers[0]: product: missing`}},

		// Fields in general.
		{"unknown field", one(`"id":"t","triger":{}`), []string{`offer "t": unknown field "triger" (did you mean "trigger"?)`}},
		{"unknown field without a close name", one(`"id":"t","colour":"red"`), []string{`offer "t": unknown field "colour"`}},
		{"unknown nested field", one(`"id":"t","trigger":{"product_id":["a"]}`), []string{`offer "t": trigger: unknown field "product_id" (did you mean "product_ids"?)`}},
		{"field given twice", `{"offers":[{"id":"t","priority":1,"priority":2,` + validOffer[:len(validOffer)-len(`,"priority":5,
	"starts_at":"2025-01-01T00:00:00Z","ends_at":"2026-01-01T00:00:00Z","expires_after":"15m"`)] + `}]}`, []string{`offer "t": priority: given more than once`}},
		{"null is absent", one(`"id":"t","discount":null,"trigger":null,"variants":null`), nil},

		// id.
		{"id missing", one(`"id":"<delete>"`), []string{`offers[0]: id: missing`}},
		{"id empty", one(`"id":""`), []string{`offers[0]: id: missing`}},
		{"id not a string", one(`"id":7`), []string{`offers[0]: id: want a string, got number 7`}},
		{"id characters", one(`"id":"thermos 10%"`), []string{`offer "thermos 10%": id: "thermos 10%" may only hold letters, digits, '.', '_' and '-'`}},
		{"id too long", one(`"id":"` + strings.Repeat("a", 65) + `"`), []string{`offer "` + strings.Repeat("a", 65) + `": id: longer than 64 characters`}},
		{"id duplicate", `{"offers":[` + offerJSONText(`"id":"t"`) + `,` + offerJSONText(`"id":"u"`) + `,` + offerJSONText(`"id":"t"`) + `]}`, []string{`offer "t": id: "t" is also the id of offers[0]`}},

		// The offer page's fields.
		{"description too long", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":100,"currency":"USD","description":"` + strings.Repeat("d", 1001) + `"}`), []string{`offer "t": product.description: longer than 1000 bytes`}},
		{"on_accept unknown", one(`"id":"t","on_accept":"u"`), []string{`offer "t": on_accept: no offer "u" in the catalog`}},
		{"on_accept itself", one(`"id":"t","on_accept":"t"`), []string{`offer "t": on_accept: names the offer itself`}},
		{"on_accept empty", one(`"id":"t","on_accept":""`), []string{`offer "t": on_accept: empty (leave it out for no next step)`}},
		{"on_accept in another currency", `{"offers":[` + offerJSONText(`"id":"t","on_accept":"u"`) + `,` + offerJSONText(`"id":"u","product":{"product_id":"p","title":"T","unit_price":100,"currency":"EUR"},"trigger":"<delete>"`) + `]}`, []string{`offer "t": on_accept: offer "u" is in EUR, this offer in USD`}},
		{"max_quantity below quantity", one(`"id":"t","quantity":2,"max_quantity":1`), []string{`offer "t": max_quantity: 1 is below quantity 2`}},
		{"max_quantity too many choices", one(`"id":"t","max_quantity":11`), []string{`offer "t": max_quantity: 11 offers more than 10 choices from quantity 1`}},
		{"max_per_customer zero", one(`"id":"t","max_per_customer":0`), []string{`offer "t": max_per_customer: 0 is below 1 (leave it out for no cap)`}},
		{"cap_period alone", one(`"id":"t","cap_period":"24h"`), []string{`offer "t": cap_period: set max_per_customer too, or leave cap_period out`}},
		{"cap_period too long", one(`"id":"t","max_per_customer":1,"cap_period":"9000h"`), []string{`offer "t": cap_period: 9000h0m0s is over 8784h0m0s`}},
		{"options", one(`"id":"t","product":{"product_id":"p","variant_id":"p-m","title":"T","unit_price":100,"currency":"USD","option_label":"Size","options":[{"variant_id":"p-s","label":"S"},{"variant_id":"p-m","label":"M"}]}`), nil},
		{"one option", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":100,"currency":"USD","options":[{"variant_id":"p-s","label":"S"}]}`), []string{`offer "t": product.options: give two options or more (leave it out for no choice)`}},
		{"option twice, label missing", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":100,"currency":"USD","options":[{"variant_id":"p-s","label":"S"},{"variant_id":"p-s"}]}`), []string{`offer "t": product.options[1].label: missing`, `offer "t": product.options[1].variant_id: "p-s" is listed twice`}},
		{"variant_id not an option", one(`"id":"t","product":{"product_id":"p","variant_id":"p-xl","title":"T","unit_price":100,"currency":"USD","options":[{"variant_id":"p-s","label":"S"},{"variant_id":"p-m","label":"M"}]}`), []string{`offer "t": product.variant_id: "p-xl" is not one of the options`}},
		{"unknown option field", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":100,"currency":"USD","options":[{"variant_id":"p-s","label":"S","price":5},{"variant_id":"p-m","label":"M"}]}`), []string{`offer "t": product.options[0]: unknown field "price"`}},
		{"cap with its period", one(`"id":"t","max_per_customer":1,"cap_period":"720h","max_quantity":3,"quantity":1`), nil},

		// placements.
		{"placements missing", one(`"id":"t","placements":"<delete>"`), []string{`offer "t": placements: missing (want one or more of "cart", "thank_you", "product", "checkout" or "popup")`}},
		{"placements empty", one(`"id":"t","placements":[]`), []string{`offer "t": placements: empty (want one or more of "cart", "thank_you", "product", "checkout" or "popup")`}},
		{"placement unknown", one(`"id":"t","placements":["cart","basket"]`), []string{`offer "t": placements[1]: "basket" is not a placement (want "cart", "thank_you", "product", "checkout" or "popup")`}},
		{"placement twice", one(`"id":"t","placements":["cart","cart"]`), []string{`offer "t": placements[1]: "cart" is listed twice`}},
		{"placements not a list", one(`"id":"t","placements":"cart"`), []string{`offer "t": placements: want a list of strings, got string "cart"`}},
		{"placement not a string", one(`"id":"t","placements":["cart",1]`), []string{`offer "t": placements[1]: want a string, got number 1`}},

		// product.
		{"product missing", one(`"id":"t","product":"<delete>"`), []string{`offer "t": product: missing`}},
		{"product not an object", one(`"id":"t","product":"thermos"`), []string{`offer "t": product: want an object, got string "thermos"`}},
		{"product id missing", one(`"id":"t","product":{"title":"T","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.product_id: missing`}},
		{"variant id empty", one(`"id":"t","product":{"product_id":"p","variant_id":"","title":"T","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.variant_id: missing`}},
		{"title missing", one(`"id":"t","product":{"product_id":"p","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.title: missing`}},
		{"title too long", one(`"id":"t","product":{"product_id":"p","title":"` + strings.Repeat("x", 513) + `","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.title: longer than 512 bytes`}},
		{"price missing", one(`"id":"t","product":{"product_id":"p","title":"T","currency":"USD"}`), []string{`offer "t": product.unit_price: missing`}},
		{"price zero", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":0,"currency":"USD"}`), []string{`offer "t": product.unit_price: 0 is not above zero`}},
		{"price negative", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":-100,"currency":"USD"}`), []string{`offer "t": product.unit_price: -100 is not above zero`}},
		{"price too large", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":1000000000001,"currency":"USD"}`), []string{`offer "t": product.unit_price: 1000000000001 is over the limit of 1000000000000`}},
		{"price beyond int64", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":99999999999999999999,"currency":"USD"}`), []string{`offer "t": product.unit_price: 99999999999999999999 is too large`}},
		{"price as decimal string", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":"24.99","currency":"USD"}`), []string{`offer "t": product.unit_price: want a whole number of minor units (1499 for 14.99), got string "24.99"`}},
		{"price with fraction", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":24.99,"currency":"USD"}`), []string{`offer "t": product.unit_price: want a whole number of minor units (1499 for 14.99), got number 24.99`}},
		{"currency missing", one(`"id":"t","product":{"product_id":"p","title":"T","unit_price":100}`), []string{`offer "t": product.currency: missing`}},
		{"currency lower case", one(`"id":"t","trigger":{},"product":{"product_id":"p","title":"T","unit_price":100,"currency":"usd"}`), []string{`offer "t": product.currency: "usd" is not an ISO 4217 code (codes are upper case: "USD")`}},
		{"currency unknown", one(`"id":"t","trigger":{},"product":{"product_id":"p","title":"T","unit_price":100,"currency":"BTC"}`), []string{`offer "t": product.currency: "BTC" is not an ISO 4217 currency code`}},
		{"image relative", one(`"id":"t","product":{"product_id":"p","title":"T","image":"img/t.jpg","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.image: "img/t.jpg" is neither an http(s) URL nor a path starting with "/"`}},
		{"image script", one(`"id":"t","product":{"product_id":"p","title":"T","image":"javascript:alert(1)","unit_price":100,"currency":"USD"}`), []string{`offer "t": product.image: "javascript:alert(1)" is neither an http(s) URL nor a path starting with "/"`}},

		// trigger.
		{"trigger not an object", one(`"id":"t","trigger":["beans"]`), []string{`offer "t": trigger: want an object, got a list`}},
		{"trigger product id empty", one(`"id":"t","trigger":{"product_ids":["beans",""]}`), []string{`offer "t": trigger.product_ids[1]: missing`}},
		{"trigger tag not a string", one(`"id":"t","trigger":{"tags":["coffee",true]}`), []string{`offer "t": trigger.tags[1]: want a string, got true`}},
		{"trigger customer tags not a list", one(`"id":"t","trigger":{"customer_tags":"vip"}`), []string{`offer "t": trigger.customer_tags: want a list of strings, got string "vip"`}},
		{"trigger status empty", one(`"id":"t","trigger":{"statuses":[""]}`), []string{`offer "t": trigger.statuses[0]: missing`}},
		{"trigger currency unknown", one(`"id":"t","trigger":{"currencies":["USD","EURO"]}`), []string{`offer "t": trigger.currencies[1]: "EURO" is not an ISO 4217 currency code`}},
		{"trigger currencies exclude product", one(`"id":"t","trigger":{"currencies":["EUR","GBP"]}`), []string{`offer "t": trigger.currencies: does not include the product's currency USD, so the offer could never be shown`}},
		{"min subtotal negative", one(`"id":"t","trigger":{"min_subtotal":-1}`), []string{`offer "t": trigger.min_subtotal: -1 is negative`}},
		{"max subtotal zero", one(`"id":"t","trigger":{"max_subtotal":0}`), []string{`offer "t": trigger.max_subtotal: 0 is not above zero (leave it out for no upper bound)`}},
		{"max below min", one(`"id":"t","trigger":{"min_subtotal":5000,"max_subtotal":4999}`), []string{`offer "t": trigger.max_subtotal: 4999 is below min_subtotal 5000`}},
		{"subtotal as string", one(`"id":"t","trigger":{"min_subtotal":"50"}`), []string{`offer "t": trigger.min_subtotal: want a whole number of minor units (1499 for 14.99), got string "50"`}},
		{"shadow not a bool", one(`"id":"t","shadow":"yes"`), []string{`offer "t": shadow: want true or false, got string "yes"`}},
		{"new customers only not a bool", one(`"id":"t","trigger":{"new_customers_only":"yes"}`), []string{`offer "t": trigger.new_customers_only: want true or false, got string "yes"`}},

		// discount.
		{"percent over 100", one(`"id":"thermos-10","discount":{"percent":120}`), []string{`offer "thermos-10": discount.percent: 120 is over 100`}},
		{"percent negative", one(`"id":"t","discount":{"percent":-5}`), []string{`offer "t": discount.percent: -5 is negative`}},
		{"percent fraction", one(`"id":"t","discount":{"percent":12.5}`), []string{`offer "t": discount.percent: want a whole number, got number 12.5`}},
		{"amount negative", one(`"id":"t","discount":{"amount":-1}`), []string{`offer "t": discount.amount: -1 is negative`}},
		{"amount over price", one(`"id":"t","discount":{"amount":2500}`), []string{`offer "t": discount.amount: 2500 is more than the unit price 2499 (24.99 USD): the price would be negative`}},
		{"amount equal to price", one(`"id":"t","discount":{"amount":2499}`), nil},
		{"discount empty", one(`"id":"t","discount":{}`), []string{`offer "t": discount: set percent or amount`}},
		{"discount both", one(`"id":"t","discount":{"percent":10,"amount":100}`), []string{`offer "t": discount: set percent or amount, not both`}},
		{"discount unknown field", one(`"id":"t","discount":{"percentage":10}`), []string{`offer "t": discount: unknown field "percentage" (did you mean "percent"?)`, `offer "t": discount: set percent or amount`}},

		// quantity, priority.
		{"quantity zero", one(`"id":"t","quantity":0`), []string{`offer "t": quantity: 0 is below 1`}},
		{"quantity too many", one(`"id":"t","quantity":1001`), []string{`offer "t": quantity: 1001 is over 1000`}},
		{"quantity a string", one(`"id":"t","quantity":"2"`), []string{`offer "t": quantity: want a whole number, got string "2"`}},
		{"priority a float", one(`"id":"t","priority":1.5`), []string{`offer "t": priority: want a whole number, got number 1.5`}},
		{"priority negative", one(`"id":"t","priority":-3`), nil},

		// schedule.
		{"starts after ends", one(`"id":"t","starts_at":"2026-02-01T00:00:00Z","ends_at":"2026-01-01T00:00:00Z"`), []string{`offer "t": starts_at: 2026-02-01T00:00:00Z is not before ends_at 2026-01-01T00:00:00Z`}},
		{"starts when ends", one(`"id":"t","starts_at":"2026-01-01T00:00:00Z","ends_at":"2026-01-01T01:00:00+01:00"`), []string{`offer "t": starts_at: 2026-01-01T00:00:00Z is not before ends_at 2026-01-01T00:00:00Z`}},
		{"starts not a time", one(`"id":"t","starts_at":"2026-01-01"`), []string{`offer "t": starts_at: "2026-01-01" is not an RFC 3339 time such as "2025-11-28T00:00:00Z"`}},
		{"starts before year 0 in UTC", one(`"id":"t","starts_at":"0000-01-01T00:00:00+01:00"`), []string{`offer "t": starts_at: "0000-01-01T00:00:00+01:00" is not an RFC 3339 time such as "2025-11-28T00:00:00Z"`}},
		{"ends not a string", one(`"id":"t","ends_at":1767225600`), []string{`offer "t": ends_at: want an RFC 3339 time such as "2025-11-28T00:00:00Z", got number 1767225600`}},
		{"expires after not a duration", one(`"id":"t","expires_after":"15 minutes"`), []string{`offer "t": expires_after: "15 minutes" is not a duration such as "15m" or "1h30m"`}},
		{"expires after a number", one(`"id":"t","expires_after":900`), []string{`offer "t": expires_after: want a duration such as "15m" or "1h30m", got number 900`}},
		{"expires after zero", one(`"id":"t","expires_after":"0s"`), []string{`offer "t": expires_after: 0s is not above zero`}},
		{"expires after too long", one(`"id":"t","expires_after":"25h"`), []string{`offer "t": expires_after: 25h0m0s is over 24h0m0s`}},

		// variants.
		{"variants empty", one(`"id":"t","variants":[]`), []string{`offer "t": variants: empty (leave it out for no A/B test)`}},
		{"variants not a list", one(`"id":"t","variants":{"a":50}`), []string{`offer "t": variants: want a list of variants, got an object`}},
		{"variant not an object", one(`"id":"t","variants":[{"id":"a","weight":50},"b"]`), []string{`offer "t": variants[1]: want an object, got string "b"`}},
		{"weights short of 100", one(`"id":"t","variants":[{"id":"a","weight":50},{"id":"b","weight":40}]`), []string{`offer "t": variants: weights add up to 90, want 100`}},
		{"weights over 100", one(`"id":"t","variants":[{"id":"a","weight":60},{"id":"b","weight":60}]`), []string{`offer "t": variants: weights add up to 120, want 100`}},
		{"weight missing", one(`"id":"t","variants":[{"id":"a","weight":100},{"id":"b"}]`), []string{`offer "t": variants[1].weight: missing`}},
		{"weight negative", one(`"id":"t","variants":[{"id":"a","weight":110},{"id":"b","weight":-10}]`), []string{`offer "t": variants[0].weight: 110 is over 100`, `offer "t": variants[1].weight: -10 is negative`}},
		{"weight zero is allowed", one(`"id":"t","variants":[{"id":"a","weight":100},{"id":"b","weight":0}]`), nil},
		{"variant id missing", one(`"id":"t","variants":[{"weight":50},{"id":"b","weight":50}]`), []string{`offer "t": variants[0].id: missing`}},
		{"variant id twice", one(`"id":"t","variants":[{"id":"a","weight":50},{"id":"a","weight":50}]`), []string{`offer "t": variants[1].id: "a" is used by another variant`}},
		{"variant id characters", one(`"id":"t","variants":[{"id":"a/b","weight":100}]`), []string{`offer "t": variants[0].id: "a/b" may only hold letters, digits, '.', '_' and '-'`}},
		{"variant discount over 100", one(`"id":"t","variants":[{"id":"a","weight":50},{"id":"b","weight":50,"discount":{"percent":101}}]`), []string{`offer "t": variants[1].discount.percent: 101 is over 100`}},
		{"variant discount over price", one(`"id":"t","variants":[{"id":"a","weight":50},{"id":"b","weight":50,"discount":{"amount":9999}}]`), []string{`offer "t": variants[1].discount.amount: 9999 is more than the unit price 2499 (24.99 USD): the price would be negative`}},
		{"variant title empty", one(`"id":"t","variants":[{"id":"a","weight":100,"title":""}]`), []string{`offer "t": variants[0].title: missing`}},
		{"variant image relative", one(`"id":"t","variants":[{"id":"a","weight":100,"image":"b.jpg"}]`), []string{`offer "t": variants[0].image: "b.jpg" is neither an http(s) URL nor a path starting with "/"`}},
		{"variant unknown field", one(`"id":"t","variants":[{"id":"a","weight":100,"price":100}]`), []string{`offer "t": variants[0]: unknown field "price"`}},

		// shipping.
		{"shipping", one(`"id":"t","shipping":499`), nil},
		{"shipping zero", one(`"id":"t","shipping":0,"placements":["cart"]`), nil},
		{"shipping negative", one(`"id":"t","shipping":-1`), []string{`offer "t": shipping: -1 is negative`}},
		{"shipping not minor units", one(`"id":"t","shipping":4.99`), []string{`offer "t": shipping: want a whole number of minor units (1499 for 14.99), got number 4.99`}},
		{"shipping too large", one(`"id":"t","shipping":1000000000001`), []string{`offer "t": shipping: 1000000000001 is over the limit of 1000000000000`}},
		{"shipping before purchase", one(`"id":"t","shipping":499,"placements":["thank_you","cart"]`), []string{`offer "t": shipping: only post-purchase offers (placement "thank_you" alone) charge shipping; before purchase the store's checkout does`}},

		// text.
		{"text", one(`"id":"t","text":{"pay":"Yes, add it · {amount}","headline":"One more thing"}`), nil},
		{"text not an object", one(`"id":"t","text":["pay"]`), []string{`offer "t": text: want an object, got a list`}},
		{"text value not a string", one(`"id":"t","text":{"pay":1}`), []string{`offer "t": text.pay: want a string, got number 1`}},
		{"text given twice", one(`"id":"t","text":{"pay":"a","pay":"b"}`), []string{`offer "t": text.pay: given more than once`}},
		{"text too long", one(`"id":"t","text":{"pay":"` + strings.Repeat("p", 513) + `"}`), []string{`offer "t": text.pay: longer than 512 bytes`}},

		// on_decline.
		{"on_decline unknown", one(`"id":"t","on_decline":"t-5"`), []string{`offer "t": on_decline: no offer "t-5" in the catalog`}},
		{"on_decline itself", one(`"id":"t","on_decline":"t"`), []string{`offer "t": on_decline: names the offer itself`}},
		{"on_decline empty", one(`"id":"t","on_decline":""`), []string{`offer "t": on_decline: empty (leave it out for no downsell)`}},
		{"on_decline other currency", `{"offers":[` + offerJSONText(`"id":"t","on_decline":"u"`) + `,` + offerJSONText(`"id":"u","trigger":{},"product":{"product_id":"p","title":"T","unit_price":100,"currency":"EUR"}`) + `]}`, []string{`offer "t": on_decline: offer "u" is in EUR, this offer in USD`}},
		{"on_decline other placement", `{"offers":[` + offerJSONText(`"id":"t","on_decline":"u"`) + `,` + offerJSONText(`"id":"u","placements":["cart"]`) + `]}`, []string{`offer "t": on_decline: offer "u" shares no placement with this offer`}},
		{"on_decline cycle", `{"offers":[` + offerJSONText(`"id":"a","on_decline":"b"`) + `,` + offerJSONText(`"id":"b","on_decline":"c"`) + `,` + offerJSONText(`"id":"c","on_decline":"b"`) + `]}`, []string{`offer "b": on_decline: declining leads back to this offer (b → c → b)`}},
		{"on_decline chain", `{"offers":[` + offerJSONText(`"id":"a","on_decline":"b"`) + `,` + offerJSONText(`"id":"b","on_decline":"c"`) + `,` + offerJSONText(`"id":"c"`) + `]}`, nil},
		{"on_accept loop with no way in", `{"offers":[` + offerJSONText(`"id":"a","on_accept":"b"`) + `,` + offerJSONText(`"id":"b","on_accept":"a"`) + `]}`, []string{
			`offer "a": id: this offer is only ever a next step (another offer's on_accept or on_decline names it), and no chain of them starts at an offer shown on its own: it would never be shown`,
			`offer "b": id: this offer is only ever a next step (another offer's on_accept or on_decline names it), and no chain of them starts at an offer shown on its own: it would never be shown`}},
		{"accept and decline loop with no way in", `{"offers":[` + offerJSONText(`"id":"a","on_decline":"b"`) + `,` + offerJSONText(`"id":"b","on_accept":"a"`) + `,` + offerJSONText(`"id":"c"`) + `]}`, []string{
			`offer "a": id: this offer is only ever a next step (another offer's on_accept or on_decline names it), and no chain of them starts at an offer shown on its own: it would never be shown`,
			`offer "b": id: this offer is only ever a next step (another offer's on_accept or on_decline names it), and no chain of them starts at an offer shown on its own: it would never be shown`}},
		{"on_accept loop with a way in", `{"offers":[` + offerJSONText(`"id":"s","on_accept":"a"`) + `,` + offerJSONText(`"id":"a","on_accept":"b"`) + `,` + offerJSONText(`"id":"b","on_accept":"a"`) + `]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog("t.json", []byte(tt.doc))
			var got []string
			if err != nil {
				var ce *CatalogError
				if !errors.As(err, &ce) {
					t.Fatalf("error %v is not a *CatalogError", err)
				}
				for _, line := range strings.Split(err.Error(), "\n") {
					rest, ok := strings.CutPrefix(line, "t.json: ")
					if !ok {
						t.Errorf("line %q does not start with the catalog's name", line)
					}
					got = append(got, rest)
				}
				if len(ce.Problems) != len(got) {
					t.Errorf("%d problems, %d lines", len(ce.Problems), len(got))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseCatalogTextKeys(t *testing.T) {
	doc := `[` + offerJSONText(`"id":"t","text":{"pay_now":"Add it · {amount}","headline":"Hi","zzz":"z"}`) + `]`
	if _, err := ParseCatalog("t.json", []byte(doc)); err != nil {
		t.Fatalf("without WithTextKeys any key is taken: %v", err)
	}
	_, err := ParseCatalog("t.json", []byte(doc), WithTextKeys([]string{"pay", "headline", "decline"}))
	want := "t.json: offer \"t\": text: unknown key \"pay_now\" (did you mean \"pay\"?)\n" +
		"t.json: offer \"t\": text: unknown key \"zzz\""
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	c, err := ParseCatalog("t.json", []byte(`[`+offerJSONText(`"id":"t","text":{"pay":"Add it · {amount}"}`)+`]`), WithTextKeys([]string{"pay"}))
	if err != nil || c.Offer("t").Text["pay"] != "Add it · {amount}" {
		t.Fatalf("%v", err)
	}
}

func TestParseCatalogReportsEveryProblem(t *testing.T) {
	doc := `{"version":1,"offers":[
		{"id":"thermos-10","placements":["thank_you","basket"],"triger":{},
		 "product":{"product_id":"t","title":"T","unit_price":"24.99","currency":"usd"},
		 "discount":{"percent":120},"expires_after":"15x","on_decline":"nope"},
		{"placements":[]},
		{"id":"ok","placements":["cart"],"product":{"product_id":"p","title":"P","unit_price":100,"currency":"EUR"}}
	]}`
	_, err := ParseCatalog("offers.json", []byte(doc))
	var ce *CatalogError
	if !errors.As(err, &ce) {
		t.Fatalf("want *CatalogError, got %v", err)
	}
	want := []Problem{
		{Offer: "thermos-10", Index: 0, Field: "", Message: `unknown field "triger" (did you mean "trigger"?)`},
		{Offer: "thermos-10", Index: 0, Field: "product.unit_price", Message: `want a whole number of minor units (1499 for 14.99), got string "24.99"`},
		{Offer: "thermos-10", Index: 0, Field: "expires_after", Message: `"15x" is not a duration such as "15m" or "1h30m"`},
		{Offer: "thermos-10", Index: 0, Field: "placements[1]", Message: `"basket" is not a placement (want "cart", "thank_you", "product", "checkout" or "popup")`},
		{Offer: "thermos-10", Index: 0, Field: "product.currency", Message: `"usd" is not an ISO 4217 code (codes are upper case: "USD")`},
		{Offer: "thermos-10", Index: 0, Field: "discount.percent", Message: `120 is over 100`},
		{Offer: "thermos-10", Index: 0, Field: "on_decline", Message: `no offer "nope" in the catalog`},
		{Offer: "", Index: 1, Field: "id", Message: `missing`},
		{Offer: "", Index: 1, Field: "placements", Message: `empty (want one or more of "cart", "thank_you", "product", "checkout" or "popup")`},
		{Offer: "", Index: 1, Field: "product", Message: `missing`},
	}
	if !reflect.DeepEqual(ce.Problems, want) {
		t.Errorf("problems:\n%s", err)
	}
	if ce.Name != "offers.json" {
		t.Errorf("Name %q", ce.Name)
	}
}

func TestCatalogErrorCapsItsMessage(t *testing.T) {
	var offers []string
	for range 60 {
		offers = append(offers, `{}`)
	}
	_, err := ParseCatalog("t.json", []byte(`[`+strings.Join(offers, ",")+`]`))
	var ce *CatalogError
	if !errors.As(err, &ce) || len(ce.Problems) != 180 {
		t.Fatalf("want 180 problems, got %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxReportedProblems+1 || lines[len(lines)-1] != "t.json: … and 130 more problems" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestCatalogJSONRoundTrip(t *testing.T) {
	first, err := LoadCatalog("testdata/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	second, err := ParseCatalog("again.json", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(first.Offers(), second.Offers()) {
		t.Errorf("round trip changed the offers:\n%s", data)
	}
	empty := mustParse(t, `[]`)
	if data, _ := json.Marshal(empty); string(data) != `{"version":1,"offers":[]}` {
		t.Errorf("empty catalog marshals as %s", data)
	}
}

func TestShadowRoundTrips(t *testing.T) {
	c := mustParse(t, `[`+offerJSONText(`"id":"s","shadow":true`)+`,`+offerJSONText(`"id":"live"`)+`]`)
	if !c.Offer("s").Shadow || c.Offer("live").Shadow {
		t.Fatalf("shadow = %v, %v; want true, false", c.Offer("s").Shadow, c.Offer("live").Shadow)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `"shadow":true`); n != 1 {
		t.Errorf("%d offers written with shadow, want 1:\n%s", n, data)
	}
	if again := mustParse(t, string(data)); !again.Offer("s").Shadow {
		t.Error("shadow lost in the round trip")
	}
}

func TestCatalogNormalisesTags(t *testing.T) {
	c := mustParse(t, `[`+offerJSONText(`"id":"t","trigger":{"tags":["Coffee"],"customer_tags":["VIP"],"statuses":["Paid"]}`)+`]`)
	tr := c.Offer("t").Trigger
	if tr.Tags[0] != "coffee" || tr.CustomerTags[0] != "vip" || tr.Statuses[0] != "paid" {
		t.Errorf("tags not lower-cased: %+v", tr)
	}
}

func TestDownsellCycles(t *testing.T) {
	tests := []struct {
		next []int
		want [][]int
	}{
		{[]int{}, nil},
		{[]int{-1, -1}, nil},
		{[]int{1, 2, -1}, nil},
		{[]int{1, 0}, [][]int{{0, 1}}},
		{[]int{1, 2, 1, 1}, [][]int{{1, 2}}},
		{[]int{2, 3, 0, 1, 0}, [][]int{{0, 2}, {1, 3}}},
		{[]int{1, 2, 3, 4, 2}, [][]int{{2, 3, 4}}},
	}
	for _, tt := range tests {
		if got := downsellCycles(tt.next); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("downsellCycles(%v) = %v, want %v", tt.next, got, tt.want)
		}
	}
}
