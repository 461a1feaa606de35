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

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
	"github.com/kairoedge/kairo/stores"
)

// maxActionBody bounds accept and decline request bodies.
const maxActionBody = 16 << 10

// actionReadTimeout bounds how long reading an accept or decline body may
// take: a client trickling its body cannot hold a connection open longer.
const actionReadTimeout = 5 * time.Second

// outcomeKeep is how long a finished accept is remembered after its
// token expires (repeats of an expired token are refused anyway).
const outcomeKeep = time.Hour

// ledgerWriteTimeout bounds recording an accept's outcome once the store
// has answered; the record is written even if the customer left.
const ledgerWriteTimeout = 5 * time.Second

// crossOrigin refuses cross-site browser requests to the endpoints that
// move money (Sec-Fetch-Site, then Origin against Host).
var crossOrigin = http.NewCrossOriginProtection()

// Outcome is the answer Kairo gave to an accept. Every repeat of an accept
// of the same offer for the same order (or cart) gets the same Outcome
// again, from the ledger, so a double click, a second tab, a retry, a
// restart or another instance never reaches the store twice.
type Outcome struct {
	// HTTPStatus is the status of the JSON answer.
	HTTPStatus int `json:"http_status"`
	// Status is a short machine code: accepted, payment_failed, ...
	Status string `json:"status"`
	// Message is the plain-words sentence shown to the customer.
	Message string `json:"message"`
	// Total is the formatted order or cart total after an accept, if known.
	Total string `json:"total,omitempty"`
	// Mode says how the store applied an accept: "edited" (the order or
	// cart now holds the item) or "follow_up" (a separate, linked order).
	Mode string `json:"mode,omitempty"`
}

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

// readAction parses a JSON or form body with one token ("token") or
// several ("tokens" in JSON, "token" repeated in a form).
func readAction(w http.ResponseWriter, r *http.Request) (action, error) {
	// Where the connection allows it (not every writer does), bound the
	// time the body may take; the deadline is lifted once it is read.
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(actionReadTimeout)) == nil {
		defer rc.SetReadDeadline(time.Time{})
	}
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

// admission is a request to act on one offer, as admit leaves it.
type admission struct {
	action action
	// claims are the (first) token's: authentic also when it expired,
	// empty when it could not be verified.
	claims offers.Claims
	// refused is the answer to give when the request may not go on; nil
	// when it may.
	refused *Outcome
}

// refuse turns the request down with out as the answer.
func (ad *admission) refuse(out Outcome) { ad.refused = &out }

// admit is admitRequest with the (first) token verified.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) admission {
	a, out, ok := admitRequest(w, r)
	ad := admission{action: a}
	if !ok {
		ad.refuse(out)
		return ad
	}
	ad.claims, out, ok = h.verify(r, a)
	if !ok {
		ad.refuse(out)
	}
	return ad
}

// verify checks a's token and that the requester is the customer its
// offer was shown to. A token that does not parse is 400, a forged or
// altered one 403, an expired one 410.
func (h *Handler) verify(r *http.Request, a action) (offers.Claims, Outcome, bool) {
	cl, err := h.signer.Verify(a.token)
	switch {
	case errors.Is(err, offers.ErrExpired):
		return cl, Outcome{HTTPStatus: http.StatusGone, Status: "expired", Message: "This offer has expired."}, false
	case errors.Is(err, offers.ErrBadSignature):
		return cl, Outcome{HTTPStatus: http.StatusForbidden, Status: "invalid", Message: "This offer is not valid: its signature does not match."}, false
	case err != nil:
		return cl, Outcome{HTTPStatus: http.StatusBadRequest, Status: "invalid", Message: "This offer is not valid: the token is malformed."}, false
	}
	if out, ok := h.requesterOwns(r, cl); !ok {
		return cl, out, false
	}
	return cl, Outcome{}, true
}

