package caddymodule

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

const testSecret = "0123456789abcdef0123456789abcdef"

func TestUnmarshalCaddyfile(t *testing.T) {
	full := `upsell {
		catalog offers.json
		secret ` + testSecret + ` ` + testSecret + `-old
		cart /cart /basket/*
		thank_you /checkout/success/{order_id}
		prefix /_kairo
		max_offers 3
		mount "#cart-summary"
		locale de-CH
		cart_token_ttl 45m
		selection_ttl 10s
		context_ttl 2s
		context_in_page
		state file /var/lib/kairo/state.db {
			max_records 5000
		}
		store http://127.0.0.1:9300 {
			cart_context /api/cart
			order_context /api/orders/{order_id}
			order_accept /api/orders/{order_id}/upsells
			cart_add /api/cart/items
			header Authorization "Bearer abc"
			timeout 200ms
			accept_timeout 5s
		}
	}`
	want := Handler{
		Catalog:       "offers.json",
		Secrets:       []string{testSecret, testSecret + "-old"},
		CartPaths:     []string{"/cart", "/basket/*"},
		ThankYouPaths: []string{"/checkout/success/{order_id}"},
		Prefix:        "/_kairo",
		MaxOffers:     3,
		Mount:         "#cart-summary",
		Locale:        "de-CH",
		CartTokenTTL:  caddy.Duration(45 * time.Minute),
		SelectionTTL:  caddy.Duration(10 * time.Second),
		ContextTTL:    caddy.Duration(2 * time.Second),
		ContextInPage: true,
		State:         &StateConfig{File: "/var/lib/kairo/state.db", MaxRecords: 5000},
	}
	wantStore := `{"connector":"contract","url":"http://127.0.0.1:9300","timeout":200000000,"accept_timeout":5000000000,
		"cart_context":"/api/cart","order_context":"/api/orders/{order_id}","order_accept":"/api/orders/{order_id}/upsells",
		"cart_add":"/api/cart/items","headers":{"Authorization":"Bearer abc"}}`
	var got Handler
	if err := got.UnmarshalCaddyfile(caddyfile.NewTestDispenser(full)); err != nil {
		t.Fatalf("UnmarshalCaddyfile: %v", err)
	}
	if !sameJSON(t, got.StoreRaw, wantStore) {
		t.Errorf("store: got %s\nwant %s", got.StoreRaw, wantStore)
	}
	got.StoreRaw = nil
	// Where each option was written, for the errors of Provision and
	// Validate (TestConfigRulesNameFileAndLine).
	for opt, at := range map[string]string{"catalog": "Testfile:2", "secret": "Testfile:3", "max_offers": "Testfile:7", "locale": "Testfile:9", "store": "Testfile:17"} {
		if got.CaddyfileLines[opt] != at {
			t.Errorf("CaddyfileLines[%s] = %q, want %q", opt, got.CaddyfileLines[opt], at)
		}
	}
	got.CaddyfileLines = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	for src, want := range map[string]StateConfig{
		"upsell {\n state file\n}":                              {},
		"upsell {\n state redis://10.0.0.5:6379/2\n}":           {Redis: "redis://10.0.0.5:6379/2"},
		"upsell {\n state rediss://u:p@redis.example:6380/0\n}": {Redis: "rediss://u:p@redis.example:6380/0"},
	} {
		var h Handler
		if err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(src)); err != nil || h.State == nil || *h.State != want {
			t.Errorf("%q: state %+v, %v; want %+v", src, h.State, err, want)
		}
	}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a []byte, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// TestUnmarshalStore checks that each store module is chosen by name, and
// that a bare URL (or the name contract) is the JSON contract.
func TestUnmarshalStore(t *testing.T) {
	tests := []struct{ input, want string }{
		{"store http://127.0.0.1:9300", `{"connector":"contract","url":"http://127.0.0.1:9300"}`},
		{"store contract http://127.0.0.1:9300 {\n timeout 1s\n}", `{"connector":"contract","url":"http://127.0.0.1:9300","timeout":1000000000}`},
		{"store vendure http://127.0.0.1:3000 {\n admin_user ann\n admin_password secret\n payment_method standard-payment\n token_cookie vendure-token\n}",
			`{"connector":"vendure","url":"http://127.0.0.1:3000","admin_user":"ann","admin_password":"secret","payment_method":"standard-payment","token_cookie":"vendure-token"}`},
		{"store evershop http://127.0.0.1:3000 {\n admin_email a@example.com\n admin_password secret\n timeout 800ms\n}",
			`{"connector":"evershop","url":"http://127.0.0.1:3000","admin_email":"a@example.com","admin_password":"secret","timeout":800000000}`},
	}
	for _, tt := range tests {
		var h Handler
		if err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser("upsell {\n" + tt.input + "\n}")); err != nil {
			t.Errorf("%q: %v", tt.input, err)
			continue
		}
		if !sameJSON(t, h.StoreRaw, tt.want) {
			t.Errorf("%q: got %s, want %s", tt.input, h.StoreRaw, tt.want)
		}
	}
}

