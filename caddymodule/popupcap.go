package caddymodule

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// popup_cap: how many add-to-cart pop-ups one customer sees. A customer the
// store names (the cart context's customer id) is counted in the state
// layer under
//
//	popups/<customer>   pop-ups shown to the customer (Incr)
//
// so the cap holds across the customer's browsers and devices and across a
// fleet of instances on one Redis. A guest (no customer id) is counted by
// the browser, in the first-party cookie popupSeenCookie. If the state
// layer does not answer, a customer gets no pop-up: the page is not
// touched, and an uncounted pop-up could go past the cap.
const (
	// popupSeenCookie counts the pop-ups shown to a guest's browser.
	popupSeenCookie = "kairo_popups"
	// popupSeenAge is how long a count is kept after the last pop-up.
	popupSeenAge = 30 * 24 * time.Hour
)

func popupCapKey(customer string) string { return "popups/" + customer }

// popupCustomer is the store's id of the cart's customer, "" for a guest.
func popupCustomer(sc *offers.Context) string {
	if sc.Customer == nil {
		return ""
	}
	return sc.Customer.ID
}

// popupCapped reports whether the customer (or, for a guest, the browser)
// has already been shown popup_cap pop-ups. It is a cheap early answer;
// claimPopup decides.
func (h *Handler) popupCapped(ctx context.Context, r *http.Request, customer string) (bool, error) {
	if customer == "" {
		return popupSeen(r) >= h.PopupCap, nil
	}
	ctx, cancel := h.pageStateContext(ctx)
	defer cancel()
	raw, found, err := h.state.Get(ctx, popupCapKey(customer))
	if err != nil || !found {
		return false, err
	}
	n, _ := strconv.Atoi(string(raw))
	return n >= h.PopupCap, nil
}

// claimPopup counts a pop-up about to be shown to a known customer and
// reports whether it is still within the cap. The count is one atomic
// increment, so two browsers (or instances) asking at once cannot both
// take the last one. A guest's pop-up is counted by setPopupSeen when it is
// sent.
func (h *Handler) claimPopup(ctx context.Context, customer string) (bool, error) {
	if customer == "" {
		return true, nil
	}
	ctx, cancel := h.pageStateContext(ctx)
	defer cancel()
	n, err := h.state.Incr(ctx, popupCapKey(customer), 1, popupSeenAge)
	if err != nil {
		return false, err
	}
	return n <= int64(h.PopupCap), nil
}

// popupSeen is how many pop-ups a guest's browser has been shown.
func popupSeen(r *http.Request) int {
	c, err := r.Cookie(popupSeenCookie)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(c.Value)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// setPopupSeen counts one more pop-up in a guest's browser.
func setPopupSeen(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: popupSeenCookie, Value: strconv.Itoa(popupSeen(r) + 1), Path: "/",
		MaxAge: int(popupSeenAge / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
}
