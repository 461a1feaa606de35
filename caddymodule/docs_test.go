package caddymodule_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
)

// caddyfileBlock is a Caddyfile in a Markdown page.
var caddyfileBlock = regexp.MustCompile("(?s)```caddyfile\n(.*?)```")

// TestConnectingPageCaddyfilesAdapt checks that every Caddyfile on the
// "Connecting your store" page adapts, and picks the store module it
// names.
func TestConnectingPageCaddyfilesAdapt(t *testing.T) {
	page, err := os.ReadFile("../docs/connecting.md")
	if err != nil {
		t.Fatal(err)
	}
	// The operator's environment, as the page asks them to set it.
	for _, name := range []string{"UPSELL_SECRET", "VENDURE_KAIRO_USER", "VENDURE_KAIRO_PASSWORD", "EVERSHOP_KAIRO_EMAIL", "EVERSHOP_KAIRO_PASSWORD"} {
		t.Setenv(name, "set-by-the-operator-0123456789abcdef")
	}
	blocks := caddyfileBlock.FindAllStringSubmatch(string(page), -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/connecting.md has %d Caddyfiles, want one per connector", len(blocks))
	}
	for _, b := range blocks {
		out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(b[1]), nil)
		if err != nil {
			t.Errorf("this Caddyfile does not adapt: %v\n%s", err, b[1])
			continue
		}
		for _, w := range warnings {
			t.Errorf("warning %s:%d: %s", w.File, w.Line, w.Message)
		}
		connector := regexp.MustCompile(`store (\w+) http`).FindStringSubmatch(b[1])
		if connector == nil || !strings.Contains(string(out), `"connector":"`+connector[1]+`"`) {
			t.Errorf("the adapted config does not name the %v store module: %s", connector, out)
		}
		if !json.Valid(out) {
			t.Errorf("adapted config is not JSON")
		}
	}
}
