package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// contractStore answers the cart context with a fixed body and status.
func contractStore(t testing.TB, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const cartWithBeans = `{"id":"cart-1","currency":"USD","subtotal":1499,"status":"open",
 "items":[{"product_id":"coffee-beans","variant_id":"coffee-beans-250g","quantity":1,"unit_price":1499,"tags":["coffee"]}]}`

// provisioned returns a Handler provisioned against storeURL with the demo
// catalog.
func provisioned(t *testing.T, storeURL string) *Handler {
	t.Helper()
	return provisionedWithTimeout(t, storeURL, "2s")
}

// provisionedWithTimeout is provisioned with the store's context timeout.
func provisionedWithTimeout(t testing.TB, storeURL, timeout string) *Handler {
	t.Helper()
	return provisionedWith(t, storeURL, timeout, 0)
}

// provisionedWith is provisioned with the store's context timeout and a
// context_ttl (0 for none).
func provisionedWith(t testing.TB, storeURL, timeout string, contextTTL time.Duration) *Handler {
	t.Helper()
	catalog, err := filepath.Abs("../demo/offers.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(catalog); err != nil {
		t.Fatal(err)
	}
	h := &Handler{
		Catalog:       catalog,
		Secrets:       []string{testSecret},
		CartPaths:     []string{"/cart"},
		ThankYouPaths: []string{"/checkout/success/{order_id}"},
		StoreRaw:      json.RawMessage(`{"url":"` + storeURL + `","timeout":"` + timeout + `"}`),
		ContextTTL:    caddy.Duration(contextTTL),
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	if err := h.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	t.Cleanup(func() { h.Cleanup() })
	return h
}

const storePage = "<!doctype html><html><head><title>Cart</title></head><body><h1>Your cart</h1><!-- </body> --></body></html>"

// serve runs one request through the handler with a store page behind it.
func serve(t *testing.T, h *Handler, method, target string, contentType string) (*httptest.ResponseRecorder, *caddy.Replacer) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	repl := caddy.NewReplacer()
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", "999")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, storePage)
		return nil
	})
	if err := h.ServeHTTP(rec, req, next); err != nil {
		t.Fatalf("ServeHTTP: %v", err)
	}
	return rec, repl
}

func TestPageOutcomes(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		method      string
		path        string
		contentType string
		outcome     string // "" when the page is not matched at all
		injected    bool
	}{
		{"offer injected", 200, cartWithBeans, "GET", "/cart", "text/html; charset=utf-8", "injected", true},
		{"no offer matches", 200, `{"id":"c","currency":"USD","subtotal":0,"items":[]}`, "GET", "/cart", "text/html", "no_offers", false},
		{"store error status", 500, `oops`, "GET", "/cart", "text/html", "store_status", false},
		{"bad context", 200, `{"currency":12}`, "GET", "/cart", "text/html", "bad_context", false},
		{"not html", 200, cartWithBeans, "GET", "/cart", "application/json", "not_rewritable", false},
		{"head request", 200, cartWithBeans, "HEAD", "/cart", "text/html", "", false},
		{"other page", 200, cartWithBeans, "GET", "/products", "text/html", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := provisioned(t, contractStore(t, tt.status, tt.body).URL)
			rec, repl := serve(t, h, tt.method, tt.path, tt.contentType)
			body := rec.Body.String()
			if got := strings.Contains(body, "data-kairo-widget"); got != tt.injected {
				t.Errorf("widget injected = %v, want %v", got, tt.injected)
			}
			if !tt.injected && tt.method != "HEAD" && body != storePage {
				t.Errorf("page changed although nothing was injected:\n%s", body)
			}
			if tt.injected && !strings.HasSuffix(body, "</body></html>") {
				t.Errorf("widget not before the real </body>:\n%s", body)
			}
			outcome, _ := repl.GetString("http.upsell.outcome")
			if outcome != tt.outcome {
				t.Errorf("outcome placeholder %q, want %q", outcome, tt.outcome)
			}
			if tt.injected {
				if ids, _ := repl.GetString("http.upsell.offer_ids"); ids != "mug-with-beans" {
					t.Errorf("offer_ids placeholder %q", ids)
				}
				if pl, _ := repl.GetString("http.upsell.placement"); pl != "cart" {
					t.Errorf("placement placeholder %q", pl)
				}
			}
		})
	}
}

