package caddymodule

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// The dashboard's charts are SVG written on the server: no script, no
// style attribute, nothing a strict Content-Security-Policy blocks.

// chartPalette colours the series of a chart, in order.
var chartPalette = []string{"#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 720
	chartHeight  = 220
	chartLeft    = 64
	chartRight   = 16
	chartTop     = 12
	chartBottom  = 28
	legendRow    = 18
	intervalRow  = 44
	intervalLeft = 120
)

// chartSeries is one line of a chart.
type chartSeries struct {
	name   string
	values []float64
}

// lineChart draws one line per series over the days, with a labelled y
// axis; label formats a value for the axis.
func lineChart(title string, days []string, series []chartSeries, label func(float64) string) template.HTML {
	top := 0.0
	for _, s := range series {
		for _, v := range s.values {
			top = math.Max(top, v)
		}
	}
	top = niceCeiling(top)
	plotW := float64(chartWidth - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)
	x := func(i int) float64 {
		if len(days) < 2 {
			return chartLeft + plotW/2
		}
		return chartLeft + plotW*float64(i)/float64(len(days)-1)
	}
	y := func(v float64) float64 { return chartTop + plotH*(1-v/top) }

	height := chartHeight + legendRow*len(series) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartWidth, height, chartWidth, height, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e7eb"/>`, chartLeft, chartWidth-chartRight, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#4b5563">%s</text>`, chartLeft-6, y(v)+4, html.EscapeString(label(v)))
	}
	ticks := dayTicks(len(days))
	for k, i := range ticks {
		// The end labels align inwards so that they are not cut off.
		anchor := "middle"
		switch {
		case len(ticks) > 1 && k == 0:
			anchor = "start"
		case len(ticks) > 1 && k == len(ticks)-1:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="%s" fill="#4b5563">%s</text>`, x(i), chartHeight-8, anchor, html.EscapeString(days[i]))
	}
	for si, s := range series {
		colour := chartPalette[si%len(chartPalette)]
		var pts strings.Builder
		for i, v := range s.values {
			fmt.Fprintf(&pts, "%.1f,%.1f ", x(i), y(v))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour, strings.TrimSpace(pts.String()))
		if len(s.values) == 1 {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x(0), y(s.values[0]), colour)
		}
		ly := chartHeight + legendRow*si + 10
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`, chartLeft, ly, colour)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#111827">%s</text>`, chartLeft+18, ly+10, html.EscapeString(s.name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// chartInterval is one estimate with its interval.
type chartInterval struct {
	name             string
	value, low, high float64
}

// intervalChart draws estimates as points with their intervals around a
// zero line: where an interval lies wholly right of zero, the offers add
// to the average order.
func intervalChart(title string, rows []chartInterval, label func(float64) string) template.HTML {
	span := 0.0
	for _, r := range rows {
		span = math.Max(span, math.Max(math.Abs(r.low), math.Abs(r.high)))
	}
	span = niceCeiling(span)
	plotW := float64(chartWidth - intervalLeft - chartRight)
	x := func(v float64) float64 { return intervalLeft + plotW*(v+span)/(2*span) }
	height := intervalRow*len(rows) + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartWidth, height, chartWidth, height, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	bottom := intervalRow*len(rows) + 8
	for _, v := range []float64{-span, -span / 2, 0, span / 2, span} {
		stroke := "#e5e7eb"
		if v == 0 {
			stroke = "#6b7280"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="4" y2="%d" stroke="%s"/>`, x(v), x(v), bottom, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#4b5563">%s</text>`, x(v), bottom+16, html.EscapeString(label(v)))
	}
	for i, r := range rows {
		cy := intervalRow*i + intervalRow/2 + 4
		colour := chartPalette[i%len(chartPalette)]
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#111827">%s</text>`, intervalLeft-10, cy+4, html.EscapeString(r.name))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" stroke-width="3"/>`, x(r.low), x(r.high), cy, cy, colour)
		for _, end := range []float64{r.low, r.high} {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" stroke-width="2"/>`, x(end), x(end), cy-7, cy+7, colour)
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="5" fill="%s"/>`, x(r.value), cy, colour)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeiling rounds v up to 1, 2, 2.5 or 5 times a power of ten, so axis
// labels are round; 1 for a chart of zeros.
func niceCeiling(v float64) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// dayTicks picks at most five evenly spread day labels.
func dayTicks(n int) []int {
	if n <= 5 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 0, 5)
	for k := 0; k < 5; k++ {
		out = append(out, k*(n-1)/4)
	}
	return out
}
