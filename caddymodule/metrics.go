package caddymodule

import (
	"errors"

	"github.com/caddyserver/caddy/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are Kairo's Prometheus collectors, registered in Caddy's
// registry so they appear on Caddy's metrics endpoint.
//
// Every config load gets a fresh registry, so the collectors themselves
// live in a usage pool shared by all loaded configs and are registered
// again in each new registry: counters go on counting across a
// `caddy reload` instead of starting again from zero.
type metrics struct {
	impressions  *prometheus.CounterVec   // placement, offer, variant
	accepts      *prometheus.CounterVec   // placement, offer, variant, outcome
	declines     *prometheus.CounterVec   // placement, offer, variant
	revenue      *prometheus.CounterVec   // placement, offer, variant, currency (minor units, attributed)
	pages        *prometheus.CounterVec   // placement, outcome (injected or why not)
	storeLatency *prometheus.HistogramVec // call, result
	contextWait  *prometheus.HistogramVec // placement
	pageContexts *prometheus.CounterVec   // placement, result (context_in_page)
}

const metricsNamespace = "kairo_upsell"

// metricsPool holds the one set of collectors while any config uses it.
var metricsPool = caddy.NewUsagePool()

// metricsPoolKey names the set in metricsPool.
const metricsPoolKey = "kairo_upsell_metrics"

// collectorSet is a set of collectors kept in metricsPool.
type collectorSet interface {
	caddy.Destructor
	collectors() []prometheus.Collector
}

// acquireCollectors returns the set kept under key in metricsPool, made
// by build the first time, with its collectors registered in reg. Each
// call must be matched by a releaseCollectors(key).
func acquireCollectors[S collectorSet](reg prometheus.Registerer, key string, build func() S) (S, error) {
	v, _, err := metricsPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		return build(), nil
	})
	if err != nil {
		var none S
		return none, err
	}
	set := v.(S)
	for _, c := range set.collectors() {
		if err := register(reg, c); err != nil {
			releaseCollectors(key)
			return set, err
		}
	}
	return set, nil
}

// releaseCollectors gives back what acquireCollectors took.
func releaseCollectors(key string) {
	_, _ = metricsPool.Delete(key)
}

// acquireMetrics returns the handler's shared collectors, registered in
// reg. Each call must be matched by a releaseMetrics.
func acquireMetrics(reg prometheus.Registerer) (*metrics, error) {
	return acquireCollectors(reg, metricsPoolKey, newMetrics)
}

// releaseMetrics gives back what acquireMetrics took.
func releaseMetrics() {
	releaseCollectors(metricsPoolKey)
}

// Destruct lets the usage pool drop the collectors; nothing to free.
func (m *metrics) Destruct() error { return nil }

// collectors lists every collector of the set.
func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.impressions, m.accepts, m.declines, m.revenue, m.pages, m.storeLatency, m.contextWait, m.pageContexts}
}

// newMetrics makes the collectors, unregistered.
func newMetrics() *metrics {
	return &metrics{
		impressions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "impressions_total",
			Help: "Offers shown on a page.",
		}, []string{"placement", "offer", "variant"}),
		accepts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "accepts_total",
			Help: "Accept requests by outcome (accepted, payment_failed, out_of_stock, expired, invalid, ...).",
		}, []string{"placement", "offer", "variant", "outcome"}),
		declines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "declines_total",
			Help: "Offers a customer turned down.",
		}, []string{"placement", "offer", "variant"}),
		revenue: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "revenue_minor_units_total",
			Help: "Attributed revenue in minor units of the currency (cents for USD): post-purchase accepts as the store confirmed them, cart accepts once an order contains them at the offered price.",
		}, []string{"placement", "offer", "variant", "currency"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "pages_total",
			Help: "Matched cart and thank-you pages by outcome: injected, or the reason they passed through unchanged.",
		}, []string{"placement", "outcome"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "store_request_duration_seconds",
			Help:    "Latency of calls to the store's JSON contract.",
			Buckets: []float64{.005, .01, .025, .05, .1, .15, .25, .5, 1, 2.5, 5, 10},
		}, []string{"call", "result"}),
		contextWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "context_wait_seconds",
			Help:    "How long a page waited at its </body> for the store's context (0 when it was in already); the store timeout caps it.",
			Buckets: []float64{0, .005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2.5, 5},
		}, []string{"placement"}),
		pageContexts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "page_contexts_total",
			Help: "Cart and checkout pages asked to bring their own cart context (context_in_page), by what they brought: context; none, or cached (a page a shared cache may keep or did: its header is not used), and a context call was made instead; bad (a header that is no context: the page passed through).",
		}, []string{"placement", "result"}),
	}
}

// register adds c to reg. Several upsell handlers in one config share the
// registry, so finding c registered already is fine.
func register(reg prometheus.Registerer, c prometheus.Collector) error {
	if reg == nil {
		return nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) && are.ExistingCollector == c {
			return nil
		}
		return err
	}
	return nil
}
