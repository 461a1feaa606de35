package caddymodule

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/internal/inject"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// contextHeader carries a cart page's context in the page itself (store
// contract v1, optional; Handler.ContextInPage). On the page request
// Kairo sends "Kairo-Context: cart"; a store that renders the page answers
// with the cart context its cart_context endpoint would give the same
// request (the requesting browser's own cart), as one line of JSON, in
// the page's own Kairo-Context header. Kairo takes it out before the page
// goes on. Orders are not asked for this way: an order context is the
// store's to give, with its credential, so thank-you pages always call.
const contextHeader = "Kairo-Context"

// asksPage says whether pages of placement pl are asked for their context
// when context_in_page is on: the store's own cart and checkout pages.
func asksPage(pl offers.Placement) bool {
	return pl == offers.PlacementCart || pl == offers.PlacementCheckout
}

// askPageForContext asks the store to send the page's cart context with
// the page, instead of Kairo calling the context endpoint beside it. A
// Kairo-Context the browser sent was dropped already (ServeHTTP): the
// store hears the question from Kairo only.
func (p *pageRun) askPageForContext() {
	if !p.h.ContextInPage || p.cached != nil || !asksPage(p.placement) {
		return
	}
	// A slice of its own: a later handler may edit header values in place.
	p.r.Header[contextHeader] = []string{"cart"}
	p.askedPage = true
	p.path = p.r.URL.Path // before a later handler rewrites it
}

// takePageContext is the response writer's header hook: it takes
// Kairo-Context out of every header of the page, informational or final,
// and keeps the final one's value when Kairo asked for it. A page that a
// shared cache may keep (its Cache-Control says neither private nor
// no-store), or one that came out of a cache (it has an Age), may hold
// another customer's context, so its header is not used: the context is
// then asked for as usual.
func (p *pageRun) takePageContext(status int, h http.Header) {
	v, ok := h[contextHeader]
	if !ok {
		return
	}
	delete(h, contextHeader)
	if !p.askedPage || status < 200 {
		return
	}
	// Kept out of shared caches: no-store, or private for the whole
	// response (private="Set-Cookie" makes only that field private).
	cc := h["Cache-Control"]
	if len(h["Age"]) > 0 || !inject.HeaderHasToken(cc, "no-store") && !inject.HeaderHasToken(cc, "private") {
		p.pageFromCache = true
		return
	}
	p.pageHeader = v
}

// stripPageContext is the header hook of a response Kairo asked nothing
// of: a Kairo-Context in it never reaches the browser.
func stripPageContext(_ int, h http.Header) { delete(h, contextHeader) }

// settleSource decides, once the page's header is in, where the context
// comes from: the header's, when the page brought one, or else a call to
// the store after all (a store that leaves some pages without it, or a
// page from a cache, still gets its offers, one round trip later).
// Called where the context is first needed: the page's header (early),
// or its </body> (snippet).
func (p *pageRun) settleSource() {
	if !p.askedPage {
		return
	}
	p.askedPage = false
	if len(p.pageHeader) == 0 {
		result, why := "none", "came without its Kairo-Context header"
		if p.pageFromCache {
			result, why = "cached", "is one a shared cache may keep (its Cache-Control says neither private nor no-store) or came out of one (it has an Age), so its Kairo-Context header was not used"
		}
		p.h.warnNoPageContext(p.h.routeOf(p.placement, p.path), p.placement, result, why)
		p.h.metrics.pageContexts.WithLabelValues(string(p.placement), result).Inc()
		p.pending = p.h.fetchContext(p.ctx, p.placement, p.pageID, p.r.URL, p.who)
		return
	}
	res := p.pageContextResult()
	result := "context"
	if res.err != nil {
		result = "bad"
	}
	p.h.metrics.pageContexts.WithLabelValues(string(p.placement), result).Inc()
	p.snip, p.built = p.build(res), true
}

// warnNoPageContext says once per route and result, at warn level, that
// context_in_page is on but the store's page brought no context Kairo can
// use (why says how): every such page costs a context call that starts
// only once the page's header is in, later than without the option.
func (h *Handler) warnNoPageContext(route string, pl offers.Placement, result, why string) {
	if _, warned := h.noPageContext.LoadOrStore(route+"\x00"+result, true); warned {
		return
	}
	h.logger.Warn("context_in_page is on, but the store's page "+why+": its context was asked for with a call instead, later than without the option; have the store send it on a private page (see the README's store contract), or remove context_in_page",
		zap.String("route", route), zap.String("placement", string(pl)), zap.String("result", result))
}

// pageContextResult turns the page's header into the store's answer: a
// context, or a bad answer (the page is then served unchanged, as with a
// context endpoint that answered nonsense).
func (p *pageRun) pageContextResult() contextResult {
	var sc *offers.Context
	var err error
	switch v := p.pageHeader; {
	case len(v) != 1:
		err = fmt.Errorf("the page sent %d %s headers, want one", len(v), contextHeader)
	case len(v[0]) > stores.MaxAnswer:
		err = fmt.Errorf("the page's %s header holds %d bytes, more than %d", contextHeader, len(v[0]), stores.MaxAnswer)
	default:
		if sc, err = offers.ParseContext([]byte(v[0])); err != nil {
			err = fmt.Errorf("the page's %s header: %w", contextHeader, err)
		}
	}
	if err != nil {
		return contextResult{err: &stores.Failure{Reason: stores.FailBadAnswer, Err: err}}
	}
	if key := p.h.contextCacheKey(p.placement, p.pageID, p.who); key != "" {
		p.h.contexts.setVisible(key, sc)
	}
	return contextResult{sc: sc, available: true}
}
