package caddymodule

import (
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// The pay link: when a store takes a post-purchase offer as a second order
// that it cannot charge by itself (WooCommerce with a card gateway), the
// buyer must pay for it on the store's own payment page. The link comes
// from the store's answer only, never from the browser, and Kairo sends a
// browser only to this site or to the store's configured origin.

// payLink is where the buyer pays for the follow-up order the store made:
// its FollowUpURL as a path on this site, or false when there is no link
// or it leads elsewhere. A link on the store's configured origin becomes a
// path on this site too: Kairo's site serves the store's pages, and the
// address Kairo reaches the store at (say http://127.0.0.1:8080) may not
// be one the buyer can reach.
func (h *Handler) payLink(r *http.Request, ans stores.Answer) (string, bool) {
	if !ans.PaymentDue() {
		return "", false
	}
	storeURL := ""
	if s, ok := h.store.(stores.Located); ok {
		storeURL = s.BaseURL()
	}
	return sitePath(ans.FollowUpURL, r.Host, storeURL)
}

// sitePath returns raw as a path and query on this site when it is one
// already ("/checkout/order-pay/9/?key=…") or an absolute http(s) URL on
// host (the site the request came to) or on storeURL's origin; anything
// else (another site, "//host", userinfo, other schemes, control
// characters) is refused.
func sitePath(raw, host, storeURL string) (string, bool) {
	if raw == "" || strings.ContainsAny(raw, "\\\x00\r\n\t") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" {
		return "", false
	}
	switch {
	case u.Scheme == "" && u.Host == "":
		if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
			return "", false
		}
	case u.Scheme == "http" || u.Scheme == "https":
		if !strings.EqualFold(u.Host, host) && !sameOrigin(u, storeURL) {
			return "", false
		}
	default:
		return "", false
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		p = "/" + strings.TrimLeft(p, "/")
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p, true
}

// sameOrigin reports whether u is on the origin (scheme, host and port) of
// base.
func sameOrigin(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return false
	}
	return strings.EqualFold(u.Scheme, b.Scheme) && strings.EqualFold(u.Host, b.Host)
}

// withPayLink adds the follow-up order's pay link to an accepted outcome,
// with the amount due there, when the store left the buyer a payment to
// complete. A link Kairo may not send the buyer to is left out and logged:
// the second order is made, and the store's own mails and account pages
// still lead to it.
func (h *Handler) withPayLink(r *http.Request, cl offers.Claims, ans stores.Answer, out Outcome) Outcome {
	if out.Status != "accepted" || !ans.PaymentDue() {
		return out
	}
	link, ok := h.payLink(r, ans)
	if !ok {
		h.logger.Error("offer accept: the store's pay link for the follow-up order is neither on this site nor on the store's; the buyer is not sent there",
			zap.String("offer", cl.OfferID), zap.String("subject", cl.Subject), zap.String("follow_up_order", ans.FollowUpOrderID))
		return out
	}
	out.PaymentURL = link
	out.Message = payDueMessage
	if ans.Total > 0 {
		out.AmountDue = amountIn(cl, ans.Total)
		out.Message += " Its total is " + out.AmountDue + "."
	}
	return out
}

// payDueMessage is the accepted message when the buyer still has to pay
// for the follow-up order.
const payDueMessage = "Added as a second order, linked to your order. It is not paid yet: complete payment on the store's payment page."
