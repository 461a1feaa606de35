package stores

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// block is a store module's configuration as UnmarshalStore fills it.
type block struct {
	Endpoint
	user, token string
	tags        []string
}

func (b *block) options() Options {
	return Options{
		Strings: map[string]*string{"user": &b.user, "token": &b.token},
		Other: func(d *caddyfile.Dispenser) (bool, error) {
			if d.Val() != "tags" {
				return false, nil
			}
			b.tags = d.RemainingArgs()
			if len(b.tags) == 0 {
				return true, d.Err("tags needs at least one tag")
			}
			return true, nil
		},
	}
}

func TestUnmarshalStore(t *testing.T) {
	for _, tt := range []struct {
		name  string
		input string
		dflt  bool // Options.Default
		want  block
		err   string // a part of the error; empty: none
		line  int    // the line the error names
	}{
		{
			name:  "every kind of option",
			input: "store demo http://shop.example {\n user u\n token {env.T}\n timeout 250ms\n accept_timeout 3s\n tags a b\n}",
			want: block{
				Endpoint: Endpoint{URL: "http://shop.example", Timeout: caddy.Duration(250 * time.Millisecond), AcceptTimeout: caddy.Duration(3 * time.Second)},
				user:     "u", token: "{env.T}", tags: []string{"a", "b"},
			},
		},
		{name: "module name left out", input: "store http://shop.example {\n user u\n}", want: block{Endpoint: Endpoint{URL: "http://shop.example"}, user: "u"}},
		{name: "no block", input: "store demo http://shop.example", want: block{Endpoint: Endpoint{URL: "http://shop.example"}}},
		{name: "unknown option", input: "store demo http://x {\n user u\n colour blue\n}", line: 3, err: `unknown demo store option "colour"`},
		{name: "unknown option of the default store", dflt: true, input: "store demo http://x {\n colour blue\n}", line: 2, err: `unknown store option "colour"`},
		{name: "missing value", input: "store demo http://x {\n timeout 1s\n token\n}", line: 3, err: "token needs a value"},
		{name: "two values", input: "store demo http://x {\n user a b\n}", line: 2, err: `user takes one value, got more: "b"`},
		{name: "bad duration", input: "store demo http://x {\n user u\n\n accept_timeout soon\n}", line: 4, err: `accept_timeout: "soon" is not a positive duration`},
		{name: "zero timeout", input: "store demo http://x {\n timeout 0s\n}", line: 2, err: `timeout: "0s" is not a positive duration`},
		{name: "module's own error", input: "store demo http://x {\n tags\n}", line: 2, err: "tags needs at least one tag"},
		{name: "bad url", input: "store demo ftp://x {\n user u\n}", line: 1, err: "store: url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got block
			opts := got.options()
			opts.Default = tt.dflt
			err := got.UnmarshalStore(caddyfile.NewTestDispenser(tt.input), "demo", opts)
			if tt.err != "" {
				at := fmt.Sprintf(", at Testfile:%d", tt.line)
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasSuffix(err.Error(), at) {
					t.Fatalf("error %v, want one with %q ending %q", err, tt.err, at)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Endpoint != tt.want.Endpoint || got.user != tt.want.user || got.token != tt.want.token || strings.Join(got.tags, " ") != strings.Join(tt.want.tags, " ") {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestCleanup checks that Cleanup is safe before provisioning and closes
// the client made by it.
func TestCleanup(t *testing.T) {
	var e Endpoint
	if err := e.Cleanup(); err != nil {
		t.Fatalf("Cleanup before Provision: %v", err)
	}
	e.URL = "http://127.0.0.1:1"
	if _, err := e.ProvisionEndpoint(time.Second); err != nil {
		t.Fatal(err)
	}
	if e.Client() == nil {
		t.Fatal("no client after ProvisionEndpoint")
	}
	if err := e.Cleanup(); err != nil {
		t.Fatal(err)
	}
}
