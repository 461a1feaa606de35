package caddymodule

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kairoedge/kairo/offers"
)

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

// maxActionBody bounds accept and decline request bodies.
const maxActionBody = 16 << 10

// actionReadTimeout bounds how long reading an accept or decline body may
// take: a client trickling its body cannot hold a connection open longer.
const actionReadTimeout = 5 * time.Second

// crossOrigin refuses cross-site browser requests to the endpoints that
// move money (Sec-Fetch-Site, then Origin against Host).
var crossOrigin = http.NewCrossOriginProtection()

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

// safeReturnPath accepts only a local path (no scheme, no host, no "//"),
// so the redirect after a form post cannot leave the store.
func safeReturnPath(s string) string {
	if s == "" || s[0] != '/' || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.RequestURI()
}
