package offers

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseContext(t *testing.T) {
	data := []byte(`{
		"id": "1001", "currency": "usd", "subtotal": 4599,
		"items": [
			{"product_id": "mug", "variant_id": "mug-white", "quantity": 1, "unit_price": 1999, "tags": ["Kitchen"], "sku": "M-1"},
			{"product_id": "beans", "quantity": 2, "unit_price": 1300}
		],
		"customer": {"id": "c1", "tags": ["VIP"], "orders_count": 3, "email": "a@example.com"},
		"status": "Paid",
		"shipping_address": {"city": "Lyon"}
	}`)
	got, err := ParseContext(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Context{
		ID: "1001", Currency: "USD", Subtotal: 4599,
		Items: []Item{
			{ProductID: "mug", VariantID: "mug-white", Quantity: 1, UnitPrice: 1999, Tags: []string{"kitchen"}},
			{ProductID: "beans", Quantity: 2, UnitPrice: 1300},
		},
		Customer: &Customer{ID: "c1", Tags: []string{"vip"}, OrdersCount: 3},
		Status:   "paid",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got.NewCustomer() {
		t.Error("a customer with 3 orders is not new")
	}
	if !got.HasProduct("beans") || got.HasProduct("thermos") {
		t.Error("HasProduct disagrees with the items")
	}
}

func TestParseContextGuest(t *testing.T) {
	c, err := ParseContext([]byte(`{"id":"cart-9","currency":"EUR","subtotal":0,"items":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Customer != nil || !c.NewCustomer() {
		t.Errorf("a guest is a new customer, got %+v", c.Customer)
	}
}

func TestParseContextPayment(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{`{"id":"1","currency":"USD"}`, CollectCharge},
		{`{"id":"1","currency":"USD","payment":{"method":"card"}}`, CollectCharge},
		{`{"id":"1","currency":"USD","payment":{"method":"cod","title":"Cash on delivery","collect":"Offline"}}`, CollectOffline},
		{`{"id":"1","currency":"USD","payment":{"method":"stripe","collect":"pay_link"}}`, CollectPayLink},
		{`{"id":"1","currency":"USD","subtotal":5,"items":[{"product_id":"a","quantity":1,"unit_price":5}],"status":"paid","payment":{"method":"cod","collect":"offline"}}`, CollectOffline},
	} {
		c, err := ParseContext([]byte(tt.data))
		if err != nil {
			t.Fatalf("%s: %v", tt.data, err)
		}
		if got := c.Collect(); got != tt.want {
			t.Errorf("%s: collect %q, want %q", tt.data, got, tt.want)
		}
	}
}

func TestParseContextLocale(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{`{"id":"1","currency":"EUR"}`, ""},
		{`{"id":"1","currency":"EUR","locale":"de-DE"}`, "de-DE"},
		{`{"id":"1","currency":"EUR","locale":"fr_ca"}`, "fr-CA"},
		{`{"id":"1","currency":"EUR","locale":"not a tag"}`, ""}, // dropped, not an error: the page still sells
		{`{"id":"1","currency":"EUR","locale":"d\u0065-DE"}`, "de-DE"},
	} {
		c, err := ParseContext([]byte(tt.data))
		if err != nil {
			t.Fatalf("%s: %v", tt.data, err)
		}
		if c.Locale != tt.want {
			t.Errorf("%s: locale %q, want %q", tt.data, c.Locale, tt.want)
		}
	}
}

func TestParseContextErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty", ``, "context: want a JSON object, got nothing"},
		{"list", `[1]`, "context: want a JSON object, got a list"},
		{"truncated", `{"id":"1"`, "context: invalid JSON"},
		{"no id", `{"currency":"USD","subtotal":1}`, "context: id: missing"},
		{"no currency", `{"id":"1","subtotal":1}`, "context: currency: missing"},
		{"bad currency", `{"id":"1","currency":"DOLLARS"}`, `context: currency: "DOLLARS" is not an ISO 4217 code`},
		{"negative subtotal", `{"id":"1","currency":"USD","subtotal":-1}`, "context: subtotal: -1 is negative"},
		{"float subtotal", `{"id":"1","currency":"USD","subtotal":45.99}`, "context: subtotal: want a whole number, got number 45.99"},
		{"string price", `{"id":"1","currency":"USD","items":[{"product_id":"a","unit_price":"19.99"}]}`, "context: items.unit_price: want a whole number, got string"},
		{"item without product", `{"id":"1","currency":"USD","items":[{"quantity":1},{"product_id":""}]}`, "context: items[0].product_id: missing; items[1].product_id: missing"},
		{"negative quantity", `{"id":"1","currency":"USD","items":[{"product_id":"a","quantity":-2}]}`, "context: items[0].quantity: -2 is negative"},
		{"negative price", `{"id":"1","currency":"USD","items":[{"product_id":"a","unit_price":-2}]}`, "context: items[0].unit_price: -2 is negative"},
		{"negative orders", `{"id":"1","currency":"USD","customer":{"orders_count":-1}}`, "context: customer.orders_count: -1 is negative"},
		{"tags not a list", `{"id":"1","currency":"USD","customer":{"tags":"vip"}}`, "context: customer.tags: want a list, got string"},
		{"unknown collect", `{"id":"1","currency":"USD","payment":{"method":"cod","collect":"later"}}`, `context: payment.collect: "later" is none of "charge", "offline", "pay_link"`},
		{"every problem", `{"subtotal":-1}`, "context: id: missing; currency: missing; subtotal: -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseContext([]byte(tt.data))
			if err == nil {
				t.Fatalf("no error, got %+v", c)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not start with %q", err, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := func() *Context {
		return &Context{
			ID: "1001", Currency: "USD", Subtotal: 4599, Status: "paid",
			Items: []Item{
				{ProductID: "mug", VariantID: "mug-white", Quantity: 1, UnitPrice: 1999, Tags: []string{"kitchen", "gift"}},
				{ProductID: "beans", Quantity: 2, UnitPrice: 1300, Tags: []string{"coffee"}},
			},
			Customer: &Customer{ID: "c1", Tags: []string{"vip"}, OrdersCount: 3},
		}
	}
	same := map[string]func(c *Context){
		"another id":           func(c *Context) { c.ID = "1002" },
		"another customer id":  func(c *Context) { c.Customer.ID = "c2" },
		"items reordered":      func(c *Context) { c.Items[0], c.Items[1] = c.Items[1], c.Items[0] },
		"item tags reordered":  func(c *Context) { c.Items[0].Tags = []string{"gift", "kitchen"} },
		"tags moved to others": func(c *Context) { c.Items[0].Tags, c.Items[1].Tags = []string{"kitchen"}, []string{"coffee", "gift"} },
		"tag case":             func(c *Context) { c.Items[1].Tags = []string{"Coffee"} },
		"status case":          func(c *Context) { c.Status = "PAID" },
		"quantities":           func(c *Context) { c.Items[1].Quantity = 5 },
		"unit prices":          func(c *Context) { c.Items[0].UnitPrice = 1 },
		"variant ids":          func(c *Context) { c.Items[0].VariantID = "mug-black" },
		"more earlier orders":  func(c *Context) { c.Customer.OrdersCount = 10 },
	}
	different := map[string]func(c *Context){
		"currency":            func(c *Context) { c.Currency = "EUR" },
		"subtotal":            func(c *Context) { c.Subtotal++ },
		"product added":       func(c *Context) { c.Items = append(c.Items, Item{ProductID: "thermos"}) },
		"product changed":     func(c *Context) { c.Items[0].ProductID = "cup" },
		"item tag changed":    func(c *Context) { c.Items[0].Tags[1] = "gifts" },
		"item tag removed":    func(c *Context) { c.Items[0].Tags = c.Items[0].Tags[:1] },
		"customer tag":        func(c *Context) { c.Customer.Tags = []string{"wholesale"} },
		"customer tag added":  func(c *Context) { c.Customer.Tags = append(c.Customer.Tags, "staff") },
		"new customer":        func(c *Context) { c.Customer.OrdersCount = 0 },
		"guest":               func(c *Context) { c.Customer = nil },
		"status":              func(c *Context) { c.Status = "pending" },
		"product id as tag":   func(c *Context) { c.Items[1].Tags = []string{"beans"} },
		"tag as customer tag": func(c *Context) { c.Customer.Tags = []string{"kitchen"} },
	}
	want := base().Fingerprint()
	for name, change := range same {
		c := base()
		change(c)
		if got := c.Fingerprint(); got != want {
			t.Errorf("%s: fingerprint changed, targeting reads none of it", name)
		}
	}
	seen := map[uint64]string{want: "base"}
	for name, change := range different {
		c := base()
		change(c)
		got := c.Fingerprint()
		if other, dup := seen[got]; dup {
			t.Errorf("%s: same fingerprint as %s", name, other)
		}
		seen[got] = name
	}
}

// TestFingerprintStable pins the fingerprint of one context. Fingerprints
// key caches shared by every instance of a fleet, so a change in the hash
// must be a deliberate, visible decision, not an accident.
func TestFingerprintStable(t *testing.T) {
	c := &Context{
		ID: "1001", Currency: "USD", Subtotal: 4599, Status: "paid",
		Items:    []Item{{ProductID: "mug", Tags: []string{"kitchen"}}},
		Customer: &Customer{Tags: []string{"vip"}, OrdersCount: 3},
	}
	const want = 0x2a0ad3827ec048fe
	if got := c.Fingerprint(); got != want {
		t.Errorf("Fingerprint() = %#x, want %#x", got, uint64(want))
	}
}
