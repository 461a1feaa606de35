package caddymodule

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// contextHeader carries the context in the page itself (store contract
// v1, optional; Handler.ContextInPage). On the page request Kairo sends
// "Kairo-Context: cart" or "Kairo-Context: order"; a store that renders
// that page answers with the same cart or order context its context
// endpoint would give, as one line of JSON, in the page's own
// Kairo-Context header. Kairo takes it out before the page goes on.
const contextHeader = "Kairo-Context"

// Values of contextHeader on the page request: which context is asked for.
var (
	askCart  = []string{"cart"}
	askOrder = []string{"order"}
)

// askPageForContext asks the store to send the page's context with the
// page, instead of Kairo calling the context endpoint beside it. A
// Kairo-Context the browser sent is never passed on: the store hears the
// question from Kairo only.
func (p *pageRun) askPageForContext() {
	if !p.h.ContextInPage || p.cached != nil || p.placement == offers.PlacementProduct {
		delete(p.r.Header, contextHeader)
		return
	}
	ask := askCart
	if p.placement == offers.PlacementThankYou {
		ask = askOrder
	}
	p.r.Header[contextHeader] = ask
	p.askedPage = true
}

// takePageContext is the response writer's header hook: it takes
// Kairo-Context out of the page's header, whatever the page is, and keeps
// its value when Kairo asked for it. A page that came out of a cache
// (it has an Age) may hold another customer's context, so its header is
// not used: the context is then asked for as usual.
func (p *pageRun) takePageContext(_ int, h http.Header) {
	v, ok := h[contextHeader]
	if !ok {
		return
	}
	delete(h, contextHeader)
	if !p.askedPage {
		return
	}
	if len(h["Age"]) > 0 {
		p.pageFromCache = true
		return
	}
	if len(v) != 1 {
		p.pageContext, p.pageContextErr = "", fmt.Errorf("the page sent %d %s headers, want one", len(v), contextHeader)
		return
	}
	p.pageContext = v[0]
}

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
	if p.pageContext == "" && p.pageContextErr == nil {
		result := "none"
		if p.pageFromCache {
			result = "cached"
		} else {
			p.h.warnNoPageContext(p.h.routeOf(p.placement, p.r.URL.Path), p.placement)
		}
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

// warnNoPageContext says once per route, at warn level, that context_in_page
// is on but the store's page came without its context: every such page
// costs a context call that starts only once the page's header is in, later
// than without the option.
func (h *Handler) warnNoPageContext(route string, pl offers.Placement) {
	if _, warned := h.noPageContext.LoadOrStore(route, true); warned {
		return
	}
	h.logger.Warn("context_in_page is on, but the store's page came without its Kairo-Context header: its context was asked for with a call instead, later than without the option; have the store send it (see the README's store contract), or remove context_in_page",
		zap.String("route", route), zap.String("placement", string(pl)))
}

// pageContextResult turns the page's header into the store's answer: a
// context, or a bad answer (the page is then served unchanged, as with a
// context endpoint that answered nonsense).
func (p *pageRun) pageContextResult() contextResult {
	err := p.pageContextErr
	var sc *offers.Context
	switch {
	case err != nil:
	case len(p.pageContext) > stores.MaxAnswer:
		err = fmt.Errorf("the page's %s header holds %d bytes, more than %d", contextHeader, len(p.pageContext), stores.MaxAnswer)
	default:
		if sc, err = offers.ParseContext([]byte(p.pageContext)); err != nil {
			err = fmt.Errorf("the page's %s header: %w", contextHeader, err)
		} else if p.placement == offers.PlacementThankYou && sc.ID != p.pageID {
			err = fmt.Errorf("the page's %s header is order %q's context, on the page of order %q", contextHeader, sc.ID, p.pageID)
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