// TestUnmarshalCaddyfileErrors: tokens of the wrong shape. The options'
// rules are checked in Provision and Validate: TestConfigRulesNameFileAndLine.
func TestUnmarshalCaddyfileErrors(t *testing.T) {
	tests := []struct {
		name, input string
		wantErr     string // "Testfile:<line>", then optionally " - " and a message substring
	}{
		{"argument on first line", "upsell extra", "Testfile:1"},
		{"unknown option", "upsell {\n catalog a.json\n colour blue\n}", `Testfile:3 - unknown upsell option "colour"`},
		{"catalog without value", "upsell {\n catalog\n}", "Testfile:2 - catalog needs a value"},
		{"catalog with two values", "upsell {\n catalog a.json b.json\n}", "Testfile:2 - catalog takes one value"},
		{"secret without value", "upsell {\n secret\n}", "Testfile:2"},
		{"max_offers not a number", "upsell {\n max_offers many\n}", `Testfile:2 - max_offers: "many" is not a whole number`},
		{"cart without path", "upsell {\n cart\n}", "Testfile:2 - cart needs at least one page path"},
		{"context_in_page with a value", "upsell {\n context_in_page yes\n}", `Testfile:2 - context_in_page takes no value, got "yes"`},
		{"bad duration", "upsell {\n cart_token_ttl soon\n}", `Testfile:2 - cart_token_ttl: "soon" is not a positive duration`},
		{"store without url", "upsell {\n store {\n }\n}", "Testfile:2 - store needs the store's base URL"},
		{"unknown connector", "upsell {\n store magento http://a\n}", `Testfile:2 - store: unknown connector "magento"`},
		{"vendure without url", "upsell {\n store vendure {\n  admin_user a\n }\n}", "Testfile:2 - store vendure needs the store's base URL"},
		{"unknown vendure option", "upsell {\n store vendure http://a {\n  admin_email a@b\n }\n}", `Testfile:3 - unknown vendure store option "admin_email"`},
		{"unknown evershop option", "upsell {\n store evershop http://a {\n  admin_user a\n }\n}", `Testfile:3 - unknown evershop store option "admin_user"`},
		{"store twice", "upsell {\n store http://a\n store http://b\n}", "Testfile:3 - store is already set"},
		{"store url not http", "upsell {\n store ftp://a\n}", `Testfile:2 - store: url "ftp://a": want http(s)://host[:port]`},
		{"unknown store option", "upsell {\n store http://a {\n  colour blue\n }\n}", `Testfile:3 - unknown store option "colour"`},
		{"header with one value", "upsell {\n store http://a {\n  header Authorization\n }\n}", "Testfile:3 - header needs a name and a value"},
		{"state without place", "upsell {\n state\n}", "Testfile:2 - state needs where to keep it"},
		{"state somewhere odd", "upsell {\n state memcached://x\n}", `Testfile:2 - state "memcached://x": want file`},
		{"state with two places", "upsell {\n state file a.db b.db\n}", `Testfile:2 - state takes one place`},
		{"state twice", "upsell {\n state file\n state file\n}", "Testfile:3 - state is already set"},
		{"state max_records on redis", "upsell {\n state redis://a:1/0 {\n  max_records 5\n }\n}", "Testfile:3 - max_records is for the embedded file"},
		{"state max_records zero", "upsell {\n state file {\n  max_records 0\n }\n}", `Testfile:3 - max_records: "0" is not a positive`},
		{"negative timeout", "upsell {\n store http://a {\n  timeout -1s\n }\n}", `Testfile:3 - timeout: "-1s" is not a positive duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Handler
			err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.input))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			}
			where, msg, _ := strings.Cut(tt.wantErr, " - ")
			if !strings.HasSuffix(err.Error(), ", at "+where) || !strings.Contains(err.Error(), msg) {
				t.Errorf("error %q does not name %s and say %q", err, where, msg)
			}
		})
	}
}

func TestPathPatterns(t *testing.T) {
	tests := []struct {
		pattern, path string
		wantOK        bool
		wantOrder     string
	}{
		{"/cart", "/cart", true, ""},
		{"/cart", "/cart/", true, ""},
		{"/cart", "/cart/x", false, ""},
		{"/cart", "/carts", false, ""},
		{"/cart", "/", false, ""},
		{"/basket/*", "/basket", true, ""},
		{"/basket/*", "/basket/mini", true, ""},
		{"/basket/*", "/basketball", false, ""},
		{"/checkout/success/{order_id}", "/checkout/success/o-42", true, "o-42"},
		{"/checkout/success/{order_id}", "/checkout/success/", false, ""},
		{"/checkout/success/{order_id}", "/checkout/success", false, ""},
		{"/checkout/success/{order_id}", "/checkout/success/o-42/more", false, ""},
		{"/orders/{order_id}/thanks", "/orders/7/thanks", true, "7"},
		{"/orders/{order_id}/thanks", "/orders/7/other", false, ""},
		{"/", "/", true, ""},
	}
	for _, tt := range tests {
		p, err := parsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("parsePattern(%q): %v", tt.pattern, err)
		}
		order, ok := p.match(tt.path)
		if ok != tt.wantOK || order != tt.wantOrder {
			t.Errorf("%q.match(%q) = %q, %v; want %q, %v", tt.pattern, tt.path, order, ok, tt.wantOrder, tt.wantOK)
		}
	}
}

func TestSafeReturnPath(t *testing.T) {
	tests := map[string]string{
		"/checkout/success/1":   "/checkout/success/1",
		"/cart?x=1":             "/cart?x=1",
		"":                      "/",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"javascript:alert(1)":   "/",
		"cart":                  "/",
	}
	for in, want := range tests {
		if got := safeReturnPath(in); got != want {
			t.Errorf("safeReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}
