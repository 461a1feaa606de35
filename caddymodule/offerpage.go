package caddymodule

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// quantityParam and variantParam carry the quantity and variant picked
// on the offer page without JavaScript (a GET form back to the same page).
const (
	quantityParam = "kairo_quantity"
	variantParam  = "kairo_variant"
)

// serveOfferPage answers a thank-you page in page mode: Kairo's own offer
// page the first time an order that can still be changed has offers, the
// store's page in every other case, untouched. It never blocks the way to
// the store's page: any trouble passes the request through.
func (h *Handler) serveOfferPage(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, orderID string) error {
	outcome := skipOfferPage(r)
	if outcome == "" {
		var page []byte
		var shown *offers.Pick
		page, shown, outcome = h.buildOfferPage(r, orderID)
		if page != nil {
			if shows, err := storeShowsOrder(w, r, next); !shows {
				// The store did not show this browser the order (another
				// session, a wrong key) or failed: its answer went out as
				// it was, and the browser gets neither the offer nor the
				// buyer's cookie.
				h.recordOfferPage(r, "store_refused", nil)
				return err
			}
		}
		if page != nil {
			h.recordOfferPage(r, outcome, shown)
			// The offer page stands in for the order's thank-you page:
			// its browser is the buyer's (buyer.go).
			h.setBuyerCookie(w, r, orderID)
			hdr := w.Header()
			hdr.Set("Content-Type", "text/html; charset=utf-8")
			hdr.Set("Cache-Control", "private, no-store")
			hdr.Set("X-Content-Type-Options", "nosniff")
			hdr.Set("Referrer-Policy", "same-origin")
			hdr.Set("Content-Length", strconv.Itoa(len(page)))
			w.WriteHeader(http.StatusOK)
			_, err := w.Write(page)
			return err
		}
	}
	h.recordOfferPage(r, outcome, nil)
	return next.ServeHTTP(w, r)
}

// storeShowsOrder asks the store for its own thank-you page with the
// browser's request, and reports whether the store shows it the order
// (200). The store decides who may see an order (its session, an
// unguessable key); the offer page and the buyer's cookie (buyer.go) go only
// where the store's page would, so guessing an order's URL never reaches
// its buyer's payment method. A 200 page is dropped unread, to be shown
// after the offers; any other answer (a redirect to the login, a 404) has
// been streamed to the browser as it came.
func storeShowsOrder(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) (bool, error) {
	// The recorder writes the store's header fields into w's: keep a copy
	// to go back to when the offer page replaces the store's.
	before := w.Header().Clone()
	rec := caddyhttp.NewResponseRecorder(w, new(bytes.Buffer), func(status int, _ http.Header) bool {
		return status == http.StatusOK
	})
	// The page is read only for its status: ask for all of it, plainly.
	probe := r.Clone(r.Context())
	for _, field := range []string{"Accept-Encoding", "Range", "If-None-Match", "If-Modified-Since"} {
		probe.Header.Del(field)
	}
	if err := next.ServeHTTP(rec, probe); err != nil {
		return false, err
	}
	if !rec.Buffered() || rec.Status() != http.StatusOK {
		return false, nil
	}
	// The store's cookies (its session) still reach the browser; its other
	// fields (length, validators, encoding) described a page not sent.
	cookies := w.Header().Values("Set-Cookie")
	clear(w.Header())
	for k, v := range before {
		w.Header()[k] = v
	}
	w.Header().Del("Set-Cookie")
	for _, c := range cookies {
		w.Header().Add("Set-Cookie", c)
	}
	return true, nil
}

// recordOfferPage counts a thank-you page of page mode and publishes the
// placeholders.
func (h *Handler) recordOfferPage(r *http.Request, outcome string, shown *offers.Pick) {
	h.metrics.pages.WithLabelValues(string(offers.PlacementThankYou), outcome).Inc()
	offerID := ""
	if shown != nil {
		offerID = shown.OfferID
		h.metrics.impressions.WithLabelValues(string(offers.PlacementThankYou), offerID, variantLabel(shown.Variant)).Inc()
	}
	if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		repl.Set("http.upsell.placement", string(offers.PlacementThankYou))
		repl.Set("http.upsell.offer_ids", offerID)
		repl.Set("http.upsell.outcome", outcome)
	}
}

