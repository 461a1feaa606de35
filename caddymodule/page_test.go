package caddymodule

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// tokenInWidget finds the offers' tokens in a widget.
var tokenInWidget = regexp.MustCompile(`name="token" value="([^"]+)"`)

// Widgets are written into recycled buffers: a page served while another
// is on its way (its widget built, its body not yet sent), pages served at
// once and one after another each carry their own widget whole, with
// tokens bound to their own browser, and the store's page around it
// unchanged.
func TestPagesKeepTheirOwnWidget(t *testing.T) {
	store := contractStore(t, http.StatusOK, cartWithBeans)
	h := provisionedWith(t, store.URL, "2s", time.Minute)
	page := benchStorePage(16 << 10)
	serve := func(name string, next caddyhttp.Handler) (check func()) {
		id := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%-16.16s", name))
		req := httptest.NewRequest(http.MethodGet, "/cart", nil)
		req.Header.Set("Cookie", "cart=shared; "+cartCookieName+"="+id)
		req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
		rec := httptest.NewRecorder()
		if err := h.ServeHTTP(rec, req, next); err != nil {
			t.Error(err)
		}
		return func() {
			body, k := rec.Body.String(), strings.LastIndex(string(page), "</body>")
			if !strings.HasPrefix(body, string(page[:k])) || !strings.HasSuffix(body, string(page[k:])) || len(body) <= len(page) {
				t.Errorf("%s: the store's page around the widget changed", name)
				return
			}
			widget := body[k : len(body)-(len(page)-k)]
			if strings.Count(widget, "data-kairo-widget") != 1 {
				t.Errorf("%s: not one widget before </body>", name)
			}
			tokens := tokenInWidget.FindAllStringSubmatch(widget, -1)
			if len(tokens) == 0 {
				t.Errorf("%s: a widget without tokens", name)
			}
			for _, m := range tokens {
				cl, err := h.signer.Verify(m[1])
				if err != nil || cl.Binding != cartBinding(id) {
					t.Errorf("%s: token %v, bound to %q, want this browser's %q", name, err, cl.Binding, cartBinding(id))
				}
			}
		}
	}

	serve("first", proxiedPage(page))() // the cart's context is cached from now on
	// With the context cached, the widget of the outer page is built when
	// its header goes out; the inner page is served whole before the
	// outer page's body.
	var inner func()
	outer := serve("outer", caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		inner = serve("inner", proxiedPage(page))
		_, err := w.Write(page)
		return err
	}))
	inner()
	outer()

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			next := proxiedPage(page) // its buffer is the goroutine's own
			for i := range 25 {
				serve(fmt.Sprintf("page %d/%d", g, i), next)()
			}
		})
	}
	wg.Wait()
}

// The store is asked for the page's context on that page's request only:
// once the page is served, the question is gone from the request, so a
// handle_errors route run with it afterwards asks the store nothing.
func TestThePageQuestionEndsWithThePage(t *testing.T) {
	store := contractStore(t, http.StatusOK, cartWithBeans)
	h := provisionedWith(t, store.URL, "2s", 0)
	h.ContextInPage = true
	var asked string
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		asked = r.Header.Get(contextHeader)
		return withPageContext(proxiedPage(benchStorePage(4<<10)), strings.ReplaceAll(cartWithBeans, "\n", "")).ServeHTTP(w, r)
	})
	req := httptest.NewRequest(http.MethodGet, "/cart", nil)
	req.Header.Set("Cookie", "cart=one")
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
	rec := httptest.NewRecorder()
	if err := h.ServeHTTP(rec, req, next); err != nil {
		t.Fatal(err)
	}
	if asked != "cart" {
		t.Errorf("the store was asked %q, want cart", asked)
	}
	if v := req.Header.Values(contextHeader); len(v) != 0 {
		t.Errorf("after the page the request still asks %q", v)
	}
	if !strings.Contains(rec.Body.String(), "data-kairo-widget") || rec.Header().Get(contextHeader) != "" {
		t.Errorf("the page has no widget, or the browser got the header %q", rec.Header().Get(contextHeader))
	}
}
