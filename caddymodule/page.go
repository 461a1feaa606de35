package caddymodule

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kairoedge/kairo/internal/inject"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// pageRun is one matched page on its way through: the context request
// started before the page, and what ended up on the page.
type pageRun struct {
	h         *Handler
	r         *http.Request
	placement offers.Placement
	pageID    string          // the order of a thank-you page, the product of a product page
	binding   string          // the browser's cart binding, signed into pre-purchase tokens
	cached    *offers.Context // the context from the cache, when it was there
	pending   <-chan contextResult
	outcome   string          // injected, or why the page passed through
	failure   error           // the store's error, when the context failed
	built     bool            // the widget has been worked out (snip is final)
	snip      []byte          // the widget, or nil to leave the page unchanged
	snipBuf   *[]byte         // the widget's buffer, from widgetBuffers
	shown     []offers.Pick   // the offers on the page (once settled, only if the widget went out)
	subject   string          // the cart or order the shown offers are for
	ctx       context.Context // bounds a context call; ends with the page
	who       stores.Shopper  // the customer, as a context call names them
	// askedPage is set while the page was asked to bring its own context
	// (pagecontext.go) and it is not settled yet where the context comes
	// from; pageHeader is the Kairo-Context the page sent back, unless
	// the page came from a cache or may go into a shared one (then
	// pageFromCache is set); path is the page's path as requested.
	askedPage     bool
	pageHeader    []string
	pageFromCache bool
	path          string
}

// servePage streams a matched page through the injector while the store's
// context is fetched in parallel. The context request runs as long as the
// page does; the page waits for it only at its </body>, and only up to the
// store timeout (see snippet).
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, pl offers.Placement, pageID string) error {
	run := &pageRun{h: h, r: r, placement: pl, pageID: pageID, outcome: "not_rewritable"}
	if pl.PrePurchase() {
		var id string
		w, id = h.withNewBrowserID(w, r)
		run.binding = cartBinding(id)
	} else {
		w = h.withBuyerCookie(w, r, pageID)
	}
	who := shopper(r)
	run.who = who
	if pl != offers.PlacementProduct {
		run.cached = h.cachedContext(pl, pageID, who)
	}
	run.askPageForContext()
	if run.askedPage {
		// The question is for this page only: not for a handle_errors
		// route that may run with this request once the page failed.
		defer delete(r.Header, contextHeader)
	}
	if run.cached == nil {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		run.ctx = ctx
		switch {
		case run.askedPage:
			// Asked for when the page's header is in (settleSource).
		case pl == offers.PlacementProduct:
			run.pending = h.fetchProductPage(ctx, pageID, who)
		default:
			run.pending = h.fetchContext(ctx, pl, pageID, r.URL, who)
		}
	}

	inject.PrepareRequest(r)
	rw := inject.NewResponseWriter(w, run.snippet)
	rw.SetEarlySnippet(run.early)
	rw.SetHeaderHook(run.takePageContext)
	rw.SetPersonal(personal(pl))
	if h.mountFor(pl) != "" {
		// The widget moves itself to the operator's mount: where it lands
		// first does not matter, and </body> holds nothing back.
		rw.SetAtBodyEnd()
	}
	defer func() {
		// reverse_proxy aborts a response whose body the store broke off
		// (or the client left) by panicking with http.ErrAbortHandler: the
		// page is counted, not finished, and the abort goes on.
		if v := recover(); v != nil {
			run.settle(rw, errAborted)
			run.finish()
			panic(v)
		}
	}()
	err := next.ServeHTTP(rw, r)
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	if !rw.Rewritten() && rw.Reason() != inject.ReasonNoSnippet {
		h.debug("page served unchanged: the response cannot be rewritten", run, zap.String("why", rw.Reason()))
	}
	run.settle(rw, err)
	run.finish()
	run.releaseWidget()
	return err
}

// widgetBuffers recycles the buffers widgets are written into: a widget
// is copied onto the page, and its buffer is free once the page is sent.
var widgetBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledWidget is the largest widget buffer kept for another page.
const maxPooledWidget = 64 << 10

// releaseWidget gives the widget's buffer back once the page is sent
// (rw.Close returned): the injector has written it, and writers keep no
// slice of what they were given.
func (p *pageRun) releaseWidget() {
	if p.snipBuf == nil {
		return
	}
	if cap(*p.snipBuf) <= maxPooledWidget {
		widgetBuffers.Put(p.snipBuf)
	}
	p.snipBuf, p.snip = nil, nil
}

