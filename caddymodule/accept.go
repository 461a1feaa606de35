package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// maxActionBody bounds accept and decline request bodies.
const maxActionBody = 16 << 10

// outcomeKeep is how long a finished accept is remembered after its
// token expires (repeats of an expired token are refused anyway).
const outcomeKeep = time.Hour

// crossOrigin refuses cross-site browser requests to the endpoints that
// move money (Sec-Fetch-Site, then Origin against Host).
var crossOrigin = http.NewCrossOriginProtection()

// action is a parsed accept or decline request.
type action struct {
	token string // the first of tokens, the one a decline or the offer page acts on
	// tokens are the offers the request names: one, or several when a
	// product page's bundle adds the chosen add-ons in one click.
	tokens   []string
	returnTo string // local path to send a plain form post back to
	quantity string // the quantity the buyer chose on the offer page, if any
	variant  string // the store variant the buyer chose on the offer page, if any
	json     bool   // answer in JSON (a script), not with a redirect (a form)
}

// serveEndpoint serves Kairo's own endpoints under the prefix.
func (h *Handler) serveEndpoint(w http.ResponseWriter, r *http.Request, rest string) error {
	switch rest {
	case "accept", "decline":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return nil
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
	http.NotFound(w, r)
	return nil
}

// readAction parses a JSON or form body with one token ("token") or
// several ("tokens" in JSON, "token" repeated in a form).
func readAction(w http.ResponseWriter, r *http.Request) (action, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxActionBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	a := action{json: ct == "application/json" || strings.Contains(r.Header.Get("Accept"), "application/json")}
	var tokens []string
	if ct == "application/json" {
		var body struct {
			Token    string   `json:"token"`
			Tokens   []string `json:"tokens"`
			ReturnTo string   `json:"return_to"`
			Quantity string   `json:"quantity"`
			Variant  string   `json:"variant"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return a, errors.New("the request body is not valid JSON")
		}
		tokens, a.returnTo, a.quantity, a.variant = append([]string{body.Token}, body.Tokens...), body.ReturnTo, body.Quantity, body.Variant
	} else {
		if err := r.ParseForm(); err != nil {
			return a, errors.New("the request body is not a valid form")
		}
		tokens, a.returnTo = r.PostForm["token"], r.PostForm.Get("return_to")
		a.quantity, a.variant = r.PostForm.Get("quantity"), r.PostForm.Get("variant")
	}
	for _, t := range tokens {
		if t != "" && !slices.Contains(a.tokens, t) {
			a.tokens = append(a.tokens, t)
		}
	}
	if a.returnTo == "" {
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Path != "" {
			a.returnTo = ref.RequestURI()
		}
	}
	a.returnTo = safeReturnPath(a.returnTo)
	switch {
	case len(a.tokens) == 0:
		return a, errors.New("the request has no token")
	case len(a.tokens) > maxTokensPerAccept:
		return a, fmt.Errorf("the request names more than %d offers", maxTokensPerAccept)
	}
	a.token = a.tokens[0]
	return a, nil
}

// maxTokensPerAccept bounds the offers one accept request may name.
const maxTokensPerAccept = 8

// admitRequest reads an accept or decline request and checks that it comes
// from the store's own page. When it fails, the Outcome is the answer to
// give.
func admitRequest(w http.ResponseWriter, r *http.Request) (action, Outcome, bool) {
	a, err := readAction(w, r)
	if err != nil {
		return a, Outcome{HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "This offer could not be read: " + err.Error() + "."}, false
	}
	if err := crossOrigin.Check(r); err != nil {
		return a, outcomeForbiddenOrigin, false
	}
	return a, Outcome{}, true
}

// admit is admitRequest with the (first) token verified.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) (action, offers.Claims, Outcome, bool) {
	a, out, ok := admitRequest(w, r)
	if !ok {
		return a, offers.Claims{}, out, false
	}
	cl, out, ok := h.verify(a)
	return a, cl, out, ok
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
	out = combineResults(results)
	if len(results) > 1 {
		respond(w, r, a, out, results...)
		return
	}
	respond(w, r, a, out)
}

// acceptToken verifies one token of a request and forwards its offer to
// the store once.
func (h *Handler) acceptToken(r *http.Request, a action, token string) offerResult {
	a.token = token
	cl, out, ok := h.verify(a)
	placement, offerID, variant := "unknown", "unknown", "unknown"
	answer := func(out Outcome) offerResult {
		h.metrics.accepts.WithLabelValues(placement, offerID, variant, out.Status).Inc()
		return offerResult{OfferID: cl.OfferID, Outcome: out}
	}
	if !ok {
		return answer(out)
	}
	placement, offerID, variant = string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)
	if h.catalog.Offer(cl.OfferID) == nil {
		return answer(Outcome{HTTPStatus: http.StatusGone, Status: "expired", Message: "This offer is no longer available."})
	}
	return answer(h.forward(r, cl))
}

// forward claims the accept in the ledger and, the first time, calls the
// store; a repeat gets the first answer. It is the one path by which an
// accept reaches the store, from the inline box and the offer page alike.
func (h *Handler) forward(r *http.Request, cl offers.Claims) Outcome {
	prev, claimed, err := h.ledger.Begin(r.Context(), cl.Nonce)
	switch {
	case errors.Is(err, ErrInFlight):
		return outcomes["in_progress"]
	case err != nil:
		h.logger.Error("idempotency ledger", zap.Error(err))
		return Outcome{HTTPStatus: http.StatusServiceUnavailable, Status: "error", Message: "Something went wrong on our side. Nothing was added; please try again."}
	case !claimed:
		return *prev
	}

	// The store call must finish even if the customer leaves the page:
	// its outcome is what every repeat of this token will be told.
	start := time.Now()
	ans, callErr := h.callStore(context.WithoutCancel(r.Context()), cl, shopper(r))
	h.metrics.storeLatency.WithLabelValues(string(cl.Placement)+"_accept", resultLabel(callErr)).Observe(time.Since(start).Seconds())
	out, retryable := acceptOutcome(cl, ans, callErr)
	h.analytics.accepted(cl, ans, callErr)
	if retryable {
		h.ledger.Abandon(cl.Nonce, out)
	} else {
		h.ledger.Finish(cl.Nonce, out, time.Until(cl.ExpiresAt)+outcomeKeep)
	}
	if out.Status == "accepted" && h.contexts != nil {
		// The cart or order changed: the next page must not offer from
		// the old context.
		h.contexts.del(contextKey(cl.Placement, cl.Subject, r.Header.Get("Cookie")))
	}
	h.logger.Info("offer accept",
		zap.String("offer", cl.OfferID), zap.String("placement", string(cl.Placement)),
		zap.String("subject", cl.Subject), zap.String("outcome", out.Status),
		zap.Int("store_status", ans.Status), zap.String("store_reason", string(ans.Reason)),
		zap.String("store_mode", string(ans.Mode)), zap.String("follow_up_order", ans.FollowUpOrderID), zap.Error(callErr))
	return out
}

// callStore forwards an accepted offer to the store: the order accept
// after purchase, the cart add before, bounded by the store's accept
// timeout.
func (h *Handler) callStore(ctx context.Context, cl offers.Claims, who stores.Shopper) (stores.Answer, error) {
	req := stores.AcceptRequest{
		Key:      acceptKey(cl),
		OfferID:  cl.OfferID,
		Currency: cl.Currency,
		Items: []stores.Line{{
			ProductID: cl.ProductID,
			VariantID: cl.ProductVariantID,
			Quantity:  cl.Quantity,
			UnitPrice: cl.UnitPrice,
			Discount:  cl.Discount,
		}},
		Shopper: who,
	}
	ctx, cancel := context.WithTimeout(ctx, h.store.Timeouts().Accept)
	defer cancel()
	if cl.Placement == offers.PlacementThankYou {
		req.OrderID = cl.Subject
		return h.store.OrderAccept(ctx, req)
	}
	return h.store.CartAdd(ctx, req)
}

// acceptKey is the accept's idempotency key: the store applies one key
// once.
func acceptKey(cl offers.Claims) string { return cl.Nonce }

// verify checks a token and, for a thank-you offer, that it belongs to
// the order of the page it was posted from.
func (h *Handler) verify(a action) (offers.Claims, Outcome, bool) {
	cl, err := h.signer.Verify(a.token)
	switch {
	case errors.Is(err, offers.ErrExpired):
		return cl, Outcome{HTTPStatus: http.StatusGone, Status: "expired", Message: "This offer has expired."}, false
	case errors.Is(err, offers.ErrBadSignature):
		return cl, Outcome{HTTPStatus: http.StatusForbidden, Status: "invalid", Message: "This offer is not valid: its signature does not match."}, false
	case err != nil:
		return cl, Outcome{HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "This offer is not valid: the token is malformed."}, false
	}
	if cl.Placement == offers.PlacementThankYou {
		u, _ := url.Parse(a.returnTo)
		if u != nil {
			if pageOrder, ok := h.orderFromPath(u.Path); ok && pageOrder != cl.Subject {
				return cl, Outcome{HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This offer belongs to another order."}, false
			}
		}
	}
	return cl, Outcome{}, true
}

var outcomeForbiddenOrigin = Outcome{HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This request did not come from the store's own page."}

// outcomes by status code, the answers a customer can be given. The
// notice shown after a plain form post is looked up here too, so a crafted
// link can only show one of these fixed sentences.
var outcomes = map[string]Outcome{
	"accepted":          {HTTPStatus: http.StatusOK, Status: "accepted", Message: "Added to your order."},
	"payment_failed":    {HTTPStatus: http.StatusPaymentRequired, Status: "payment_failed", Message: "Your payment method was declined for this item, so nothing was added and you were not charged."},
	"out_of_stock":      {HTTPStatus: http.StatusConflict, Status: "out_of_stock", Message: "Sorry, this item just sold out. Nothing was added."},
	"coupon_conflict":   {HTTPStatus: http.StatusConflict, Status: "coupon_conflict", Message: "This offer cannot be combined with the coupon already in your cart, so nothing was added."},
	"conflict":          {HTTPStatus: http.StatusConflict, Status: "conflict", Message: "The store could not add this item right now. Nothing was added or charged."},
	"order_closed":      {HTTPStatus: http.StatusGone, Status: "order_closed", Message: "This order can no longer be changed, so the offer could not be added."},
	"store_unavailable": {HTTPStatus: http.StatusBadGateway, Status: "store_unavailable", Message: "The store could not be reached. Nothing was added; please try again in a moment."},
	"store_timeout":     {HTTPStatus: http.StatusGatewayTimeout, Status: "store_unavailable", Message: "The store took too long to answer. Nothing was added; please try again in a moment."},
	"error":             {HTTPStatus: http.StatusBadGateway, Status: "error", Message: "The store could not add this item. Nothing was charged."},
	"in_progress":       {HTTPStatus: http.StatusConflict, Status: "in_progress", Message: "This offer is already being added. Please wait a moment."},
	"expired":           {HTTPStatus: http.StatusGone, Status: "expired", Message: "This offer has expired."},
	"invalid":           {HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "This offer is not valid."},
	"forbidden":         {HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This offer could not be added from here."},
	"declined":          {HTTPStatus: http.StatusOK, Status: "declined", Message: "No problem, we won't show that offer again."},
	"partly_added":      {HTTPStatus: http.StatusConflict, Status: "partly_added", Message: "Some of the items were added to your cart, others could not be. Please check your cart."},
}

// outcomeByStatus returns the fixed outcome for a status code, worded for
// the placement.
func outcomeByStatus(code string, pl offers.Placement) (Outcome, bool) {
	out, ok := outcomes[code]
	if ok && code == "accepted" && pl.PrePurchase() {
		out.Message = "Added to your cart."
	}
	return out, ok
}

// followUpMessage is the accepted message when the store took a
// post-purchase offer as a linked follow-up order, not an edit.
const followUpMessage = "Added to your order, as a second order linked to the first."

// acceptOutcome turns the store's answer into the customer's answer, and
// says whether the accept may be tried again (the store did not apply it).
// A 409's reason code picks the sentence; a 409 without a known reason is
// a conflict, never claimed to be a sell-out.
func acceptOutcome(cl offers.Claims, ans stores.Answer, err error) (Outcome, bool) {
	if err != nil {
		if stores.FailureReason(err) == stores.FailTimeout {
			return outcomes["store_timeout"], true
		}
		out := outcomes["store_unavailable"]
		out.HTTPStatus = http.StatusServiceUnavailable
		return out, true
	}
	switch {
	case ans.Applied():
		out, _ := outcomeByStatus("accepted", cl.Placement)
		if ans.Mode == stores.ModeFollowUp {
			out.Message = followUpMessage
		}
		if ans.Total > 0 {
			out.Total = offers.Money{Amount: ans.Total, Currency: cl.Currency}.Format()
		}
		return out, false
	case ans.Status == http.StatusPaymentRequired:
		return outcomes["payment_failed"], false
	case ans.Status == http.StatusConflict:
		switch ans.Reason {
		case stores.ReasonOutOfStock, stores.ReasonCouponConflict:
			return outcomes[string(ans.Reason)], false
		}
		return outcomes["conflict"], false
	case ans.Status == http.StatusGone:
		return outcomes["order_closed"], false
	case ans.Status >= 500:
		return outcomes["store_unavailable"], true
	}
	return outcomes["error"], false
}

// serveDecline records that a customer turned an offer down.
func (h *Handler) serveDecline(w http.ResponseWriter, r *http.Request) {
	a, cl, out, ok := h.admit(w, r)
	if !ok {
		if out.Status == "expired" {
			// An expired offer is gone already; nothing to record.
			out = outcomes["declined"]
		}
		respond(w, r, a, out)
		return
	}
	until := cl.ExpiresAt
	if until.Before(h.now().Add(24 * time.Hour)) {
		until = h.now().Add(24 * time.Hour)
	}
	h.declines.add(cl.Subject, cl.OfferID, until)
	h.metrics.declines.WithLabelValues(string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)).Inc()
	h.analytics.declined(cl)
	respond(w, r, a, outcomes["declined"])
}

// respond answers a script with JSON and a plain form with a 303 back to
// the page, which shows the result. A request that named several offers
// gets each one's result too.
func respond(w http.ResponseWriter, r *http.Request, a action, out Outcome, results ...offerResult) {
	w.Header().Set("Cache-Control", "no-store")
	if !a.json {
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
		OK      bool          `json:"ok"`
		Status  string        `json:"status"`
		Message string        `json:"message"`
		Total   string        `json:"total,omitempty"`
		Results []offerResult `json:"results,omitempty"`
	}{out.HTTPStatus < 300, out.Status, out.Message, out.Total, results})
}