// botMarks are User-Agent parts of crawlers, link previews and monitors:
// they get the store's page, and never start an order's window.
var botMarks = []string{"bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "monitor", "lighthouse"}

// skipOfferPage says why a request gets the store's page without a look at
// the order ("" when it may get the offer page): a bot, or a prefetch,
// which the buyer may never see.
func skipOfferPage(r *http.Request) string {
	ua := strings.ToLower(r.UserAgent())
	if ua == "" {
		return "bot"
	}
	for _, mark := range botMarks {
		if strings.Contains(ua, mark) {
			return "bot"
		}
	}
	if p := r.Header.Get("Sec-Purpose"); strings.Contains(p, "prefetch") || strings.Contains(r.Header.Get("Purpose"), "prefetch") {
		return "prefetch"
	}
	return ""
}

// buildOfferPage works out the order's offer page: the page, the offer on
// it and the outcome "offer_page"; or nil and why the store's page is
// served instead.
func (h *Handler) buildOfferPage(r *http.Request, orderID string) ([]byte, *offers.Pick, string) {
	ctx := r.Context()
	if done, err := h.steppedAside(ctx, orderID); err != nil {
		h.logger.Warn("offer page: state layer", zap.Error(err))
		return nil, nil, "state_unavailable"
	} else if done {
		return nil, nil, "stepped_aside"
	}
	if followUp, err := h.isFollowUp(ctx, orderID); err != nil {
		h.logger.Warn("offer page: state layer", zap.Error(err))
		return nil, nil, "state_unavailable"
	} else if followUp {
		return nil, nil, "follow_up"
	}
	sc, err := h.orderContextNow(ctx, orderID, r.URL, h.store.Timeouts().Context)
	if err != nil {
		h.logger.Debug("offer page: store context failed", zap.String("order", orderID), zap.Error(err))
		return nil, nil, failOpenReason(err)
	}
	if h.otherSpelling(orderID, sc) {
		return nil, nil, "order_mismatch"
	}
	if arm := h.analytics.observe(offers.PlacementThankYou, sc, orderID); arm != offers.ArmTreated {
		// The held-back control group gets the store's page, always.
		if err := h.stepAside(ctx, orderID); err != nil {
			h.logger.Warn("offer page: state layer", zap.Error(err))
		}
		return nil, nil, "holdout"
	}
	now := h.now()
	step, why, err := h.currentStep(ctx, orderID, sc, now)
	if err != nil {
		h.logger.Warn("offer page: state layer", zap.Error(err))
		return nil, nil, "state_unavailable"
	}
	if step.offer == nil {
		return nil, nil, why
	}
	view, err := h.offerPageView(r, orderID, step, now)
	if err != nil {
		h.logger.Error("offer page: signing the offer", zap.Error(err))
		return nil, nil, "render_error"
	}
	if notice := r.URL.Query().Get(noticeParam); notice != "" {
		if out, ok := outcomeByStatus(notice, offers.PlacementThankYou); ok && out.HTTPStatus >= 300 {
			// The notice may be about another step than the one shown: in
			// the page's words, not an offer's.
			view.Result = &widget.Result{Message: h.worded(out, offers.PlacementThankYou, "").Message}
		}
	}
	pick := step.offer.Resolve(orderID)
	return widget.RenderOfferPage(make([]byte, 0, 8192), view), &pick, "offer_page"
}

// orderContextNow asks the store for the order as seen from its thank-you
// page (path and query: a store may check the order's key in it), or
// takes it from the context cache, waiting at most timeout.
func (h *Handler) orderContextNow(ctx context.Context, orderID string, page *url.URL, timeout time.Duration) (*offers.Context, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := <-h.fetchContext(ctx, offers.PlacementThankYou, orderID, page, stores.Shopper{})
	return res.sc, res.err
}

// offerStep is what the offer page shows an order now.
type offerStep struct {
	offer    *offers.Offer
	journey  orderJourney
	deadline time.Time
	ctx      *offers.Context
}

// currentStep answers "what next for this order?" and records the answer
// as shown, so every tab and reload sees the same step. With no step to
// show it steps aside for the order and says why: the order can no longer
// be changed, its window has run out, or no offer is left.
func (h *Handler) currentStep(ctx context.Context, orderID string, sc *offers.Context, now time.Time) (offerStep, string, error) {
	step := offerStep{ctx: sc}
	why := ""
	switch deadline, err := h.orderDeadline(ctx, orderID, sc.PlacedAt, now); {
	case err != nil:
		return step, "", err
	case !sc.Changeable():
		why = "order_closed"
	case !now.Before(deadline):
		why = "window_closed"
	default:
		step.deadline = deadline
		cands := h.candidates(offers.PlacementThankYou, sc, now)
		h.analytics.reach(offers.PlacementThankYou, orderID, cands, h.isShadow)
		// The offer page's own steps stand for its declines (the
		// journey below).
		hist := h.history(ctx, orderID, sc)
		hist.Hidden = func(id string) bool { return h.analytics.pause.isPaused(id) || h.isShadow(id) }
		var fresh bool
		step.journey, err = h.updateJourney(ctx, orderID, func(j *orderJourney) bool {
			step.offer = h.catalog.Next(offers.PlacementThankYou, sc, cands, j.Funnel, hist, now, h.PostPurchase.MaxSteps)
			if step.offer == nil || j.Current() == step.offer.ID {
				return false
			}
			j.Funnel, fresh = j.Show(step.offer.ID), true
			return true
		})
		if err != nil {
			return step, "", err
		}
		if step.offer != nil {
			if fresh {
				h.countShown(ctx, orderID, sc, step.offer)
				h.analytics.shown(offers.PlacementThankYou, orderID, step.offer.Resolve(orderID))
			}
			return step, "", nil
		}
		why = "no_offers"
	}
	return step, why, h.stepAside(ctx, orderID)
}

// candidates is the selection for a context, from the selection cache,
// with enough spare offers for the inline box and for the offer page's
// steps to skip declined and shown ones.
func (h *Handler) candidates(pl offers.Placement, sc *offers.Context, now time.Time) []*offers.Offer {
	key := selectionKey(pl, sc.Fingerprint())
	sel, ok := h.cache.get(key)
	if !ok {
		sel = h.catalog.Select(pl, sc, now, 2*max(h.MaxOffers, h.PostPurchase.MaxSteps)+2)
		h.cache.set(key, sel)
	}
	return sel
}

// offerPageView prices and signs the step's offer for the page. The token
// expires with the order's window, and its nonce is the same for every
// token of this (order, offer), so the offer is added at most once
// whatever the tabs and reloads.
func (h *Handler) offerPageView(r *http.Request, orderID string, step offerStep, now time.Time) (widget.OfferPage, error) {
	o := step.offer
	pick := o.Resolve(orderID)
	loc := h.localeFor(step.ctx)
	cl := pick.Claims(offers.PlacementThankYou, orderID, now) // the first option's variant, for an offer of options
	cl.ExpiresAt = step.deadline
	cl.Nonce = stepNonce(orderID, o.ID)
	cl.Locale = loc.Tag()
	token, err := h.signer.Sign(cl)
	if err != nil {
		return widget.OfferPage{}, err
	}
	po := &widget.PageOffer{
		OfferID:     o.ID,
		Token:       token,
		Title:       pick.Title,
		Description: o.Product.Description,
		Image:       pick.Image,
		Price:       pick.FinalUnitPrice.FormatIn(loc),
		Texts:       o.Text,
	}
	if pick.Discount.Amount > 0 {
		po.RegularPrice = pick.UnitPrice.FormatIn(loc)
		po.Saving = pick.Discount.FormatIn(loc)
	}
	if cl.Shipping > 0 {
		po.Shipping = pick.Shipping.FormatIn(loc)
	}
	want, _ := strconv.Atoi(r.URL.Query().Get(quantityParam))
	for q := pick.Quantity; q <= max(o.MaxQuantity, pick.Quantity); q++ {
		if q == want {
			po.Chosen = len(po.Quantities)
		}
		items := offers.Money{Amount: pick.FinalUnitPrice.Amount * int64(q), Currency: pick.FinalUnitPrice.Currency}
		due := offers.Money{Amount: items.Amount + cl.Shipping, Currency: items.Currency}
		po.Quantities = append(po.Quantities, widget.QuantityChoice{Quantity: q, Items: items.FormatIn(loc), Amount: due.FormatIn(loc)})
	}
	if opts := o.Product.Options; len(opts) > 1 {
		po.OptionLabel = o.Product.OptionLabel
		chosen, ok := o.Product.Option(r.URL.Query().Get(variantParam))
		if !ok {
			chosen = o.Product.DefaultOption()
		}
		for i, op := range opts {
			if op.VariantID == chosen.VariantID {
				po.ChosenOption = i
			}
			po.Options = append(po.Options, widget.Option{VariantID: op.VariantID, Label: op.Label})
		}
	}
	view := widget.OfferPage{
		Prefix:      h.Prefix,
		OrderNumber: orderID,
		Lang:        loc.Tag(),
		ContinueURL: continueURL(r.URL),
		Stylesheet:  h.PostPurchase.Stylesheet,
		Icon:        h.PostPurchase.Icon,
		Links:       h.pageLinks(),
		Texts:       h.PostPurchase.Texts,
		Offer:       po,
		ExpiresAt:   step.deadline,
		Now:         now,
	}
	view.Collect, view.PaymentMethod = paymentWording(step.ctx)
	if j := step.journey; j.Result == string(offers.StepAccepted) {
		view.Result = &widget.Result{Accepted: true, Total: j.Total}
	}
	return view, nil
}

// paymentWording is how the offer page words an offer for the order: the
// way an accepted offer gets paid (offers.Payment.Collect), and the name of
// the order's payment method.
func paymentWording(sc *offers.Context) (collect, method string) {
	if sc == nil {
		return offers.CollectCharge, ""
	}
	if p := sc.Payment; p != nil {
		method = p.Title
	}
	return sc.Collect(), method
}

// continueURL is the thank-you page's path and query without the offer
// page's own parameters: where every way out of the offer page leads.
func continueURL(u *url.URL) string {
	c := *u
	if c.RawQuery != "" {
		q := c.Query()
		if q.Has(noticeParam) || q.Has(quantityParam) || q.Has(variantParam) {
			q.Del(noticeParam)
			q.Del(quantityParam)
			q.Del(variantParam)
			c.RawQuery = q.Encode()
		}
	}
	return c.RequestURI()
}

// pageLinks are the links at the foot of the offer page.
func (h *Handler) pageLinks() []widget.Link {
	links := make([]widget.Link, len(h.PostPurchase.Links))
	for i, l := range h.PostPurchase.Links {
		links[i] = widget.Link{Label: l.Label, URL: l.URL}
	}
	return links
}
