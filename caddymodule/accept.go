package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
	"github.com/kairoedge/kairo/stores"
)

// outcomeKeep is how long a finished accept is remembered after its
// token expires (repeats of an expired token are refused anyway).
const outcomeKeep = time.Hour

// ledgerWriteTimeout bounds recording an accept's outcome once the store
// has answered; the record is written even if the customer left.
const ledgerWriteTimeout = 5 * time.Second

// serveEndpoint serves Kairo's own endpoints under the prefix.
func (h *Handler) serveEndpoint(w http.ResponseWriter, r *http.Request, rest string) error {
	switch rest {
	case "accept", "decline":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			return caddyhttp.Error(http.StatusMethodNotAllowed, fmt.Errorf("%s %s: use POST", r.Method, r.URL.Path))
		}
		if rest == "accept" {
			h.serveAccept(w, r)
		} else {
			h.serveDecline(w, r)
		}
		return nil
	case "page/accept", "page/decline", "page/continue":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return nil
		}
		h.servePageAction(w, r, strings.TrimPrefix(rest, "page/"))
		return nil
	case widget.ScriptName, widget.StyleName, widget.PageScriptName, widget.PageStyleName, widget.PrePurchaseScriptName, widget.PrePurchaseStyleName:
		widget.AssetHandler().ServeHTTP(w, r)
		return nil
	case "dashboard", "dashboard.css", "dashboard.csv", "dashboard.json":
		if h.Dashboard {
			return h.serveDashboard(w, r, rest)
		}
	case "popup":
		return h.servePopup(w, r)
	}
	return caddyhttp.Error(http.StatusNotFound, fmt.Errorf("no upsell endpoint %q", rest))
}

// serveAccept forwards each offer a request names to the store, each once:
// every token goes through acceptToken on its own, so a bundle of add-ons
// is as exactly-once as a single offer.
func (h *Handler) serveAccept(w http.ResponseWriter, r *http.Request) {
	a, out, ok := admitRequest(w, r)
	if !ok {
		h.metrics.accepts.WithLabelValues("unknown", "unknown", "unknown", out.Status).Inc()
		respond(w, r, a, out)
		return
	}
	results := make([]offerResult, len(a.tokens))
	for i, token := range a.tokens {
		results[i] = h.acceptToken(r, a, token)
	}
	// In the operator's words: each offer's answer its own, the answer
	// for a whole bundle the placement's.
	out = combineResults(results)
	for i := range results {
		results[i].Outcome = h.worded(results[i].Outcome, results[i].placement, results[i].OfferID)
	}
	if len(results) > 1 {
		respond(w, r, a, h.worded(out, results[0].placement, ""), results...)
		return
	}
	respond(w, r, a, results[0].Outcome)
}

// acceptToken verifies one token of a request and forwards its offer to
// the store once.
func (h *Handler) acceptToken(r *http.Request, a action, token string) offerResult {
	a.token = token
	cl, out, ok := h.verify(r, a)
	placement, offerID, variant := "unknown", "unknown", "unknown"
	answer := func(out Outcome) offerResult {
		h.metrics.accepts.WithLabelValues(placement, offerID, variant, out.Status).Inc()
		return offerResult{OfferID: cl.OfferID, Outcome: out, placement: cl.Placement}
	}
	if !ok {
		return answer(out)
	}
	placement, offerID, variant = string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)
	if cl.Placement == offers.PlacementThankYou && h.pageMode() {
		// The offer page's tokens are accepted on its own endpoint, which
		// holds the buyer to the step on the page: here one could add a
		// declined offer beside its downsell.
		return answer(outcomes["forbidden"])
	}
	if out, ok := h.answered(r.Context(), cl); ok {
		return answer(out)
	}
	if out, ok := h.stillStands(cl); !ok {
		return answer(out)
	}
	return answer(h.forward(r, cl))
}

// answered returns the outcome of a finished earlier accept of cl's offer
// for its order or cart, from the ledger. A repeat gets the first answer
// even when the offer has changed or ended since it was accepted ("the
// card was charged" must not turn into "nothing was added"); so this is
// asked before stillStands. Anything else (none yet, in flight, the state
// layer down) goes on to forward, which answers it.
func (h *Handler) answered(ctx context.Context, cl offers.Claims) (Outcome, bool) {
	key, err := h.acceptKey(ctx, cl)
	if err != nil {
		return Outcome{}, false // forward meets the same trouble and says so
	}
	rec, err := h.ledger.Lookup(ctx, key)
	if err != nil || !rec.Done {
		return Outcome{}, false
	}
	return h.recordedOutcome(cl, rec.Answer)
}

