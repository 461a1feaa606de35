package caddymodule_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
)

// validate adapts a Caddyfile and provisions it the way `caddy validate`
// does, without starting servers.
func validate(t *testing.T, caddyfile string) error {
	t.Helper()
	return validateFile(t, "Caddyfile", caddyfile)
}

// validateFile is validate for a Caddyfile read from filename.
func validateFile(t *testing.T, filename, caddyfile string) error {
	t.Helper()
	adapter := caddyconfig.GetAdapter("caddyfile")
	raw, warnings, err := adapter.Adapt([]byte(caddyfile), map[string]any{"filename": filename})
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

// TestConfigRulesNameFileAndLine: a value an upsell option cannot take is
// refused once, by Provision or Validate, in one wording, and from a
// Caddyfile the error names the file and line the option was written at.
func TestConfigRulesNameFileAndLine(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	lines := []string{
		"catalog ../demo/offers.json", // line 6
		"secret " + secret,            // line 7
		"cart /cart",                  // line 8
		"store http://127.0.0.1:9301", // line 9
	}
	for _, tt := range []struct {
		name    string
		replace int    // the line of lines to replace (6-9), or 0 to add one at line 10
		option  string // the option's line(s)
		line    int
		want    string
	}{
		{"catalog", 6, "catalog testdata/broken-offers.json", 6, `catalog: testdata/broken-offers.json: offer "thermos-10": discount.percent`},
		{"short secret", 7, "secret tooshort", 7, "secret: a secret of 8 bytes is too short"},
		{"cart pattern", 8, "cart cart", 8, `cart: pattern "cart" must start with /`},
		{"thank_you without order id", 0, "thank_you /thanks", 10, `thank_you: pattern "/thanks" has no {order_id} segment`},
		{"product without product id", 0, "product /p/{id}", 10, `product: pattern "/p/{id}"`},
		{"prefix", 0, "prefix kairo", 10, `prefix "kairo" must start with /`},
		{"max_offers", 0, "max_offers -1", 10, "max_offers -1: want 1 or more"},
		{"popup_cap", 0, "popup_cap -2", 10, "popup_cap -2: want 1 or more"},
		{"placement", 0, "placement cart {\n after_add refresh\n}", 10, `placement cart: after_add "refresh": want reload or none`},
		{"holdout", 0, "holdout 80%", 10, `holdout "80%": over 50%`},
		{"post_purchase mode", 0, "post_purchase bogus", 10, `post_purchase: mode "bogus" is neither "page" nor "inline"`},
		{"post_purchase max_steps", 0, "post_purchase page {\n max_steps 9\n}", 10, "post_purchase: max_steps 9 is not between 1 and 5"},
		{"post_purchase text", 0, "post_purchase page {\n text slogan hi\n}", 10, `post_purchase: text "slogan" is not a text of the offer page`},
		{"locale", 0, "locale de_DE!", 10, `locale "de_DE!": want a BCP 47 language tag such as "de-DE"`},
		{"catalog text", 6, "catalog testdata/unknown-text-offers.json", 6, `catalog: testdata/unknown-text-offers.json: offer "thermos-20": text: unknown key "pay_now" (did you mean "pay"?)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]string(nil), lines...)
			if tt.replace > 0 {
				opts[tt.replace-6] = tt.option
			} else {
				opts = append(opts, tt.option)
			}
			src := "{\n\tadmin off\n}\nhttp://127.0.0.1:9080 {\n\tupsell {\n\t\t" + strings.Join(opts, "\n\t\t") + "\n\t}\n}\n"
			err := validate(t, src)
			want := fmt.Sprintf("upsell: %s", tt.want)
			at := fmt.Sprintf(", at Caddyfile:%d", tt.line)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), at) {
				t.Fatalf("error %v\nwant %q ... %q", err, want, at)
			}
			if strings.Count(err.Error(), tt.want) != 1 || strings.Count(err.Error(), ", at ") != 1 {
				t.Errorf("error %q says it more than once", err)
			}
		})
	}
}

// exampleEnv is the environment Caddyfile.example asks for (CI sets the
// same for `caddy validate`).
var exampleEnv = map[string]string{
	"SHOP_DOMAIN":    "shop.example.com",
	"STORE_UPSTREAM": "127.0.0.1:3000",
	"UPSELL_SECRET":  "example-secret-0123456789abcdef-0123456789",
	"STORE_TOKEN":    "example-store-token",
	"UPSELL_CATALOG": "demo/offers.json",
	"DASHBOARD_HASH": "$2a$12$j4JWK480UtZEX6E3HQix9.W0O4F6Wf2ZHn.yqRaULji2mcugBcb12",
}

// validateExample validates Caddyfile.example from the repository root,
// with exampleEnv less the variables named in unset.
func validateExample(t *testing.T, unset ...string) error {
	t.Helper()
	// Paths in the example are relative to the repository root.
	t.Chdir("..")
	for k, v := range exampleEnv {
		t.Setenv(k, v)
	}
	for _, k := range unset {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	src, err := os.ReadFile("Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	return validateFile(t, "Caddyfile.example", string(src))
}

func TestExampleCaddyfileValidates(t *testing.T) {
	if err := validateExample(t); err != nil {
		t.Fatalf("Caddyfile.example: %v", err)
	}
}

// TestExampleCaddyfileNamesAnUnsetVariable: a secret or credential left
// empty by an unset variable is an error naming the variable and the line,
// not Caddy's "wrong argument count", nor a valid config.
func TestExampleCaddyfileNamesAnUnsetVariable(t *testing.T) {
	for _, tt := range []struct{ unset, line string }{
		{"UPSELL_SECRET", "secret {$UPSELL_SECRET}"},
		{"STORE_TOKEN", `header Authorization "Bearer {$STORE_TOKEN}"`},
		{"STORE_UPSTREAM", "store http://{$STORE_UPSTREAM} {"},
		{"SHOP_DOMAIN", "{$SHOP_DOMAIN} {"},
		{"DASHBOARD_HASH", "operator {$DASHBOARD_HASH}"},
	} {
		t.Run(tt.unset, func(t *testing.T) {
			err := validateExample(t, tt.unset)
			if err == nil {
				t.Fatalf("Caddyfile.example validated with %s unset", tt.unset)
			}
			want := fmt.Sprintf("{$%s} is empty: set %s in the environment Caddy runs in, at Caddyfile.example:%d", tt.unset, tt.unset, lineOf(t, "Caddyfile.example", tt.line))
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\nwant it to contain %q", err, want)
			}
		})
	}
}

// TestUnsetVariablesNamedWithoutTheGlobalOption: without
// upsell_require_env, an upsell option left empty by an unset variable
// still names it and its line.
func TestUnsetVariablesNamedWithoutTheGlobalOption(t *testing.T) {
	os.Unsetenv("KAIRO_TEST_UNSET_SECRET")
	dir := t.TempDir()
	file := filepath.Join(dir, "Caddyfile")
	src := "http://127.0.0.1:9080 {\n\tupsell {\n\t\tcatalog testdata/offers.json\n\t\tsecret {$KAIRO_TEST_UNSET_SECRET}\n\t}\n}\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	err := validateFile(t, file, src)
	want := "secret: {$KAIRO_TEST_UNSET_SECRET} is empty: set KAIRO_TEST_UNSET_SECRET in the environment Caddy runs in, at " + file + ":4"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v\nwant it to contain %q", err, want)
	}
}

// TestRequireEnvNamesEveryUnsetVariable: upsell_require_env names each
// empty placeholder of the file with its line, and leaves comments and
// placeholders with a default alone.
func TestRequireEnvNamesEveryUnsetVariable(t *testing.T) {
	os.Unsetenv("KAIRO_TEST_SITE")
	os.Unsetenv("KAIRO_TEST_UPSTREAM")
	t.Setenv("KAIRO_TEST_SET", "127.0.0.1:3000")
	file := filepath.Join(t.TempDir(), "Caddyfile")
	src := `{
	upsell_require_env
}
# {$KAIRO_TEST_IN_A_COMMENT} is not read
{$KAIRO_TEST_SITE} {
	reverse_proxy {$KAIRO_TEST_UPSTREAM} {$KAIRO_TEST_SET} {$KAIRO_TEST_DEFAULTED:127.0.0.1:3001}
}
`
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	err := validateFile(t, file, src)
	if err == nil {
		t.Fatal("a Caddyfile with unset variables validated")
	}
	for _, want := range []string{
		"{$KAIRO_TEST_SITE} is empty: set KAIRO_TEST_SITE in the environment Caddy runs in, at " + file + ":5",
		"{$KAIRO_TEST_UPSTREAM} is empty: set KAIRO_TEST_UPSTREAM in the environment Caddy runs in, at " + file + ":6",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nwant it to contain %q", err, want)
		}
	}
	for _, not := range []string{"KAIRO_TEST_IN_A_COMMENT", "KAIRO_TEST_SET", "KAIRO_TEST_DEFAULTED", "without any key"} {
		if strings.Contains(err.Error(), not) {
			t.Errorf("error %q names %s", err, not)
		}
	}
}

// lineOf is the number of the first line of file that holds text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

// TestDemoCaddyfileValidates: the demo's config loads on a fresh clone,
// with no environment variables.
func TestDemoCaddyfileValidates(t *testing.T) {
	t.Chdir("..")
	for k := range exampleEnv {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	src, err := os.ReadFile("demo/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	if err := validateFile(t, "demo/Caddyfile", string(src)); err != nil {
		t.Fatalf("demo/Caddyfile: %v", err)
	}
}
