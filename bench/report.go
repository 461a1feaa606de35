package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// machine describes where the run happened.
type machine struct {
	CPUs      int
	Model     string
	GoVersion string
	Revision  string // the Kairo commit measured
}

// writeReport prints the whole report: setup, table, one-connection
// latency, streaming check, targets and profiles. It is Markdown, so the
// README can quote it as is.
func writeReport(w io.Writer, m machine, res *results, sum summaries, targets []target) {
	o := res.Opts
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s. %s.\n", m.CPUs, m.Model, m.GoVersion, capitalize(res.Layout.describe()))
	if m.Revision != "" {
		fmt.Fprintf(w, "Kairo at %s.\n", m.Revision)
	}
	if o.Nice != 0 {
		fmt.Fprintf(w, "Caddy, the upstream and wrk ran at nice %d, each in a session (scheduling group) of its own.\n", o.Nice)
	}
	var order []string
	for _, cfg := range groupConfigs() {
		order = append(order, cfg.Key)
	}
	fmt.Fprintf(w, "Load: wrk, %d connections, %d thread(s), %d interleaved rounds (%s; %s ...) of %s per config and page size, each after %s of warm-up on a fresh Caddy process.\n",
		o.Conns, res.Threads, o.Rounds, strings.Join(order, ", "), strings.Join(order[:2], ", "), o.Duration, o.Warmup)
	fmt.Fprintln(w, "A = plain `reverse_proxy`; B = `upsell` configured, request path not matched; C = `upsell` injecting on the cart route, asking the store for the cart context on every page; D = as C with the context cached (`context_ttl`); G = as C with the store sending the cart context in the page's own header (`context_in_page`). No `encode` in any of them.")
	if len(allConfigs) > len(kairoConfigs) {
		fmt.Fprintln(w, "The peer, pinned and loaded the same way, interleaved with the Caddy rows: E = nginx `proxy_pass` (one process, keep-alive to the store); F = nginx `sub_filter` inserting the same widget (one C inserted) before the first `</body>` it meets, which on this page is the one in the `<title>`: `sub_filter` does not read HTML.")
	}
	fmt.Fprintln(w, "Figures are medians over the rounds; ×A is the median of each round's ratio to A, A being interpolated, by the row's place in the round, between the A that opened the round and the A that closed it; A's own row is every A of the run.")
	fmt.Fprintln(w)
	writePeerTable(w, res, sum)

	fmt.Fprintln(w, "| page | config | req/s | ×A | p50 | ×A | p99 | ×A | CPU/req | ×A | peak RSS | ×A |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, size := range res.Sizes {
		for _, cfg := range allConfigs {
			s := sum[size.Name][cfg.Key]
			fmt.Fprintf(w, "| %s | %s %s | %.0f | %.2f | %s | %.2f | %s | %.2f | %s | %.2f | %s | %.2f |\n",
				size.Label, cfg.Key, cfg.Name, s.RPS, s.RPSx, ms(s.P50), s.P50x, ms(s.P99), s.P99x,
				us(s.CPUReq), s.CPUReqx, mib(int64(s.RSS)), s.RSSx)
		}
	}
	fmt.Fprintln(w)
	var noiseProxy, noiseLoad float64
	for _, size := range res.Sizes {
		var busy []string
		for _, cfg := range allConfigs {
			s := sum[size.Name][cfg.Key]
			busy = append(busy, fmt.Sprintf("%s %.0f%%/%.0f%% (req/s %.0f-%.0f)", cfg.Key, 100*s.Busy, 100*s.LoadBusy, s.RPSMin, s.RPSMax))
			noiseProxy, noiseLoad = max(noiseProxy, s.NoiseProxy), max(noiseLoad, s.NoiseLoad)
		}
		fmt.Fprintf(w, "- %s: CPU busy, Caddy/load side: %s.\n", size.Label, strings.Join(busy, ", "))
		for _, cfg := range injectingConfigs {
			c := sum[size.Name][cfg.Key]
			fmt.Fprintf(w, "- %s, %s: %.2f context calls and %.2f contexts in the page's header per page, widget %d bytes, Kairo counted %.0f of %.0f cart pages injected%s.\n",
				size.Label, cfg.Key, c.CtxPerPage, c.PageCtxPerPage, c.WidgetSize, c.Injected, c.Matched, passedThrough(c.Outcomes))
		}
	}
	for _, size := range res.Sizes {
		var rounds []string
		for _, cfg := range allConfigs[1:] {
			var xs []string
			for _, x := range sum[size.Name][cfg.Key].RPSxRounds {
				xs = append(xs, fmt.Sprintf("%.2f", x))
			}
			rounds = append(rounds, cfg.Key+" "+strings.Join(xs, " "))
		}
		var calls []string
		for _, cfg := range allConfigs {
			s := sum[size.Name][cfg.Key]
			calls = append(calls, fmt.Sprintf("%s %.1f/%.1f", cfg.Key, s.ReadsPerReq, s.WritesPerReq))
		}
		fmt.Fprintf(w, "- %s: Caddy's read/write system calls per request: %s.\n", size.Label, strings.Join(calls, ", "))
		fmt.Fprintf(w, "- %s: req/s ×A round by round: %s (how far apart the rounds are is the noise floor of this machine).\n", size.Label, strings.Join(rounds, "; "))
		if mid, widest := drift(res.Table[size.Name][configPlain.Key], res.PlainAfter[size.Name]); mid > 0 {
			fmt.Fprintf(w, "- %s: the A that closed each round ran at %.2f × the req/s of the A that opened it (median; furthest %.2f): the host's drift within a round, which the ratios' baseline (A interpolated to each row's place in the round) takes out where it is linear.\n", size.Label, mid, widest)
		}
	}
	for _, size := range res.Sizes {
		if a := sum[size.Name][configPlain.Key]; a.Busy < 0.95 {
			fmt.Fprintf(w, "- At %s plain reverse_proxy kept Caddy only %.0f%% busy: the load side (wrk and the upstream) was the bottleneck there, so req/s ×A flatters the others; req per Caddy CPU-second (1 / CPU per request) does not, and the throughput targets need both.\n",
				size.Label, 100*a.Busy)
		}
	}
	fmt.Fprintf(w, "- Other processes on the machine took at most %.0f%% of Caddy's CPU and %.0f%% of the load CPUs during the rounds kept; %d round(s) were run again because others took more than %.0f%% of Caddy's CPU (or of the load CPUs while Caddy was not saturated).\n",
		100*noiseProxy, 100*noiseLoad, res.Reruns, 100*o.MaxNoise)
	fmt.Fprintf(w, "- C asks the store for the cart context on every page, as Kairo does by default (the customer's cart can change at any time); Kairo caches the offer selection for that context's fingerprint and the widget's layout, and signs fresh tokens per page. D sets `context_ttl %s`: all load carries one customer's cookie, so D shows the best case, every page after the first served from the context cache.\n", configCached.ContextTTL)
	fmt.Fprintln(w, "- G is C with `context_in_page`: the store sends each page's cart context in the page's own `Kairo-Context` header (store contract v1, optional), so every page has its customer's context fresh from the store, as in C, without a context call.")
	fmt.Fprintln(w, "- Every C, D and G page checked before the load had the widget right before the site footer (Kairo's place without a `mount`), none at the `</body>` traps in a comment, a style, a script and a textarea, and nothing else changed; A and B came back byte for byte.")
	fmt.Fprintln(w)

	if o.Light > 0 {
		fmt.Fprintf(w, "Latency over one connection (%s per config and round, right after the loaded run), where latency is service time, not queueing:\n\n", o.Light)
		fmt.Fprintln(w, "| page | config | p50 | p50 − A's | p99 | p99 − A's |")
		fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|")
		for _, size := range res.Sizes {
			for _, cfg := range allConfigs {
				s := sum[size.Name][cfg.Key]
				fmt.Fprintf(w, "| %s | %s %s | %s | %s | %s | %s |\n", size.Label, cfg.Key, cfg.Name,
					ms(s.LightP50), signedMs(s.AddedP50Light), ms(s.LightP99), signedMs(s.AddedP99Light))
			}
		}
		fmt.Fprintln(w, "\nDifferences are medians of each round's difference. Where A's own p99 is several times its p50, the p99 over one connection is set by a few stalls that hit every configuration alike, and the p50 difference is the better measure of added service time.")
		fmt.Fprintln(w)
	}

	if len(res.Stream) > 0 {
		fmt.Fprintf(w, "Streaming check, 10 MB page (%d connections for peak RSS; time to first byte and to the last byte: median of %d sequential GETs on one connection per proxy, alternating A and C):\n\n",
			o.Conns, o.TTFBSamples)
		fmt.Fprintln(w, "| config | req/s | peak RSS | peak RSS at 100 KB | first byte | last byte |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
		for _, cfg := range []proxyConfig{configPlain, configInjected} {
			c := res.Stream[cfg.Key]
			t := res.TTFBPlain
			if cfg == configInjected {
				t = res.TTFBInj
			}
			fmt.Fprintf(w, "| %s %s | %.0f | %s | %s | %s | %s |\n", cfg.Key, cfg.Name, c.Load.RPS, mib(c.PeakRSS),
				mib(int64(sum[size100K.Name][cfg.Key].RSS)), ms(float64(t.FirstByte)), ms(float64(t.Whole)))
		}
		fmt.Fprintf(w, "\nA proxy that held the page back would show a first byte no earlier than the whole page takes through A (%s).\n\n", ms(float64(res.TTFBPlain.Whole)))
	}

	fmt.Fprintln(w, "Targets (issue 6; the injecting rows issue 17):")
	fmt.Fprintln(w)
	for _, t := range targets {
		mark := "met    "
		switch {
		case t.Unclear:
			mark = "unclear"
		case !t.Met:
			mark = "MISSED "
		}
		fmt.Fprintf(w, "- %s  %s: %s\n", mark, t.Goal, t.Detail)
	}
	for _, p := range res.Profiles {
		fmt.Fprintln(w)
		writeProfile(w, p, sum[p.Size.Name])
	}
}

// passedThrough lists the outcomes other than injected: ", unchanged:
// timeout 3".
func passedThrough(outcomes map[string]float64) string {
	var parts []string
	for k, v := range outcomes {
		if k != "injected" && v > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, v))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	slices.Sort(parts)
	return ", unchanged: " + strings.Join(parts, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ms formats nanoseconds as milliseconds.
func ms(ns float64) string { return fmt.Sprintf("%.2f ms", ns/float64(time.Millisecond)) }

// signedMs formats a difference in nanoseconds as milliseconds with a sign.
func signedMs(ns float64) string { return fmt.Sprintf("%+.2f ms", ns/float64(time.Millisecond)) }

// us formats nanoseconds as microseconds.
func us(ns float64) string { return fmt.Sprintf("%.1f µs", ns/float64(time.Microsecond)) }

// mib formats bytes as MB (2^20).
func mib(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// signedMiB formats a difference in bytes as MB with a sign.
func signedMiB(b float64) string { return fmt.Sprintf("%+.1f MB", b/(1<<20)) }

// pct formats a ratio as a percentage.
func pct(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }

// writePeerTable sets the cost of inserting a widget with nginx (F against
// E) beside Kairo's (C, D and G against A), when the run had the peer rows.
func writePeerTable(w io.Writer, res *results, sum summaries) {
	if len(allConfigs) == len(kairoConfigs) {
		return
	}
	fmt.Fprintln(w, "| page | C/A req/s | D/A req/s | G/A req/s | F/E req/s | C/A CPU/req | D/A CPU/req | G/A CPU/req | F/E CPU/req |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, size := range res.Sizes {
		row := sum[size.Name]
		c, d, g, f := row[configInjected.Key], row[configCached.Key], row[configPageContext.Key], row[peerRatioKey]
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", size.Label,
			c.RPSx, d.RPSx, g.RPSx, f.RPSx, c.CPUReqx, d.CPUReqx, g.CPUReqx, f.CPUReqx)
	}
	fmt.Fprintln(w)
}
