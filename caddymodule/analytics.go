package caddymodule

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// AnalyticsConfig holds the options that measure what the offers earn: the
// held-back control group, the operator's dashboard and the automatic
// pause of failing offers.
type AnalyticsConfig struct {
	// Holdout is the share of customers never shown an offer, e.g. "10%"
	// (0% to 50%, two decimals at most). Who is held out is decided by a
	// stable hash of the store's customer id, else the cart or order id.
	// Their orders are counted like everyone's, so the dashboard can show
	// what the offers add to an average order. Default: none.
	Holdout string `json:"holdout,omitempty"`

	// Dashboard serves the operator's dashboard at {prefix}/dashboard (and
	// its CSV and JSON exports). It answers only requests that an
	// authentication handler before it has let through (basic_auth,
	// forward_auth: anything that sets {http.auth.user.id}); others get
	// 403. Default: off.
	Dashboard bool `json:"dashboard,omitempty"`

	// AutoPauseFailures is how many refused accepts (402, 409 or 5xx from
	// the store) within AutoPauseWindow stop an offer from being shown
	// until the catalog is loaded again. -1 turns the pause off. Default: 5.
	AutoPauseFailures int `json:"auto_pause_failures,omitempty"`

	// AutoPauseWindow is the window of AutoPauseFailures. Default: 10m.
	AutoPauseWindow caddy.Duration `json:"auto_pause_window,omitempty"`

	// flushEvery replaces analyticsFlushEvery (tests).
	flushEvery time.Duration
}

// analytics is the handler's measuring side: who is held out, what is
// counted, which offers are paused.
type analytics struct {
	holdout offers.BasisPoints
	rec     *recorder
	pause   *autoPause
	metrics *analyticsMetrics
	test    offers.SequentialTest
	now     func() time.Time
}

// provisionAnalytics checks the analytics options and starts the recorder
// on the handler's state store.
func (h *Handler) provisionAnalytics(ctx caddy.Context) error {
	a := &analytics{now: h.now}
	if h.Holdout != "" {
		bp, err := offers.ParseHoldout(h.Holdout)
		if err != nil {
			return h.configErr("holdout", err)
		}
		a.holdout = bp
	}
	if h.AutoPauseFailures == 0 {
		h.AutoPauseFailures = DefaultAutoPauseFailures
	}
	if h.AutoPauseWindow == 0 {
		h.AutoPauseWindow = caddy.Duration(DefaultAutoPauseWindow)
	}
	if h.AutoPauseFailures < -1 || h.AutoPauseWindow < 0 {
		return h.configErr("auto_pause", fmt.Errorf("auto_pause: %d failures within %s is not a threshold", h.AutoPauseFailures, time.Duration(h.AutoPauseWindow)))
	}
	var err error
	if a.metrics, err = acquireAnalyticsMetrics(ctx.GetMetricsRegistry(), h.metrics.revenue); err != nil {
		return fmt.Errorf("upsell: registering analytics metrics: %w", err)
	}
	for _, o := range h.catalog.Offers() {
		// A reload shows every offer again.
		a.metrics.paused.WithLabelValues(o.ID).Set(0)
	}
	if h.AutoPauseFailures > 0 {
		a.pause = newAutoPause(h.AutoPauseFailures, time.Duration(h.AutoPauseWindow), a.metrics.paused, h.logger)
	}
	flushEvery := h.flushEvery
	if flushEvery == 0 {
		flushEvery = analyticsFlushEvery
	}
	a.rec = newRecorder(h.state, a.metrics, a.pause, h.logger, flushEvery)
	h.analytics = a
	return nil
}

// cleanupAnalytics writes what is queued and stops the recorder.
func (h *Handler) cleanupAnalytics() {
	if h.analytics != nil {
		h.analytics.rec.close(5 * time.Second)
		releaseCollectors(analyticsMetricsKey)
	}
}

// observe is called when a page's cart or order context arrives. It
// returns the customer's arm, and counts a thank-you page's order (once
// per order, whatever the arm).
func (a *analytics) observe(pl offers.Placement, sc *offers.Context, orderID string) offers.Arm {
	arm := offers.ArmOf(a.holdout, offers.HoldoutIdentity(sc))
	if pl == offers.PlacementThankYou {
		order := *sc
		order.ID = orderID // the id accepts name the order by
		a.rec.send(event{kind: evOrder, at: a.now(), arm: arm, order: &order})
	}
	return arm
}