// errAborted stands for a response the next handler aborted.
var errAborted = errors.New("the response was aborted")

// serveHead answers a HEAD for a matched page with the header its GET
// would get when rewritten (no length, no validators, private), without
// asking the store for context or counting a page.
func (h *Handler) serveHead(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, pl offers.Placement) error {
	inject.PrepareRequest(r)
	rw := inject.NewResponseWriter(w, nil)
	rw.SetHead()
	rw.SetHeaderHook(stripPageContext)
	rw.SetPersonal(personal(pl))
	err := next.ServeHTTP(rw, r)
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	return err
}

// personal says how a page of a placement depends on its customer: a
// cart on the customer's cookies; an order's page on the order and the
// buyer's cookie, and no cache may keep it at all.
func personal(pl offers.Placement) inject.Personal {
	return inject.Personal{NoStore: pl == offers.PlacementThankYou, VaryCookie: true}
}

// settle works out how the page ended once it is sent: the client went
// away, the store broke off in the middle of the body, the page had no
// place for the widget; the widget's offers count as shown only when the
// widget went onto the page.
func (p *pageRun) settle(rw *inject.ResponseWriter, err error) {
	switch {
	case rw.WriteErr() != nil || p.r.Context().Err() != nil:
		// The client went away (or the server is shutting down): the store
		// was not slow, nor the page unfit, whatever the run saw last.
		p.outcome = "client_gone"
	case err != nil && (rw.Rewritten() || rw.Reason() != inject.ReasonNoResponse):
		p.outcome = "store_reset"
		p.h.debug("page cut short: the store broke off", p, zap.Error(err))
	case rw.NoPlace():
		p.outcome = "no_place"
		p.h.debug("page served unchanged: no place a browser would show the widget in", p)
	}
	if rw.Injected() {
		for _, pk := range p.shown {
			p.h.metrics.impressions.WithLabelValues(string(p.placement), pk.OfferID, variantLabel(pk.Variant)).Inc()
			p.h.analytics.shown(p.placement, p.subject, pk)
		}
	} else {
		p.shown = nil
	}
}

// early is asked when the page's header is decided: if the context is in
// already (cached, or the store was quicker than the page), the widget is
// built now, and the page passes through untouched, header and all, when
// there is nothing to show.
func (p *pageRun) early() ([]byte, bool) {
	p.settleSource()
	if p.built {
		return p.snip, true
	}
	if p.cached != nil {
		p.snip, p.built = p.build(cachedResult(p.cached)), true
		return p.snip, true
	}
	select {
	case res := <-p.pending:
		p.snip, p.built = p.build(res), true
		return p.snip, true
	default:
		return nil, false
	}
}

// snippet is called by the injector when it reaches the insertion point,
// the store's </body>. It waits for the context at most the store timeout
// from now and returns the widget, or nil to leave the page unchanged.
//
// The wait is measured from here, not from the request's start: a store
// page takes about as long to render as its context call, so the context
// usually arrives while the page streams, and a slow page must not use up
// the budget of a context that was never late.
func (p *pageRun) snippet() []byte {
	p.settleSource()
	if !p.built && p.cached != nil {
		p.snip, p.built = p.build(cachedResult(p.cached)), true
	}
	if p.built {
		p.h.metrics.contextWait.WithLabelValues(string(p.placement)).Observe(0)
		return p.snip
	}
	began := time.Now()
	budget := p.h.store.Timeouts().Context
	wait := time.NewTimer(budget)
	defer wait.Stop()
	select {
	case res := <-p.pending:
		p.snip = p.build(res)
	case <-wait.C:
		p.outcome = "timeout"
		p.failure = fmt.Errorf("no context %s after the page's </body>", budget)
	}
	p.built = true
	p.h.metrics.contextWait.WithLabelValues(string(p.placement)).Observe(time.Since(began).Seconds())
	return p.snip
}