// recordedOutcome reads an outcome from its ledger record; false (and an
// error line) when the record cannot be read.
func (h *Handler) recordedOutcome(cl offers.Claims, prev []byte) (Outcome, bool) {
	var rec Outcome
	if err := json.Unmarshal(prev, &rec); err != nil || rec.HTTPStatus == 0 {
		h.logger.Error("accept ledger: unreadable record", zap.String("offer", cl.OfferID), zap.Error(err))
		return Outcome{}, false
	}
	return rec, true
}

// stillStands re-checks an accepted offer against the catalog loaded now:
// an offer ended, removed or re-priced since its token was signed is not
// sold at the old terms, and the store is not asked.
func (h *Handler) stillStands(cl offers.Claims) (Outcome, bool) {
	if err := h.catalog.Recheck(cl, h.now()); err != nil {
		h.logger.Info("offer accept refused: the offer changed since it was shown",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.Error(err))
		return outcomes["changed"], false
	}
	return Outcome{}, true
}

// forward claims the accept in the ledger under its key, derived from
// (order or cart, offer), and the first time calls the store; every
// repeat, from any tab, instance or restart, gets the first answer. It is
// the one path by which an accept reaches the store, from the inline box
// and the offer page alike.
func (h *Handler) forward(r *http.Request, cl offers.Claims) Outcome {
	key, err := h.acceptKey(r.Context(), cl)
	if err != nil {
		return h.stateRefused(cl, err)
	}
	if cl.ProductVariantID == "" {
		// A token signed before an offer of options named its first
		// option's variant: that is the variant it adds.
		if o := h.catalog.Offer(cl.OfferID); o != nil {
			cl.ProductVariantID = o.Product.VariantAdded()
		}
	}
	// A repeat waits for an attempt in flight as long as that attempt may
	// take, plus a lease in case its holder died and must be taken over.
	wait, cancel := context.WithTimeout(r.Context(), h.store.Timeouts().Accept+2*state.DefaultLease)
	defer cancel()
	claim, prev, err := h.ledger.Begin(wait, key)
	switch {
	case errors.Is(err, state.ErrInFlight):
		return outcomes["in_progress"]
	case err != nil:
		return h.stateRefused(cl, err)
	case claim == nil:
		if rec, ok := h.recordedOutcome(cl, prev); ok {
			return rec
		}
		return outcomes["unavailable"]
	}
	if claim.TookOver {
		h.logger.Warn("offer accept: taking over an attempt whose instance stopped answering; repeating the store call with the same Idempotency-Key",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject))
	}

	// The store call and its record must finish even if the customer
	// leaves the page: their outcome is what every repeat will be told.
	bg := context.WithoutCancel(r.Context())
	start := time.Now()
	ans, callErr := h.callStore(bg, cl, key, claim.Repeat, shopper(r))
	h.metrics.storeLatency.WithLabelValues(string(cl.Placement)+"_accept", resultLabel(callErr)).Observe(time.Since(start).Seconds())
	out, retryable := acceptOutcome(cl, ans, callErr)
	if ans.Applied() && ans.FollowUpOrderID != "" && ans.FollowUpOrderID != cl.Subject {
		if err := h.noteFollowUp(bg, ans.FollowUpOrderID, cl.Subject); err != nil {
			h.logger.Warn("offer accept: the follow-up order could not be noted; its thank-you page may get offers of its own",
				zap.String("follow_up_order", ans.FollowUpOrderID), zap.Error(err))
		}
	}
	out = h.withPayLink(r, cl, ans, out)
	h.analytics.accepted(cl, key, ans, callErr)
	rec, _ := json.Marshal(out) // a plain struct: cannot fail
	recCtx, recCancel := context.WithTimeout(bg, ledgerWriteTimeout)
	if retryable {
		err = claim.Abandon(recCtx, rec)
	} else {
		err = claim.Finish(recCtx, rec, time.Until(cl.ExpiresAt)+outcomeKeep)
	}
	recCancel()
	if err != nil {
		// The claim's lease runs out; a repeat then asks the store again
		// with the same key, and the store's own record answers it.
		h.logger.Error("state store unavailable: the accept's outcome could not be recorded",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.String("outcome", out.Status), zap.Error(err))
	}
	if out.Status == "accepted" && h.contexts != nil {
		// The cart or order changed: the next page must not offer from
		// the old context.
		h.contexts.del(contextKey(cl.Placement, cl.Subject, storeCookies(r)))
	}
	h.logger.Info("offer accept",
		zap.String("offer", cl.OfferID), zap.String("placement", string(cl.Placement)),
		zap.String("subject", cl.Subject), zap.String("outcome", out.Status),
		zap.Int("store_status", ans.Status), zap.String("store_reason", string(ans.Reason)), zap.String("store_detail", ans.Detail),
		zap.String("store_mode", string(ans.Mode)), zap.String("follow_up_order", ans.FollowUpOrderID), zap.Error(callErr))
	return out
}