// requesterOwns checks that the request comes from the customer the
// offer was shown to: before purchase (cart, product, checkout, pop-up)
// the browser whose cart it was shown for (cartcookie.go), after it the
// buyer's browser (buyer.go).
func (h *Handler) requesterOwns(r *http.Request, cl offers.Claims) (Outcome, bool) {
	switch {
	case cl.Placement.PrePurchase():
		if !sameCartBrowser(r, cl.Binding) {
			return outcomes["other_cart"], false
		}
	case cl.Placement == offers.PlacementThankYou:
		if !h.isBuyer(r, cl.Subject) {
			return outcomes["not_buyer"], false
		}
	default:
		return outcomes["forbidden"], false
	}
	return Outcome{}, true
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
	cl, out, ok := h.verify(r, a)
	placement, offerID, variant := "unknown", "unknown", "unknown"
	answer := func(out Outcome) offerResult {
		h.metrics.accepts.WithLabelValues(placement, offerID, variant, out.Status).Inc()
		return offerResult{OfferID: cl.OfferID, Outcome: out}
	}
	if !ok {
		return answer(out)
	}
	placement, offerID, variant = string(cl.Placement), cl.OfferID, variantLabel(cl.Variant)
	if out, ok := h.stillStands(cl); !ok {
		return answer(out)
	}
	return answer(h.forward(r, cl))
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
	key := h.acceptKey(cl)
	// A repeat waits for an attempt in flight as long as that attempt may
	// take, plus a lease in case its holder died and must be taken over.
	wait, cancel := context.WithTimeout(r.Context(), h.store.Timeouts().Accept+2*state.DefaultLease)
	defer cancel()
	claim, prev, err := h.ledger.Begin(wait, key)
	switch {
	case errors.Is(err, state.ErrInFlight):
		return outcomes["in_progress"]
	case err != nil:
		h.logger.Error("state store unavailable: accept refused, nothing was sent to the store",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.Error(err))
		return outcomes["unavailable"]
	case claim == nil:
		var rec Outcome
		if err := json.Unmarshal(prev, &rec); err != nil || rec.HTTPStatus == 0 {
			h.logger.Error("accept ledger: unreadable record", zap.String("offer", cl.OfferID), zap.Error(err))
			return outcomes["unavailable"]
		}
		return rec
	}
	if claim.TookOver {
		h.logger.Warn("offer accept: taking over an attempt whose instance stopped answering; repeating the store call with the same Idempotency-Key",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject))
	}

	// The store call and its record must finish even if the customer
	// leaves the page: their outcome is what every repeat will be told.
	bg := context.WithoutCancel(r.Context())
	start := time.Now()
	ans, callErr := h.callStore(bg, cl, key, shopper(r))
	h.metrics.storeLatency.WithLabelValues(string(cl.Placement)+"_accept", resultLabel(callErr)).Observe(time.Since(start).Seconds())
	out, retryable := acceptOutcome(cl, ans, callErr)
	h.analytics.accepted(cl, ans, callErr)
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

// callStore forwards an accepted offer to the store: the order accept
// after purchase, the cart add before, bounded by the store's accept
// timeout. key is the Idempotency-Key (acceptKey): stable per (order or
// cart, offer), so the store can dedupe a repeat made after a crash or
// from another instance.
func (h *Handler) callStore(ctx context.Context, cl offers.Claims, key string, who stores.Shopper) (stores.Answer, error) {
	req := stores.AcceptRequest{
		Key:      key,
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

var outcomeForbiddenOrigin = Outcome{HTTPStatus: http.StatusForbidden, Status: "forbidden", Message: "This request did not come from the store's own page."}

// outcomes by status code, the answers a customer can be given. The
// notice shown after a plain form post is looked up here too, so a crafted
// link can only show one of these fixed sentences.
//
// A failed store call answers as a gateway does (acceptOutcome): 502 when
// the store answered with a 5xx ("store_unavailable" as written here), 503
// when it could not be reached at all (the same sentence, its status
// changed there), 504 past accept_timeout ("store_timeout"). The README's
// failure table promises these three.
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
	"other_cart":        {HTTPStatus: http.StatusForbidden, Status: "other_cart", Message: "This offer belongs to another cart."},
	"not_buyer":         {HTTPStatus: http.StatusForbidden, Status: "not_buyer", Message: "This offer can only be added from the order's own page, in the browser it was shown in."},
	"changed":           {HTTPStatus: http.StatusGone, Status: "changed", Message: "This offer has changed. Nothing was added; please reload the page to see the current offer."},
	"unavailable":       {HTTPStatus: http.StatusServiceUnavailable, Status: "unavailable", Message: "We could not take this just now. Nothing was added; please try again in a moment."},
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
		// Not reached at all: 503, where a 5xx the store sent is 502.
		out := outcomes["store_unavailable"]
		out.HTTPStatus = http.StatusServiceUnavailable
		return out, true
	}
	switch {
	case ans.Applied():
		out, _ := outcomeByStatus("accepted", cl.Placement)
		out.Mode = string(stores.ModeEdited)
		switch {
		case ans.Mode == stores.ModeFollowUp:
			out.Mode = string(stores.ModeFollowUp)
			// The total is the second order's, not a new total of the
			// first: it goes in the sentence, not where "new total" shows.
			out.Message = followUpMessage
			if ans.Total > 0 {
				out.Message += " Its total is " + offers.Money{Amount: ans.Total, Currency: cl.Currency}.Format() + "."
			}
		case ans.Total > 0:
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
	in := h.admit(w, r)
	a, cl := in.action, in.claims
	if in.refused != nil {
		out := *in.refused
		if out.Status == "expired" {
			// An expired offer is gone already; nothing to record.
			out = outcomes["declined"]
		}
		respond(w, r, a, out)
		return
	}
	keep := max(time.Until(cl.ExpiresAt), 24*time.Hour)
	ctx, cancel := context.WithTimeout(r.Context(), ledgerWriteTimeout)
	defer cancel()
	if err := h.declines.Add(ctx, cl.Subject, cl.OfferID, keep); err != nil {
		h.logger.Error("state store unavailable: decline not recorded",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.Error(err))
		respond(w, r, a, outcomes["unavailable"])
		return
	}
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
		Mode    string        `json:"mode,omitempty"`
		Results []offerResult `json:"results,omitempty"`
	}{out.HTTPStatus < 300, out.Status, out.Message, out.Total, out.Mode, results})
}
