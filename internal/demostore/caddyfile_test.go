package demostore

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    Handler
		wantErr string
	}{
		{"bare", `demo_store`, Handler{}, ""},
		{"empty block", "demo_store {\n}", Handler{}, ""},
		{"all options", `demo_store {
			api_token s3cret
			accept_window 90s
			currency eur
		}`, Handler{APIToken: "s3cret", AcceptWindow: caddy.Duration(90 * time.Second), Currency: "EUR"}, ""},
		{"day window", "demo_store {\n accept_window 1d\n}", Handler{AcceptWindow: caddy.Duration(24 * time.Hour)}, ""},
		{"argument", `demo_store now`, Handler{}, "wrong argument count or unexpected line ending after 'now', at Testfile:1"},
		{"token without value", "demo_store {\n api_token\n}", Handler{}, "Testfile:2"},
		{"two tokens", "demo_store {\n api_token a b\n}", Handler{}, "wrong argument count"},
		{"bad window", "demo_store {\n\n accept_window soon\n}", Handler{}, "accept_window: time: invalid duration \"soon\", at Testfile:3"},
		{"zero window", "demo_store {\n accept_window 0s\n}", Handler{}, "must be positive"},
		{"bad currency", "demo_store {\n currency dollars\n}", Handler{}, `currency: "DOLLARS" is not an ISO 4217 code`},
		{"unknown option", "demo_store {\n secret x\n}", Handler{}, `unknown demo_store option "secret" (want api_token, accept_window or currency), at Testfile:2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Handler
			err := got.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.APIToken != tt.want.APIToken || got.AcceptWindow != tt.want.AcceptWindow || got.Currency != tt.want.Currency {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestCaddyfileAdaptsToTheModule(t *testing.T) {
	src := `http://127.0.0.1:9300 {
	file_server
	demo_store {
		api_token abc
		accept_window 5m
	}
}
`
	out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(src), nil)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("adapt: %v %v", err, warnings)
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []struct {
							Routes []struct {
								Handle []map[string]any `json:"handle"`
							} `json:"routes"`
						} `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	var handlers []map[string]any
	for _, srv := range cfg.Apps.HTTP.Servers {
		for _, r := range srv.Routes {
			for _, h := range r.Handle {
				for _, sub := range h.Routes {
					handlers = append(handlers, sub.Handle...)
				}
			}
		}
	}
	if len(handlers) != 2 {
		t.Fatalf("handlers %v in %s", handlers, out)
	}
	// demo_store is ordered before file_server, whatever the file says.
	first := handlers[0]
	if first["handler"] != "demo_store" || first["api_token"] != "abc" || first["accept_window"] != float64(5*time.Minute) || handlers[1]["handler"] != "file_server" {
		t.Errorf("handlers = %v", handlers)
	}
}

func TestHandlerProvisionAndValidate(t *testing.T) {
	ctx, cancel := caddy.NewContext(caddy.Context{Context: t.Context()})
	defer cancel()
	tests := []struct {
		name    string
		h       Handler
		wantErr string
		want    Config
	}{
		{"defaults", Handler{}, "", Config{APIToken: DefaultAPIToken, AcceptWindow: DefaultAcceptWindow, Currency: "USD"}},
		{"set", Handler{APIToken: "t", AcceptWindow: caddy.Duration(time.Minute), Currency: "gbp"}, "", Config{APIToken: "t", AcceptWindow: time.Minute, Currency: "GBP"}},
		{"bad currency", Handler{Currency: "EURO"}, "demo_store: currency", Config{}},
		{"negative window", Handler{AcceptWindow: -1}, "demo_store: accept_window", Config{}},
		{"token with a space", Handler{APIToken: "a b"}, "demo_store: api_token", Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if err := h.Provision(ctx); err != nil {
				t.Fatalf("provision: %v", err)
			}
			err := h.Validate()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || h.Store() != nil {
					t.Fatalf("validate: %v, want %q and no store", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := h.Store().Config()
			if got.APIToken != tt.want.APIToken || got.AcceptWindow != tt.want.AcceptWindow || got.Currency != tt.want.Currency {
				t.Errorf("config = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNewPanicsOnABadConfig(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "currency") {
			t.Errorf("recovered %v, want a currency complaint", r)
		}
	}()
	New(Config{Currency: "dollar"})
}
