package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestUnmarshalPostPurchase(t *testing.T) {
	tests := []struct {
		name    string
		block   string
		want    *PostPurchaseConfig
		wantErr string
	}{
		{"mode only", `post_purchase inline`, &PostPurchaseConfig{Mode: PostPurchaseInline}, ""},
		{"no mode, options", "post_purchase {\n window 10m\n max_steps 2\n}", &PostPurchaseConfig{Window: caddy.Duration(10 * time.Minute), MaxSteps: 2}, ""},
		{"every option", "post_purchase page {\n window 5m\n max_steps 1\n stylesheet /t.css\n icon /i.svg\n link Refunds /refunds\n link \"Privacy policy\" /privacy\n text pay \"Zahlen · {amount}\"\n text headline Hallo\n}",
			&PostPurchaseConfig{Mode: PostPurchasePage, Window: caddy.Duration(5 * time.Minute), MaxSteps: 1, Stylesheet: "/t.css", Icon: "/i.svg",
				Links: []PageLink{{"Refunds", "/refunds"}, {"Privacy policy", "/privacy"}},
				Texts: map[string]string{"pay": "Zahlen · {amount}", "headline": "Hallo"}}, ""},
		// Validate checks the values (TestConfigRulesNameFileAndLine).
		{"unknown mode", `post_purchase popup`, &PostPurchaseConfig{Mode: "popup"}, ""},
		{"unknown option", "post_purchase page {\n colour red\n}", nil, `unknown post_purchase option "colour"`},
		{"unknown text", "post_purchase page {\n text button Buy\n}", &PostPurchaseConfig{Mode: PostPurchasePage, Texts: map[string]string{"button": "Buy"}}, ""},
		{"link without its URL", "post_purchase page {\n link Refunds\n}", nil, "link needs a label and a URL"},
		{"text without its text", "post_purchase page {\n text pay\n}", nil, "text needs a key and the text"},
		{"bad window", "post_purchase page {\n window soon\n}", nil, `window: "soon" is not a positive duration`},
		{"bad steps", "post_purchase page {\n max_steps some\n}", nil, `max_steps: "some" is not a whole number`},
		{"twice", "post_purchase page\npost_purchase inline", nil, "post_purchase is already set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Handler
			err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser("upsell {\n" + tt.block + "\n}"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "Testfile:") {
					t.Errorf("error %q does not name the file and line", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h.PostPurchase, tt.want) {
				t.Errorf("got %+v, want %+v", h.PostPurchase, tt.want)
			}
		})
	}
}

func TestPostPurchaseDefaultsAndValidation(t *testing.T) {
	c := &PostPurchaseConfig{}
	c.setDefaults()
	if c.Mode != PostPurchasePage || time.Duration(c.Window) != DefaultOfferWindow || c.MaxSteps != DefaultMaxSteps {
		t.Errorf("defaults %+v", c)
	}
	if err := c.validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
	for _, bad := range []PostPurchaseConfig{
		{Mode: "popup", Window: caddy.Duration(time.Minute), MaxSteps: 1},
		{Mode: PostPurchasePage, Window: caddy.Duration(25 * time.Hour), MaxSteps: 1},
		{Mode: PostPurchasePage, Window: caddy.Duration(time.Minute), MaxSteps: 6},
		{Mode: PostPurchasePage, Window: caddy.Duration(time.Minute), MaxSteps: 1, Texts: map[string]string{"nope": "x"}},
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("%+v validates", bad)
		}
	}
}
