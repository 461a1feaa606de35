package caddymodule

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/stores"
)

// storeCheckTimeout bounds each of the start check's calls.
const storeCheckTimeout = 10 * time.Second

// storeCheckOrderID is the made-up order the start check asks for: a store
// that accepts the credential answers 404 for it.
const storeCheckOrderID = "kairo-start-check"

// checkStoreOnce asks the store, once this config is running, whether its
// context endpoints answer and whether it accepts the credential, and logs
// what it found. It never blocks the start nor fails it: a store that is
// still starting is normal, so the findings are only logged.
func (h *Handler) checkStoreOnce(ctx caddy.Context) {
	go func() {
		// Wait until this config is the running one: `caddy validate`
		// provisions and throws the config away, and a store served by the
		// same Caddy listens only once the config has started.
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for !isRunning(ctx) {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		if len(h.thankYou) > 0 {
			h.logStoreCheck(ctx, "order_context", probeTwice(ctx, h.probeOrderContext))
		}
		if len(h.cartPaths) > 0 {
			h.logStoreCheck(ctx, "cart_context", probeTwice(ctx, h.probeCartContext))
		}
	}()
}

// storeCheckRetry is how long the start check waits before asking a store
// it could not reach once more.
const storeCheckRetry = time.Second

// probeTwice runs probe, and once more a moment later when the store could
// not be reached: a store that is starting, or a listener changing hands
// in a reload, is not worth a warning.
func probeTwice(ctx context.Context, probe func(context.Context) storeCheckResult) storeCheckResult {
	res := probe(ctx)
	if res.ok || stores.FailureReason(res.err) != stores.FailUnreachable {
		return res
	}
	select {
	case <-ctx.Done():
		return res
	case <-time.After(storeCheckRetry):
	}
	return probe(ctx)
}

// isRunning reports whether ctx belongs to the config Caddy runs now.
// Modules get contexts derived from their config's (with values added),
// and these share its Done channel.
func isRunning(ctx caddy.Context) bool {
	active := caddy.ActiveContext()
	return active.Context != nil && active.Done() == ctx.Done()
}

// storeCheckResult is what one probe found.
type storeCheckResult struct {
	ok      bool   // nothing for the operator to do
	finding string // in words
	err     error
}

// probeOrderContext asks for a made-up order with the credential: 404 (or
// even an answer) means the endpoint is there and the credential accepted.
func (h *Handler) probeOrderContext(ctx context.Context) storeCheckResult {
	ctx, cancel := context.WithTimeout(ctx, storeCheckTimeout)
	defer cancel()
	_, err := h.store.OrderContext(ctx, storeCheckOrderID, stores.Shopper{})
	var f *stores.Failure
	switch {
	case err == nil:
		return storeCheckResult{ok: true, finding: "reachable; the store accepted the credential"}
	case errors.As(err, &f) && f.Reason == stores.FailStatus && f.Status == http.StatusNotFound:
		return storeCheckResult{ok: true, finding: "reachable; the store accepted the credential (404 for a made-up order, as expected)"}
	case errors.As(err, &f) && f.Reason == stores.FailStatus && (f.Status == http.StatusUnauthorized || f.Status == http.StatusForbidden):
		return storeCheckResult{finding: "the store refused the credential: check the store block's credential", err: err}
	}
	return storeCheckResult{finding: storeCheckTrouble(err), err: err}
}

// probeCartContext asks for the cart of a customer without cookies, which
// a store answers with an empty cart.
func (h *Handler) probeCartContext(ctx context.Context) storeCheckResult {
	ctx, cancel := context.WithTimeout(ctx, storeCheckTimeout)
	defer cancel()
	if _, err := h.store.CartContext(ctx, stores.Shopper{}); err != nil {
		return storeCheckResult{finding: storeCheckTrouble(err), err: err}
	}
	return storeCheckResult{ok: true, finding: "reachable; answers store contract v1"}
}

// storeCheckTrouble says in words what a failed probe means.
func storeCheckTrouble(err error) string {
	switch stores.FailureReason(err) {
	case "":
		return "the call failed"
	case stores.FailStatus:
		return "the endpoint answered an error status: check its path in the store block"
	case stores.FailBadAnswer:
		return "the answer is not what the store module expects (store contract v1 JSON for the contract)"
	case stores.FailTimeout:
		return "the store did not answer in time"
	}
	return "the store could not be reached: check the store URL (pages pass through unchanged until it can)"
}

// logStoreCheck logs one probe's finding: info when all is well, warn when
// the operator has something to fix. A config unloaded meanwhile has
// nothing to report.
func (h *Handler) logStoreCheck(ctx context.Context, call string, res storeCheckResult) {
	if ctx.Err() != nil {
		return
	}
	fields := []zap.Field{zap.String("call", call), zap.String("finding", res.finding)}
	if res.ok {
		h.logger.Info("store check at start: ok", fields...)
		return
	}
	h.logger.Warn("store check at start: "+res.finding, append(fields, zap.Error(res.err))...)
}
