package caddymodule

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are Kairo's Prometheus collectors, registered in Caddy's
// registry so they appear on Caddy's metrics endpoint.
type metrics struct {
	impressions  *prometheus.CounterVec   // placement, offer, variant
	accepts      *prometheus.CounterVec   // placement, offer, variant, outcome
	declines     *prometheus.CounterVec   // placement, offer, variant
	revenue      *prometheus.CounterVec   // placement, offer, variant, currency (minor units, attributed)
	pages        *prometheus.CounterVec   // placement, outcome (injected or why not)
	storeLatency *prometheus.HistogramVec // call, result
}

const metricsNamespace = "kairo_upsell"

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
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
	}
	for _, c := range []**prometheus.CounterVec{&m.impressions, &m.accepts, &m.declines, &m.revenue, &m.pages} {
		registered, err := register(reg, *c)
		if err != nil {
			return nil, err
		}
		*c = registered
	}
	var err error
	if m.storeLatency, err = register(reg, m.storeLatency); err != nil {
		return nil, err
	}
	return m, nil
}

// register adds c to reg, or returns the collector already registered
// under the same name (several upsell handlers share one registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
