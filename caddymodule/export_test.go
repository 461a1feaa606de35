package caddymodule

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/offers"
)

// ServeSimulatedDashboard serves a handler's dashboard over HTTP after a
// 3000-customer simulation over the last 14 days (and an offer paused by
// refused accepts), for the browser test in package caddymodule_test. The
// server lets a request in as an authentication handler would: with the
// given user and password (basic auth) it sets {http.auth.user.id}.
func ServeSimulatedDashboard(t *testing.T, user, password string) string {
	t.Helper()
	store, srv := newSimStore(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	start := today.AddDate(0, 0, -13)
	now := start
	h := simHandler(t, srv.URL, "testdata/sim-offers.json", nil, &now, AnalyticsConfig{Holdout: "10%", Dashboard: true})
	simulate(t, h, store, &now, start, 3000, 14)

	// The store starts refusing the cart offer: it is paused.
	store.status = http.StatusConflict
	c := newSimClient(t, h)
	for i := range DefaultAutoPauseFailures {
		cookie := fmt.Sprintf("refused%d", i)
		store.startCart(cookie, "c"+cookie, offers.Item{ProductID: "beans", Quantity: 1, UnitPrice: simBasePrice})
		if tok, ok := offersOnPage(c.page("/cart", cookie))["mug-cart"]; ok {
			c.post("accept", tok, "/cart", cookie)
		}
	}
	flushAnalytics(t, h)

	dash := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		repl := caddy.NewReplacer()
		if u, p, ok := r.BasicAuth(); ok && u == user && p == password {
			repl.Set(authUserPlaceholder, u)
		}
		r = r.WithContext(context.WithValue(r.Context(), caddy.ReplacerCtxKey, repl))
		// The store behind Kairo: it has nothing (the browser asks for a
		// favicon).
		store := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
		if err := h.ServeHTTP(w, r, store); err != nil {
			code := http.StatusInternalServerError
			if he, ok := err.(caddyhttp.HandlerError); ok {
				code = he.StatusCode
			}
			http.Error(w, err.Error(), code)
		}
	}))
	t.Cleanup(dash.Close)
	return dash.URL
}
