package caddymodule_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
)

// validate adapts a Caddyfile and provisions it the way `caddy validate`
// does, without starting servers.
func validate(t *testing.T, caddyfile string) error {
	t.Helper()
	adapter := caddyconfig.GetAdapter("caddyfile")
	raw, warnings, err := adapter.Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
	if err != nil {
		return err
	}
	for _, w := range warnings {
		t.Logf("adapt warning: %s", w.Message)
	}
	var cfg caddy.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("adapted config: %v", err)
	}
	return caddy.Validate(&cfg)
}

func TestValidateNamesTheBrokenOfferAndField(t *testing.T) {
	err := validate(t, `{
	admin off
}
http://127.0.0.1:9080 {
	upsell {
		catalog testdata/broken-offers.json
		secret `+secret+`
		thank_you /checkout/success/{order_id}
		store http://127.0.0.1:9301
	}
}`)
	if err == nil {
		t.Fatal("a catalog with a discount over 100% validated")
	}
	for _, want := range []string{"broken-offers.json", `offer "thermos-10"`, "discount.percent", "120"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestValidateCaddyfileErrorNamesFileAndLine(t *testing.T) {
	err := validate(t, "http://127.0.0.1:9080 {\n\tupsell {\n\t\tmax_offers lots\n\t}\n}\n")
	if err == nil || !strings.Contains(err.Error(), "Caddyfile:3") {
		t.Fatalf("error %v does not name Caddyfile:3", err)
	}
}

func TestExampleCaddyfileValidates(t *testing.T) {
	src, err := os.ReadFile("../Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	// Paths in the example are relative to the repository root.
	t.Chdir("..")
	if err := validate(t, string(src)); err != nil {
		t.Fatalf("Caddyfile.example: %v", err)
	}
}
