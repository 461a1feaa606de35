package caddymodule

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kairoedge/kairo/offers"
)

// analyticsMetrics are the Prometheus collectors of the analytics side.
// Their labels are bounded: offers and variants come from the catalog,
// arms and placements are fixed lists, currencies are those of the orders.
type analyticsMetrics struct {
	shadow     *prometheus.CounterVec // placement, offer, variant
	revenueVec *prometheus.CounterVec // placement, offer, variant, currency
	// unconfirmed is the part of revenueVec the store did not confirm.
	unconfirmed *prometheus.CounterVec // placement, offer, variant, currency
	orders      *prometheus.CounterVec // arm, currency
	orderValue  *prometheus.CounterVec // arm, currency
	paused      *prometheus.GaugeVec   // offer
	dropped     *prometheus.CounterVec // reason
}

// analyticsMetricsKey names the analytics collectors in metricsPool, so
// that they too go on counting across a config reload.
const analyticsMetricsKey = "kairo_upsell_analytics_metrics"

// acquireAnalyticsMetrics returns the shared analytics collectors,
// registered in reg; revenue is the handler's revenue counter, which the
// analytics side feeds. Each call must be matched by
// releaseCollectors(analyticsMetricsKey).
func acquireAnalyticsMetrics(reg prometheus.Registerer, revenue *prometheus.CounterVec) (*analyticsMetrics, error) {
	return acquireCollectors(reg, analyticsMetricsKey, func() *analyticsMetrics { return newAnalyticsMetrics(revenue) })
}

// newAnalyticsMetrics makes the analytics collectors, unregistered.
func newAnalyticsMetrics(revenue *prometheus.CounterVec) *analyticsMetrics {
	return &analyticsMetrics{
		revenueVec: revenue,
		unconfirmed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "revenue_unconfirmed_minor_units_total",
			Help: "The part of revenue_minor_units_total counted at the offer's price because the store's answer to a post-purchase accept did not say what it charged.",
		}, []string{"placement", "offer", "variant", "currency"}),
		shadow: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "shadow_impressions_total",
			Help: "Shadow offers selected for a page but not shown.",
		}, []string{"placement", "offer", "variant"}),
		orders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "orders_total",
			Help: "Orders seen at their thank-you page, each once, by holdout arm (treated or holdout).",
		}, []string{"arm", "currency"}),
		orderValue: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "order_value_minor_units_total",
			Help: "Value of the orders seen, with their post-purchase accepts, in minor units, by holdout arm.",
		}, []string{"arm", "currency"}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "offer_paused",
			Help: "1 while an offer is paused because its accepts keep failing at the store; reloading the catalog resumes it.",
		}, []string{"offer"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "analytics_events_dropped_total",
			Help: "Analytics events not recorded in the state layer (queue_full, state_error).",
		}, []string{"reason"}),
	}
}

// Destruct lets the usage pool drop the collectors; nothing to free.
func (m *analyticsMetrics) Destruct() error { return nil }

// collectors lists the set's own collectors (revenue is the handler's).
func (m *analyticsMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.shadow, m.unconfirmed, m.orders, m.orderValue, m.dropped, m.paused}
}

// revenue adds attributed revenue.
func (m *analyticsMetrics) revenue(pl offers.Placement, offer, variant, currency string, amount int64) {
	addMoney(m.revenueVec.WithLabelValues(string(pl), offer, variantLabel(variant), currency), amount)
}

// unconfirmedRevenue adds revenue counted at the offer's price because the
// store did not say what it charged (it is in revenue as well).
func (m *analyticsMetrics) unconfirmedRevenue(pl offers.Placement, offer, variant, currency string, amount int64) {
	addMoney(m.unconfirmed.WithLabelValues(string(pl), offer, variantLabel(variant), currency), amount)
}

// addMoney adds an amount to a money counter; one below zero, which a
// counter refuses with a panic, is not added (what feeds these is never
// negative: this only keeps a mistake from taking Caddy down).
func addMoney(c prometheus.Counter, amount int64) {
	if amount > 0 {
		c.Add(float64(amount))
	}
}