// build turns the store's answer into the widget, or nil.
func (p *pageRun) build(res contextResult) []byte {
	if res.err != nil {
		p.outcome, p.failure = failOpenReason(res.err), res.err
		p.h.debug("page served unchanged: store context failed", p, zap.Error(res.err))
		return nil
	}
	subject := res.sc.ID
	if p.placement == offers.PlacementThankYou {
		subject = p.pageID
	}
	notice := p.notice()
	var deadline time.Time
	if p.placement == offers.PlacementThankYou {
		var closed string
		if deadline, closed = p.h.inlineWindow(p.r.Context(), p.pageID, res.sc); closed != "" {
			p.outcome = closed
			p.h.debug("page served unchanged: the order's offers are over", p)
			return nil
		}
	}
	var picked []offers.Pick
	switch {
	case !res.available:
		// Nothing is offered beside a product that cannot be bought.
	case p.h.analytics.observe(p.placement, res.sc, subject) == offers.ArmTreated:
		ctx, cancel := p.h.pageStateContext(p.r.Context())
		chosen, err := p.h.pick(ctx, p.placement, res.sc, subject)
		cancel()
		if err != nil {
			// Without the declines, an offer turned down could show again.
			p.outcome = "state_unavailable"
			p.h.logger.Warn("page served unchanged: the state store is unavailable", zap.Error(err))
			return nil
		}
		picked = p.h.analytics.live(p.placement, res.sc, subject, chosen, p.h.isShadow)
	default:
		p.outcome = "holdout"
	}
	if len(picked) == 0 && notice == "" {
		if p.outcome != "holdout" {
			p.outcome = "no_offers"
		}
		p.h.debug("page served unchanged: no offer matches", p)
		if p.h.popupOn(p.placement) {
			// The pop-up's loader goes on the page even without offers of
			// its own: the next add-to-cart may bring some.
			return p.h.popupLoader
		}
		return nil
	}
	buf := widgetBuffers.Get().(*[]byte)
	frag, err := p.h.fragment((*buf)[:0], p.placement, subject, p.binding, picked, p.h.localeFor(res.sc), p.returnTo(), notice, res.product, deadline)
	if err != nil {
		widgetBuffers.Put(buf)
		p.outcome = "render_error"
		p.h.logger.Error("rendering the offer widget", zap.Error(err))
		return nil
	}
	p.outcome = "injected"
	p.shown, p.subject = picked, subject // counted once the widget is on the page (settle)
	if p.h.popupOn(p.placement) {
		frag = append(frag, p.h.popupLoader...)
	}
	*buf, p.snipBuf = frag, buf
	return frag
}

// finish records the page's outcome in metrics and placeholders.
func (p *pageRun) finish() {
	if p.outcome == "injected" && len(p.shown) == 0 {
		p.outcome = "notice_only"
	}
	p.h.metrics.pages.WithLabelValues(string(p.placement), p.outcome).Inc()
	if p.failure != nil {
		p.h.failOpen.record(p.h.routeOf(p.placement, p.r.URL.Path), string(p.placement), p.outcome, p.failure.Error())
	}
	if repl, ok := p.r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		// Worked out only when a log or a later handler asks.
		repl.Map(p.placeholder)
	}
}

// placeholder answers the page's placeholders (documented on Handler).
func (p *pageRun) placeholder(key string) (any, bool) {
	switch key {
	case "http.upsell.placement":
		return string(p.placement), true
	case "http.upsell.offer_ids":
		var ids strings.Builder
		for i, pk := range p.shown {
			if i > 0 {
				ids.WriteByte(',')
			}
			ids.WriteString(pk.OfferID)
		}
		return ids.String(), true
	case "http.upsell.outcome":
		return p.outcome, true
	}
	return nil, false
}

// failOpenReason turns a context failure into a metric label.
func failOpenReason(err error) string {
	switch reason := stores.FailureReason(err); reason {
	case "":
		return "store_error"
	case stores.FailStatus:
		return "store_status"
	case stores.FailBadAnswer:
		return "bad_context"
	case stores.FailCancelled:
		return "timeout"
	default:
		return reason
	}
}

// notice is the status code of a form post's result carried back to the
// page, or "" when there is none (or it is not one Kairo gives).
func (p *pageRun) notice() string {
	if p.r.URL.RawQuery == "" {
		return ""
	}
	code := p.r.URL.Query().Get(noticeParam)
	if _, ok := outcomeByStatus(code, p.placement); !ok {
		return ""
	}
	return code
}

// returnTo is the page's own path and query, without a previous notice.
func (p *pageRun) returnTo() string {
	u := *p.r.URL
	if u.RawQuery != "" {
		q := u.Query()
		if q.Has(noticeParam) {
			q.Del(noticeParam)
			u.RawQuery = q.Encode()
		}
	}
	return u.RequestURI()
}

// debug writes a debug log line about a page, cheaply when debug is off.
func (h *Handler) debug(msg string, p *pageRun, fields ...zap.Field) {
	if ce := h.logger.Check(zapcore.DebugLevel, msg); ce != nil {
		ce.Write(append(fields,
			zap.String("placement", string(p.placement)),
			zap.String("path", p.r.URL.Path),
			zap.String("reason", p.outcome))...)
	}
}
