package caddymodule

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
)

// The add-to-cart pop-up. A store request named by popup_after (the
// customer adds something to the cart, by a form post or a fetch) passes
// through Kairo, which marks its successful answer with the cookie
// addedCookie. The loader on product and cart pages (widget.PopupLoader)
// sees the mark, right away after a fetch or on the next page after a form
// post, clears it and asks {prefix}/popup for the dialog: offers of the
// placement popup for the new cart, or nothing (204). popup_cap counts per
// customer (popupcap.go).
const (
	// addedCookie marks a browser that just added something to the cart.
	// The script reads and clears it, so it is not HttpOnly; it says
	// nothing but "look".
	addedCookie = "kairo_added"
	// addedCookieAge bounds how late the pop-up may still follow an add.
	addedCookieAge = 5 * time.Minute
)

// servePopup answers the loader's request for the pop-up: the dialog's
// HTML, or 204 when there is nothing to show (capped, no offer, the store
// down or slow). Like a page, it fails open: the customer just sees no
// pop-up.
func (h *Handler) servePopup(w http.ResponseWriter, r *http.Request) error {
	// GET only: working the pop-up out spends one of the customer's
	// popup_cap, which a HEAD from a monitor or a prefetcher must not.
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		return caddyhttp.Error(http.StatusMethodNotAllowed, nil)
	}
	if len(h.popupAfter) == 0 {
		return caddyhttp.Error(http.StatusNotFound, nil)
	}
	if !fromOwnScript(r) {
		return caddyhttp.Error(http.StatusForbidden, errors.New("the pop-up is asked for by the store's own pages' script only"))
	}
	w.Header().Set("Cache-Control", "no-store")
	id, _ := h.cartBrowserID(w, r) // the answer is no-store already
	outcome, body, guest := h.popup(r, cartBinding(id))
	h.metrics.pages.WithLabelValues(string(offers.PlacementPopup), outcome).Inc()
	if body == nil {
		if outcome != "capped" && outcome != "no_offers" && outcome != "state_unavailable" {
			h.logger.Debug("no pop-up: store context failed", zap.String("reason", outcome))
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if guest {
		setPopupSeen(w, r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	return nil
}

// popup works out the pop-up for the request's cart: the outcome (a
// metric label), the dialog or nil, and whether the cart is a guest's,
// whose pop-ups the browser counts. binding ties its tokens to the browser
// (cartcookie.go).
func (h *Handler) popup(r *http.Request, binding string) (outcome string, body []byte, guest bool) {
	ctx, cancel := context.WithTimeout(r.Context(), h.store.Timeouts().Context)
	defer cancel()
	res := <-h.fetchContext(ctx, offers.PlacementPopup, "", nil, shopper(r))
	if res.err != nil {
		return failOpenReason(res.err), nil, false
	}
	customer := popupCustomer(res.sc)
	guest = customer == ""
	if capped, err := h.popupCapped(ctx, r, customer); err != nil {
		h.logger.Debug("no pop-up: the state layer does not answer for popup_cap", zap.Error(err))
		return "state_unavailable", nil, guest
	} else if capped {
		return "capped", nil, guest
	}
	pl, subject := offers.PlacementPopup, res.sc.ID
	// The same holdout, pause and shadow rules as on a page.
	if h.analytics.observe(pl, res.sc, subject) != offers.ArmTreated {
		return "holdout", nil, guest
	}
	chosen, err := h.pick(ctx, pl, res.sc, subject)
	if err != nil {
		return "state_unavailable", nil, guest
	}
	if len(chosen) == 0 {
		return "no_offers", nil, guest
	}
	// Claimed before anything is counted as shown, so that the loser of a
	// race for the last pop-up counts no impression; a pop-up that then
	// shows nothing (only shadow offers) or fails to render spends one of
	// the customer's, which errs on the side of fewer.
	if within, err := h.claimPopup(ctx, customer); err != nil {
		h.logger.Debug("no pop-up: the state layer does not answer for popup_cap", zap.Error(err))
		return "state_unavailable", nil, guest
	} else if !within {
		return "capped", nil, guest
	}
	picked := h.analytics.live(pl, res.sc, subject, chosen, h.isShadow)
	if len(picked) == 0 {
		return "no_offers", nil, guest
	}
	frag, err := h.fragment(nil, pl, subject, binding, picked, h.localeFor(res.sc), safeReturnPath(r.URL.Query().Get("return_to")), "", nil, time.Time{})
	if err != nil {
		h.logger.Error("rendering the pop-up", zap.Error(err))
		return "render_error", nil, guest
	}
	for _, pk := range picked {
		h.metrics.impressions.WithLabelValues(string(pl), pk.OfferID, variantLabel(pk.Variant)).Inc()
		h.analytics.shown(pl, subject, pk)
	}
	return "injected", frag, guest
}

// fromOwnScript reports whether a pop-up request may come from the
// loader on the store's own pages: not from another site (an image or a
// link there would spend the customer's popup_cap and count impressions
// nobody saw) and not as a navigation. A browser says so in its
// Sec-Fetch headers; a request without them (an older browser, a test
// client) is let through, as the cap allows.
func fromOwnScript(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	return (site == "" || site == "same-origin") && r.Header.Get("Sec-Fetch-Mode") != "navigate"
}

// serveAddToCart passes a store's add-to-cart request on, marking a
// successful answer for the pop-up, and forgets the cached cart: it is
// about to change.
func (h *Handler) serveAddToCart(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if h.contexts != nil {
		// Under the cookies the store sees, as the pages cache it: Kairo's
		// own cookies are not part of the key.
		if cookie := storeCookies(r); cookie != "" {
			h.contexts.del(contextKey(offers.PlacementCart, "", cookie))
		}
	}
	secure := r.TLS != nil // the page is served over HTTPS: so is the cookie
	return next.ServeHTTP(withStatusHook(w, func(w http.ResponseWriter, status int) {
		if status >= 200 && status < 400 {
			http.SetCookie(w, &http.Cookie{
				Name: addedCookie, Value: "1", Path: "/",
				MaxAge: int(addedCookieAge / time.Second), SameSite: http.SameSiteLaxMode, Secure: secure,
			})
		}
	}), r)
}