// live drops from picked, in place, the offers not to be shown: paused
// ones, and shadow ones, which are counted as if shown. A shadow offer
// keeps its slot, so its figures are those it would have live.
func (a *analytics) live(pl offers.Placement, sc *offers.Context, subject string, picked []offers.Pick, shadow func(offerID string) bool) []offers.Pick {
	out := picked[:0]
	for _, pk := range picked {
		switch {
		case a.pause.isPaused(pk.OfferID):
		case shadow(pk.OfferID):
			a.metrics.shadow.WithLabelValues(string(pl), pk.OfferID, variantLabel(pk.Variant)).Inc()
			a.rec.send(event{kind: evShadow, at: a.now(), offer: pk.OfferID, variant: pk.Variant, placement: pl, arm: offers.ArmTreated, subject: subject})
		default:
			out = append(out, pk)
		}
	}
	if pl.PrePurchase() && len(out) > 0 && sc.Customer != nil && sc.Customer.ID != "" {
		a.rec.send(event{kind: evCartShown, at: a.now(), order: sc})
	}
	return out
}

// reach counts the shadow offers among those selected for a cart or order
// on the offer page, which shows one offer at a time: each is counted as
// reaching the order once.
func (a *analytics) reach(pl offers.Placement, subject string, selected []*offers.Offer, shadow func(offerID string) bool) {
	for _, o := range selected {
		if shadow(o.ID) {
			a.rec.send(event{kind: evShadow, at: a.now(), offer: o.ID, variant: o.Resolve(subject).Variant, placement: pl, arm: offers.ArmTreated, subject: subject})
		}
	}
}

// shown counts an offer put on the page of a cart or order (subject).
func (a *analytics) shown(pl offers.Placement, subject string, pk offers.Pick) {
	a.rec.send(event{kind: evImpression, at: a.now(), offer: pk.OfferID, variant: pk.Variant, placement: pl, arm: offers.ArmTreated, subject: subject})
}

// accepted counts the store's answer to an accept under key (acceptKey):
// applied, or refused in a way that counts towards the offer's pause. An
// applied accept counts once per key, however many store calls answered
// it (a repeat that took over an attempt whose record was lost calls the
// store again, and the store answers from its own record).
func (a *analytics) accepted(cl offers.Claims, key string, ans stores.Answer, callErr error) {
	ev := event{at: a.now(), offer: cl.OfferID, variant: cl.Variant, placement: cl.Placement, arm: offers.ArmTreated, claims: cl, acceptKey: key}
	switch {
	case callErr != nil:
		return // the store was not reached: not the offer's fault
	case ans.Applied():
		ev.kind = evAccepted
		ev.amount, ev.unconfirmed = chargedFor(cl, ans)
	case ans.Status == http.StatusPaymentRequired, ans.Status == http.StatusConflict, ans.Status >= 500:
		ev.kind = evFailed
	default:
		return
	}
	a.rec.send(ev)
}

// chargedFor is the revenue of an applied accept: what the store said it
// charged, else what the offer charges (the token's unit price × quantity
// and its shipping), then marked unconfirmed. Shipping counts: the store's
// own figure (the order's increase) includes it, and revenue is what the
// buyer paid for the accept. A charge in another currency than the offer's
// cannot be added to the offer's figures, so it counts as not said. A
// follow-up order the buyer still has to pay at its link (PaymentDue) is
// billed, not collected: its total counts, marked unconfirmed too. A
// charge below zero (the item tipped the order over a free-shipping
// threshold, say) counts as zero: an accept brings no negative revenue,
// and a Prometheus counter cannot go down.
func chargedFor(cl offers.Claims, ans stores.Answer) (amount int64, unconfirmed bool) {
	if ans.Charged.Currency != "" && ans.Charged.Currency == cl.Currency {
		return max(ans.Charged.Amount, 0), ans.PaymentDue()
	}
	return cl.UnitPrice*int64(cl.Quantity) + cl.Shipping, true
}

// declined counts an offer turned down.
func (a *analytics) declined(cl offers.Claims) {
	a.rec.send(event{kind: evDeclined, at: a.now(), offer: cl.OfferID, variant: cl.Variant, placement: cl.Placement, arm: offers.ArmTreated})
}

// flush waits until every event so far is in the state layer.
func (a *analytics) flush(ctx context.Context) error { return a.rec.flush(ctx) }

// variantLabel is a variant for a metric label.
func variantLabel(v string) string {
	if v == "" {
		return noVariant
	}
	return v
}

// isShadow reports whether the catalog marks an offer as shadow.
func (h *Handler) isShadow(offerID string) bool {
	o := h.catalog.Offer(offerID)
	return o != nil && o.Shadow
}