// TestPageOutcomeClientGone checks that a page whose client has left is
// counted as such, not as a slow store or an unfit page.
func TestPageOutcomeClientGone(t *testing.T) {
	h := provisioned(t, contractStore(t, 200, cartWithBeans).URL)
	for _, contentType := range []string{"text/html", "application/json"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		repl := caddy.NewReplacer()
		req := httptest.NewRequest("GET", "/cart", nil).WithContext(context.WithValue(ctx, caddy.ReplacerCtxKey, repl))
		next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(http.StatusOK)
			_, err := io.WriteString(w, storePage)
			return err
		})
		rec := httptest.NewRecorder()
		if err := h.ServeHTTP(rec, req, next); err != nil {
			t.Fatalf("ServeHTTP: %v", err)
		}
		if outcome, _ := repl.GetString("http.upsell.outcome"); outcome != "client_gone" {
			t.Errorf("%s: outcome %q, want client_gone", contentType, outcome)
		}
		if rec.Body.String() != storePage {
			t.Errorf("%s: page changed:\n%s", contentType, rec.Body.String())
		}
	}
}

func TestEndpointsUnderPrefix(t *testing.T) {
	h := provisioned(t, contractStore(t, 200, cartWithBeans).URL)
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/_upsell/widget.js", 200},
		{"GET", "/_upsell/widget.css", 200},
		{"GET", "/_upsell/accept", http.StatusMethodNotAllowed},
		{"GET", "/_upsell/nothing", http.StatusNotFound},
		{"POST", "/_upsell/accept", http.StatusSeeOther}, // a form without a token goes back with the error
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		next := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
			t.Errorf("%s %s reached the store", tt.method, tt.path)
			return nil
		})
		// Errors are returned for Caddy's handle_errors; answers are written.
		var code int
		if err := h.ServeHTTP(rec, req, next); err != nil {
			var he caddyhttp.HandlerError
			if !errors.As(err, &he) {
				t.Fatalf("%s %s: %v is not a caddyhttp.HandlerError", tt.method, tt.path, err)
			}
			code = he.StatusCode
		} else {
			code = rec.Code
		}
		if code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, code, tt.status)
		}
	}
}

func TestProvisionErrors(t *testing.T) {
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	base := func() *Handler {
		return &Handler{
			Catalog: "../demo/offers.json", Secrets: []string{testSecret},
			CartPaths: []string{"/cart"}, StoreRaw: json.RawMessage(`{"url":"http://127.0.0.1:1"}`),
		}
	}
	tests := []struct {
		name    string
		change  func(*Handler)
		wantErr string
	}{
		{"no store", func(h *Handler) { h.StoreRaw = nil }, "a store is required"},
		{"no catalog", func(h *Handler) { h.Catalog = "" }, "a catalog is required"},
		{"missing catalog file", func(h *Handler) { h.Catalog = "testdata/none.json" }, "none.json"},
		{"no secret", func(h *Handler) { h.Secrets = nil }, "at least one secret"},
		{"short secret in JSON config", func(h *Handler) { h.Secrets = []string{"short"} }, "upsell: secret: a secret of 5 bytes is too short"},
		{"second secret short", func(h *Handler) { h.Secrets = append(h.Secrets, "short") }, "upsell: secret: value 2: a secret of 5 bytes is too short"},
		{"after_add unknown", func(h *Handler) { h.Placements = map[string]*PlacementOptions{"cart": {AfterAdd: "refresh"}} }, `placement cart: after_add "refresh": want reload or none`},
		{"bad store url", func(h *Handler) { h.StoreRaw = json.RawMessage(`{"url":"ftp://x"}`) }, "want http(s)"},
		{"unknown connector", func(h *Handler) { h.StoreRaw = json.RawMessage(`{"connector":"magento","url":"http://x"}`) }, "magento"},
		{"vendure without admin", func(h *Handler) { h.StoreRaw = json.RawMessage(`{"connector":"vendure","url":"http://x"}`) }, "admin_user and admin_password are required"},
		{"evershop without admin", func(h *Handler) { h.StoreRaw = json.RawMessage(`{"connector":"evershop","url":"http://x"}`) }, "admin_email and admin_password are required"},
		{"thank_you without order id", func(h *Handler) { h.ThankYouPaths = []string{"/thanks"} }, "{order_id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base()
			tt.change(h)
			err := h.Provision(ctx)
			h.Cleanup()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Provision error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
