package woocommerce

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestCaddyfile(t *testing.T) {
	for _, tt := range []struct {
		name  string
		input string
		want  Connector
		err   string
	}{
		{
			name: "a REST key from the environment",
			input: `store woocommerce https://shop.example {
				consumer_key {env.WC_KEY}
				consumer_secret {env.WC_SECRET}
				timeout 2s
			}`,
			want: Connector{ConsumerKey: "{env.WC_KEY}", ConsumerSecret: "{env.WC_SECRET}"},
		},
		{
			name: "an application password and offline methods",
			input: `store woocommerce http://127.0.0.1:8080 {
				application_password shop "abcd efgh"
				offline_methods cod bacs cheque invoice
			}`,
			want: Connector{AppUser: "shop", AppPassword: "abcd efgh", OfflineMethods: []string{"cod", "bacs", "cheque", "invoice"}},
		},
		{name: "no url", input: `store woocommerce`, err: "base URL"},
		{name: "unknown option", input: "store woocommerce http://x {\n consumer_sekret cs_1\n}", err: `unknown woocommerce store option "consumer_sekret", at Testfile:2`},
		{name: "password without user", input: "store woocommerce http://x {\n application_password pw\n}", err: "a user and a password"},
		{name: "two keys", input: "store woocommerce http://x {\n consumer_key ck_1 ck_2\n}", err: "takes one value"},
		{name: "offline without methods", input: "store woocommerce http://x {\n offline_methods\n}", err: "at least one payment method"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c Connector
			err := c.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.input))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.Endpoint = tt.want.Endpoint // the endpoint's own parsing is tested in package stores
			c.Timeout = 0
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("got %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestProvisionReplacesPlaceholdersAndFillsDefaults(t *testing.T) {
	os.Setenv("KAIRO_WC_UNIT_KEY", "ck_from_env")
	os.Setenv("KAIRO_WC_UNIT_SECRET", "cs_from_env")
	c := Connector{ConsumerKey: "{env.KAIRO_WC_UNIT_KEY}", ConsumerSecret: "{env.KAIRO_WC_UNIT_SECRET}"}
	c.URL = "http://127.0.0.1:8080/"
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	if c.auth.oauthKey != "ck_from_env" || c.auth.oauthSecret != "cs_from_env" {
		t.Errorf("credentials %q %q, want the environment's, signed over http", c.auth.oauthKey, c.auth.oauthSecret)
	}
	if c.base != "http://127.0.0.1:8080" || c.Timeouts().Context != DefaultContextTimeout || !c.offline["cod"] || !c.offline["bacs"] || !c.offline["cheque"] || c.offline["stripe"] {
		t.Errorf("defaults: base %q, timeouts %+v, offline %v", c.base, c.Timeouts(), c.offline)
	}

	unset := Connector{ConsumerKey: "{env.KAIRO_WC_UNIT_UNSET}", ConsumerSecret: "{env.KAIRO_WC_UNIT_UNSET}"}
	unset.URL = "http://127.0.0.1:8080"
	if err := unset.Provision(caddy.Context{}); err == nil || !strings.Contains(err.Error(), "credentials are required") {
		t.Errorf("unset environment: %v", err)
	}
	bad := Connector{AppUser: "shop", AppPassword: "pw"}
	bad.URL = "ftp://shop"
	if err := bad.Provision(caddy.Context{}); err == nil {
		t.Errorf("an ftp URL was accepted")
	}
}
