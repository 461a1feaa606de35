package caddymodule

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// slowStore answers the cart context with cartWithBeans after delay, or
// gives up when Kairo does.
func slowStore(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, cartWithBeans)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// slowPage is a store page that sends its head at once and its </body>
// after delay, flushing in between, as a server-rendered store does.
func slowPage(delay time.Duration) caddyhttp.Handler {
	return caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<!doctype html><html><head><title>Cart</title></head><body><h1>Your cart</h1>")
		http.NewResponseController(w).Flush()
		time.Sleep(delay)
		_, err := io.WriteString(w, "<p>Total $14.99</p></body></html>")
		return err
	})
}

// observe sends the handler's fail-open warn lines to an observer.
func observe(h *Handler) *observer.ObservedLogs {
	core, logs := observer.New(zapcore.WarnLevel)
	h.failOpen.logger = zap.New(core)
	return logs
}

// servePageVia runs one cart page request through h with next behind it
// and returns the body and the outcome placeholder.
func servePageVia(t *testing.T, h *Handler, next caddyhttp.Handler) (string, string) {
	t.Helper()
	repl := caddy.NewReplacer()
	req := httptest.NewRequest("GET", "/cart", nil)
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	if err := h.ServeHTTP(rec, req, next); err != nil {
		t.Fatalf("ServeHTTP: %v", err)
	}
	outcome, _ := repl.GetString("http.upsell.outcome")
	return rec.Body.String(), outcome
}

// TestSlowPageStillGetsTheWidget: the wait for the context is measured
// from the store's </body>, so a page that takes longer than the context
// call gets the widget even with a budget far below both.
func TestSlowPageStillGetsTheWidget(t *testing.T) {
	h := provisionedWithTimeout(t, slowStore(t, 100*time.Millisecond).URL, "20ms")
	logs := observe(h)
	body, outcome := servePageVia(t, h, slowPage(400*time.Millisecond))
	if outcome != "injected" || !strings.Contains(body, "data-kairo-widget") {
		t.Fatalf("outcome %q, want the widget on a page slower than its context:\n%s", outcome, body)
	}
	if !strings.HasSuffix(body, "</body></html>") || !strings.HasPrefix(body, "<!doctype html>") {
		t.Errorf("page not streamed whole around the widget:\n%s", body)
	}
	if logs.Len() != 0 {
		t.Errorf("warn lines for an injected page: %v", logs.All())
	}
}

// TestContextSlowerThanTheBudgetPassesThroughWarnedOnce: a context that
// is not in within the budget after </body> leaves the page unchanged,
// and the operator reads one warn line naming the route and the reason,
// then a count per minute, not a line per page.
func TestContextSlowerThanTheBudgetPassesThroughWarnedOnce(t *testing.T) {
	h := provisionedWithTimeout(t, slowStore(t, 5*time.Second).URL, "50ms")
	logs := observe(h)
	page := slowPage(0)
	plain := "<!doctype html><html><head><title>Cart</title></head><body><h1>Your cart</h1><p>Total $14.99</p></body></html>"
	for i := range 3 {
		began := time.Now()
		body, outcome := servePageVia(t, h, page)
		if outcome != "timeout" || body != plain {
			t.Fatalf("page %d: outcome %q, want timeout and the page unchanged:\n%s", i, outcome, body)
		}
		if took := time.Since(began); took > 3*time.Second {
			t.Fatalf("page %d took %v: the 5 s context was waited for", i, took)
		}
	}
	warns := logs.FilterMessageSnippet("page served without offers").All()
	if len(warns) != 1 {
		t.Fatalf("%d warn lines for 3 pages, want 1: %v", len(warns), logs.All())
	}
	fields := warns[0].ContextMap()
	if fields["route"] != "/cart" || fields["reason"] != "timeout" || warns[0].Level != zapcore.WarnLevel {
		t.Errorf("warn line %q %v does not name route /cart and reason timeout", warns[0].Message, fields)
	}

	// The minute's report counts the two pages held back, once.
	h.failOpen.report(time.Minute)
	counts := logs.FilterMessageSnippet("more pages served without offers").All()
	if len(counts) != 1 || counts[0].ContextMap()["pages"] != int64(2) {
		t.Fatalf("minute report %v, want one line with pages=2", counts)
	}
	// A quiet minute forgets the route, so the next failure is loud at once.
	h.failOpen.report(time.Minute)
	servePageVia(t, h, page)
	if got := logs.FilterMessageSnippet("page served without offers").Len(); got != 2 {
		t.Errorf("after a quiet minute: %d first-occurrence lines in all, want 2", got)
	}
}

// TestNormalPassThroughIsNotWarned: pages without a matching offer are
// normal traffic, not something for the operator to fix.
func TestNormalPassThroughIsNotWarned(t *testing.T) {
	h := provisioned(t, contractStore(t, 200, `{"id":"c","currency":"USD","subtotal":0,"items":[]}`).URL)
	logs := observe(h)
	if _, outcome := servePageVia(t, h, slowPage(0)); outcome != "no_offers" {
		t.Fatalf("outcome %q, want no_offers", outcome)
	}
	h.failOpen.report(time.Minute)
	if logs.Len() != 0 {
		t.Errorf("warn lines for a page without offers: %v", logs.All())
	}
}
