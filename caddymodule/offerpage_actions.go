package caddymodule

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

// minActionContextWait is the least an offer page action waits for the
// order's context before it works out the next step: the buyer has just
// clicked and waits for an answer anyway.
const minActionContextWait = time.Second

// pageAnswer is an offer page action's answer to the script. A plain form
// post gets a redirect instead (see answerPage).
type pageAnswer struct {
	OK      bool   `json:"ok"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Total   string `json:"total,omitempty"`
	// HTML is the next step (or the end of the offers after an accept),
	// to put in place of the current one.
	HTML string `json:"html,omitempty"`
	// Done: no more offers; go to ContinueURL.
	Done        bool   `json:"done,omitempty"`
	ContinueURL string `json:"continue_url,omitempty"`
	// Retry: the action may be tried again (nothing was applied).
	Retry bool `json:"retry,omitempty"`
	// PaymentURL: the accept left a second order to pay, on the store's
	// payment page at this path; AmountDue is what it asks.
	PaymentURL string `json:"payment_url,omitempty"`
	AmountDue  string `json:"amount_due,omitempty"`

	httpStatus int
}

// servePageAction serves POST {prefix}/page/{accept,decline,continue}: the
// offer page's buttons. Every answer says where the buyer goes next: the
// next step, or the store's own thank-you page, from which Kairo then steps
// aside for the order.
func (h *Handler) servePageAction(w http.ResponseWriter, r *http.Request, kind string) {
	in := h.admit(w, r)
	a, cl := in.action, in.claims
	if in.refused == nil && cl.Placement != offers.PlacementThankYou {
		in.refuse(outcomes["invalid"])
	}
	if in.refused != nil {
		out := *in.refused
		if kind != "accept" && out.Status == "expired" && cl.Subject != "" {
			// The window ran out: the way out still works.
			h.leave(w, r, a, cl.Subject, pageAnswer{OK: true, Status: "expired"})
			return
		}
		if kind == "accept" {
			h.metrics.accepts.WithLabelValues(string(offers.PlacementThankYou), "unknown", "unknown", out.Status).Inc()
		}
		answerPage(w, r, a, h.failedAnswer(out, cl.OfferID))
		return
	}
	order := cl.Subject
	switch kind {
	case "continue":
		h.leave(w, r, a, order, pageAnswer{OK: true, Status: "continue"})
	case "decline":
		switch out, state := h.acceptState(r.Context(), cl); state {
		case acceptInFlight:
			answerPage(w, r, a, h.failedAnswer(out, cl.OfferID))
			return
		case acceptApplied:
			// Accepted in another tab: on as after that accept.
			out = h.worded(out, offers.PlacementThankYou, cl.OfferID)
			h.nextStep(w, r, a, order, pageAnswer{OK: true, Status: out.Status, Message: out.Message, Total: out.Total})
			return
		}
		declined := false // by this request: a second tab or resubmit is the same decline
		_, err := h.updateJourney(r.Context(), order, func(j *orderJourney) bool {
			f, answered := j.Answer(cl.OfferID, offers.StepDeclined)
			if answered {
				j.Funnel, j.Result, j.Total = f, string(offers.StepDeclined), ""
			}
			declined = answered
			return answered
		})
		if err != nil {
			h.logger.Warn("offer page decline: state layer", zap.Error(err))
			h.leave(w, r, a, order, pageAnswer{OK: true, Status: "declined"})
			return
		}
		if declined {
			h.metrics.declines.WithLabelValues(string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)).Inc()
			h.analytics.declined(cl)
		}
		h.nextStep(w, r, a, order, pageAnswer{OK: true, Status: "declined"})
	case "accept":
		h.pageAccept(w, r, a, cl)
	default:
		answerPage(w, r, a, h.failedAnswer(outcomes["invalid"], cl.OfferID))
	}
}

// pageAccept adds the step's offer to the order, once, in the quantity and
// variant the buyer chose among those the offer allows, then moves on to
// the next step.
func (h *Handler) pageAccept(w http.ResponseWriter, r *http.Request, a action, cl offers.Claims) {
	order := cl.Subject
	count := func(status string) {
		h.metrics.accepts.WithLabelValues(string(cl.Placement), cl.OfferID, variantLabel(cl.Variant), status).Inc()
	}
	// A repeat of a finished accept gets its first answer, whatever has
	// changed since; only a new one is checked.
	out, repeat := h.answered(r.Context(), cl)
	if !repeat {
		var ok bool
		if cl, ok = h.pageAcceptable(w, r, a, cl, count); !ok {
			return
		}
		out = h.forward(r, cl)
	}
	count(out.Status)
	if out.Status != "accepted" {
		answerPage(w, r, a, h.failedAnswer(out, cl.OfferID))
		return
	}
	out = h.worded(out, offers.PlacementThankYou, cl.OfferID)
	if out.PaymentURL != "" {
		h.toPayment(w, r, a, order, out)
		return
	}
	if _, err := h.updateJourney(r.Context(), order, func(j *orderJourney) bool {
		f, answered := j.Answer(cl.OfferID, offers.StepAccepted)
		if answered {
			j.Funnel, j.Result, j.Total = f, string(offers.StepAccepted), out.Total
		}
		return answered
	}); err != nil {
		// The item is in the order; only the page's steps could not be
		// kept. Leave to the store's page, which shows the order.
		h.logger.Warn("offer page accept: state layer", zap.Error(err))
		h.leave(w, r, a, order, pageAnswer{OK: true, Status: out.Status, Message: out.Message, Total: out.Total})
		return
	}
	h.nextStep(w, r, a, order, pageAnswer{OK: true, Status: out.Status, Message: out.Message, Total: out.Total})
}

// The states of a step's accept, for its decline (acceptState).
const (
	acceptNone     = iota // none, or one that did not apply (a declined payment)
	acceptInFlight        // being accepted, in another tab
	acceptApplied         // accepted
)

// acceptState says whether the step's offer is being accepted (in another
// tab) or was accepted, with that accept's outcome: then the step is not
// declined, or the buyer would be shown its downsell, and could add it,
// beside it. An accept that did not apply does not stand in the way.
func (h *Handler) acceptState(ctx context.Context, cl offers.Claims) (Outcome, int) {
	key, err := h.acceptKey(ctx, cl)
	if err != nil {
		return Outcome{}, acceptNone // the decline's own write meets the same trouble
	}
	rec, err := h.ledger.Lookup(ctx, key)
	switch {
	case err != nil:
		return Outcome{}, acceptNone // the decline's own write meets the same trouble
	case rec.InFlight:
		return outcomes["in_progress"], acceptInFlight
	case rec.Done:
		if out, ok := h.recordedOutcome(cl, rec.Answer); ok && out.Status == "accepted" {
			return out, acceptApplied
		}
	}
	return Outcome{}, acceptNone
}

// pageAcceptable checks a new accept from the offer page: the offer still
// stands, it is the step on the page (not a declined one), and the
// quantity and variant chosen are ones it offers. It returns the claims
// with that choice, or answers the failure itself and returns false.
func (h *Handler) pageAcceptable(w http.ResponseWriter, r *http.Request, a action, cl offers.Claims, count func(string)) (offers.Claims, bool) {
	order := cl.Subject
	if out, ok := h.stillStands(cl); !ok {
		count(out.Status)
		answerPage(w, r, a, h.failedAnswer(out, cl.OfferID))
		return cl, false
	}
	o := h.catalog.Offer(cl.OfferID)
	j, _, err := h.loadJourney(r.Context(), order)
	if err != nil {
		h.logger.Error("offer page accept: state layer", zap.Error(err))
		count("error")
		answerPage(w, r, a, h.failedAnswer(Outcome{HTTPStatus: http.StatusServiceUnavailable, Status: "error", Message: "Something went wrong on our side. Nothing was added; please try again."}, cl.OfferID))
		return cl, false
	}
	// Only the step on the page may be accepted (or a repeat of an accept,
	// which the ledger answers the same way again).
	if step, shown := j.Outcome(cl.OfferID); !shown || step == offers.StepDeclined {
		count("forbidden")
		answerPage(w, r, a, h.failedAnswer(Outcome{HTTPStatus: http.StatusConflict, Status: "forbidden", Message: "This offer is no longer on your page."}, cl.OfferID))
		return cl, false
	}
	if a.quantity != "" {
		q, err := strconv.Atoi(a.quantity)
		if err != nil || q < cl.Quantity || q > max(o.MaxQuantity, cl.Quantity) {
			count("invalid")
			answerPage(w, r, a, h.failedAnswer(Outcome{HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "That quantity is not offered."}, cl.OfferID))
			return cl, false
		}
		cl.Quantity = q
	}
	if a.variant != "" {
		// Only a variant the catalog offers, at the token's price.
		op, ok := o.Product.Option(a.variant)
		if !ok {
			count("invalid")
			answerPage(w, r, a, h.failedAnswer(Outcome{HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "That choice is not offered."}, cl.OfferID))
			return cl, false
		}
		cl.ProductVariantID = op.VariantID
	}
	return cl, true
}

// failedAnswer is the answer for an outcome of offerID that did not move
// on, in the operator's words for the offer page.
func (h *Handler) failedAnswer(out Outcome, offerID string) pageAnswer {
	out = h.worded(out, offers.PlacementThankYou, offerID)
	return pageAnswer{
		Status:     out.Status,
		Message:    out.Message,
		Retry:      out.HTTPStatus >= 500 || out.Status == "in_progress",
		httpStatus: out.HTTPStatus,
	}
}

// nextStep works out the order's next step after an answer and shows it:
// in place for the script, or by a redirect to the thank-you page, which
// renders it. With no step left Kairo steps aside; after an accept the
// script first shows the new total with the way on.
func (h *Handler) nextStep(w http.ResponseWriter, r *http.Request, a action, order string, ans pageAnswer) {
	// The order changed with an accept: ask the store, not a cache.
	page, _ := url.Parse(a.returnTo) // the thank-you page, with its query
	sc, err := h.orderContextNow(r.Context(), order, page, max(h.store.Timeouts().Context, minActionContextWait))
	if err != nil {
		h.leave(w, r, a, order, ans)
		return
	}
	now := h.now()
	step, _, err := h.currentStep(r.Context(), order, sc, now)
	if err != nil {
		h.logger.Warn("offer page: state layer", zap.Error(err))
		h.leave(w, r, a, order, ans)
		return
	}
	if step.offer == nil && ans.Status != string(offers.StepAccepted) {
		h.leave(w, r, a, order, ans)
		return
	}
	ans.ContinueURL = a.returnTo
	if !a.json {
		http.Redirect(w, r, a.returnTo, http.StatusSeeOther)
		return
	}
	view := h.actionView(a, order)
	view.Collect, view.PaymentMethod = paymentWording(sc)
	if step.offer != nil {
		if view, err = h.offerPageView(r, order, step, now); err != nil {
			h.logger.Error("offer page: signing the offer", zap.Error(err))
			h.leave(w, r, a, order, ans)
			return
		}
		view.ContinueURL = a.returnTo
		h.metrics.impressions.WithLabelValues(string(offers.PlacementThankYou), step.offer.ID, variantLabel(step.offer.Resolve(order).Variant)).Inc()
	}
	if ans.Status == string(offers.StepAccepted) {
		view.Result = &widget.Result{Accepted: true, Total: ans.Total}
	} else {
		view.Result = nil
	}
	ans.HTML = string(widget.RenderOfferStep(nil, view))
	answerPage(w, r, a, ans)
}

// actionView is the part of the offer page an action answers with before
// its step or result is filled in.
func (h *Handler) actionView(a action, order string) widget.OfferPage {
	return widget.OfferPage{
		Prefix:      h.Prefix,
		OrderNumber: order,
		ContinueURL: a.returnTo,
		Texts:       h.PostPurchase.Texts,
	}
}

// toPayment ends the offers after an accept the store made a second order
// of, to be paid on its payment page: nothing more is offered before the
// buyer has paid for it. A plain form goes straight to the payment page;
// the script shows the end of the offers with a "Complete payment" link.
func (h *Handler) toPayment(w http.ResponseWriter, r *http.Request, a action, order string, out Outcome) {
	if err := h.stepAside(context.WithoutCancel(r.Context()), order); err != nil {
		h.logger.Warn("offer page: recording the end of the offers", zap.Error(err))
	}
	if !a.json {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, out.PaymentURL, http.StatusSeeOther)
		return
	}
	view := h.actionView(a, order)
	view.Result = &widget.Result{Accepted: true, Total: out.AmountDue, PaymentURL: out.PaymentURL}
	answerPage(w, r, a, pageAnswer{
		OK: true, Status: out.Status, Message: out.Message, ContinueURL: a.returnTo,
		PaymentURL: out.PaymentURL, AmountDue: out.AmountDue,
		HTML: string(widget.RenderOfferStep(nil, view)),
	})
}

// leave steps aside for the order and sends the buyer to the store's own
// thank-you page.
func (h *Handler) leave(w http.ResponseWriter, r *http.Request, a action, order string, ans pageAnswer) {
	// The way out must work even if the state layer does not: the record
	// only spares the next visit a look at the order.
	if err := h.stepAside(context.WithoutCancel(r.Context()), order); err != nil {
		h.logger.Warn("offer page: recording the way out", zap.Error(err))
	}
	ans.Done, ans.ContinueURL = true, a.returnTo
	if !a.json {
		http.Redirect(w, r, a.returnTo, http.StatusSeeOther)
		return
	}
	answerPage(w, r, a, ans)
}

// answerPage answers the script with JSON, and a plain form with a 303 back
// to the offer page, which shows a failure's notice.
func answerPage(w http.ResponseWriter, r *http.Request, a action, ans pageAnswer) {
	w.Header().Set("Cache-Control", "no-store")
	if !a.json {
		target := a.returnTo
		if !ans.OK && ans.Status != "" {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + noticeParam + "=" + ans.Status
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	status := ans.httpStatus
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ans) // the buyer may have left; nothing to do then
}