// stateRefused is the answer to an accept the state layer could not
// take: nothing was sent to the store.
func (h *Handler) stateRefused(cl offers.Claims, err error) Outcome {
	h.logger.Error("state store unavailable: accept refused, nothing was sent to the store",
		zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.Error(err))
	return outcomes["unavailable"]
}

// callStore forwards an accepted offer to the store: the order accept
// after purchase, the cart add before, bounded by the store's accept
// timeout. key is the Idempotency-Key (acceptKey): stable per (order or
// cart, offer), so the store can dedupe a repeat made after a crash or
// from another instance.
func (h *Handler) callStore(ctx context.Context, cl offers.Claims, key string, repeat bool, who stores.Shopper) (stores.Answer, error) {
	req := stores.AcceptRequest{
		Key:      key,
		Repeat:   repeat,
		OfferID:  cl.OfferID,
		Currency: cl.Currency,
		Items: []stores.Line{{
			ProductID: cl.ProductID,
			VariantID: cl.ProductVariantID,
			Quantity:  cl.Quantity,
			UnitPrice: cl.UnitPrice,
			Discount:  cl.Discount,
		}},
		Shipping: cl.Shipping,
		Shopper:  who,
	}
	ctx, cancel := context.WithTimeout(ctx, h.store.Timeouts().Accept)
	defer cancel()
	if cl.Placement == offers.PlacementThankYou {
		req.OrderID = cl.Subject
		return h.store.OrderAccept(ctx, req)
	}
	return h.store.CartAdd(ctx, req)
}

// serveDecline records that a customer turned an offer down.
func (h *Handler) serveDecline(w http.ResponseWriter, r *http.Request) {
	in := h.admit(w, r)
	a, cl := in.action, in.claims
	if in.refused != nil {
		out := *in.refused
		if out.Status == "expired" {
			// An expired offer is gone already; nothing to record.
			out = outcomes["declined"]
		}
		respond(w, r, a, h.worded(out, cl.Placement, cl.OfferID))
		return
	}
	keep := max(time.Until(cl.ExpiresAt), 24*time.Hour)
	ctx, cancel := context.WithTimeout(r.Context(), ledgerWriteTimeout)
	defer cancel()
	first, err := h.declines.Add(ctx, cl.Subject, cl.OfferID, keep)
	if err != nil {
		h.logger.Error("state store unavailable: decline not recorded",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.Error(err))
		respond(w, r, a, h.worded(outcomes["unavailable"], cl.Placement, cl.OfferID))
		return
	}
	if first { // a second click, tab or resubmit is the same decline
		h.metrics.declines.WithLabelValues(string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)).Inc()
		h.analytics.declined(cl)
	}
	respond(w, r, a, h.worded(outcomes["declined"], cl.Placement, cl.OfferID))
}

// respond answers a script with JSON and a plain form with a 303 back to
// the page, which shows the result. A request that named several offers
// gets each one's result too.
func respond(w http.ResponseWriter, r *http.Request, a action, out Outcome, results ...offerResult) {
	w.Header().Set("Cache-Control", "no-store")
	if !a.json {
		if out.PaymentURL != "" && len(results) == 0 {
			// A plain form: straight on to the store's payment page.
			http.Redirect(w, r, out.PaymentURL, http.StatusSeeOther)
			return
		}
		target := a.returnTo
		if target == "" {
			target = "/"
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		http.Redirect(w, r, target+sep+noticeParam+"="+url.QueryEscape(out.Status), http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(out.HTTPStatus)
	_ = json.NewEncoder(w).Encode(struct {
		OK         bool          `json:"ok"`
		Status     string        `json:"status"`
		Message    string        `json:"message"`
		Total      string        `json:"total,omitempty"`
		Mode       string        `json:"mode,omitempty"`
		PaymentURL string        `json:"payment_url,omitempty"`
		AmountDue  string        `json:"amount_due,omitempty"`
		Results    []offerResult `json:"results,omitempty"`
	}{out.HTTPStatus < 300, out.Status, out.Message, out.Total, out.Mode, out.PaymentURL, out.AmountDue, results})
}
