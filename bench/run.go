package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"
)

// options are the knobs of one bench run.
type options struct {
	Duration      time.Duration // measured load per run
	Warmup        time.Duration // unmeasured load before it
	Light         time.Duration // one-connection latency run after it (0: skip)
	Rounds        int           // interleaved rounds of every configuration per page size
	Conns         int           // wrk connections
	TTFBSamples   int           // GETs per proxy for the time to first byte
	Profile       string        // auto (when a target is missed), always, never
	ProfileSecs   int           // length of each CPU profile
	ProfileRounds int           // profiles of every configuration, taken in turn
	MaxNoise      float64       // a round where others took more of a side's CPUs is run again
	Retries       int           // how many rounds at most are run again, in the whole run
	Nice          int           // nice value of Caddy, the upstream and wrk
	Budget        time.Duration
}

// cellRun is what one Caddy process measured under one load.
type cellRun struct {
	Load       loadResult         // the measured run, Conns connections
	CPU        time.Duration      // Caddy's CPU time during it
	PeakRSS    int64              // Caddy's VmHWM at its end, bytes
	Light      loadResult         // one connection (Light > 0)
	Contexts   int64              // context calls the store answered during the measured run
	PageCtx    int64              // contexts the store sent in pages' headers (context_in_page)
	Pages      int64              // pages the store served during it
	WidgetSize int                // bytes inserted into the sanity page (C)
	Outcomes   map[string]float64 // Kairo's page counters during the measured run
	NoiseProxy float64            // share of Caddy's CPUs other processes took
	NoiseLoad  float64            // share of the load CPUs other processes took
	LoadCPU    time.Duration      // wrk's and the upstream's CPU time during the measured run
	Syscalls   syscallCounts      // Caddy's read and write system calls during the measured run
}

// syscallsPerRequest is Caddy's reads and writes per request.
func (c cellRun) syscallsPerRequest() (reads, writes float64) {
	if c.Load.Requests == 0 {
		return 0, 0
	}
	n := float64(c.Load.Requests)
	return float64(c.Syscalls.Reads) / n, float64(c.Syscalls.Writes) / n
}

// setNoise works out how much CPU the load side used and how much of each
// side's CPUs other processes took during the measured run (c.CPU and
// c.Load must be set).
func (c *cellRun) setNoise(before, after procSnapshot, oneCPU bool) {
	load := after.upstreamCPU - before.upstreamCPU + c.Load.CPU
	c.LoadCPU = load
	if oneCPU { // Caddy, upstream and wrk share it
		c.NoiseProxy = othersShare(before.proxyCPUs, after.proxyCPUs, c.CPU+load)
		c.NoiseLoad = c.NoiseProxy
		return
	}
	c.NoiseProxy = othersShare(before.proxyCPUs, after.proxyCPUs, c.CPU)
	c.NoiseLoad = othersShare(before.loadCPUs, after.loadCPUs, load)
}

// noise is how much other processes could have skewed the run: their
// share of Caddy's CPU, and, unless Caddy was busy all along (then it was
// the bottleneck whatever the load side went through), of the load CPUs.
func (c cellRun) noise() float64 {
	if c.busy() >= 0.97 {
		return c.NoiseProxy
	}
	return max(c.NoiseProxy, c.NoiseLoad)
}

// contextsPerPage is how many context calls the store answered for each
// page.
func (c cellRun) contextsPerPage() float64 { return c.perPage(c.Contexts) }

// pageContextsPerPage is how many contexts the store sent in its pages'
// headers, per page.
func (c cellRun) pageContextsPerPage() float64 { return c.perPage(c.PageCtx) }

// perPage is n per page the store served.
func (c cellRun) perPage(n int64) float64 {
	if c.Pages == 0 {
		return 0
	}
	return float64(n) / float64(c.Pages)
}

// cpuPerRequest is Caddy's CPU time per request in the measured run.
func (c cellRun) cpuPerRequest() float64 {
	if c.Load.Requests == 0 {
		return 0
	}
	return float64(c.CPU) / float64(c.Load.Requests)
}

// busy is the share of one CPU Caddy used during the measured run.
func (c cellRun) busy() float64 {
	if c.Load.Elapsed == 0 {
		return 0
	}
	return float64(c.CPU) / float64(c.Load.Elapsed)
}

// loadBusy is the share of the load CPUs wrk and the upstream used.
func (c cellRun) loadBusy(cpus int) float64 {
	if c.Load.Elapsed == 0 || cpus == 0 {
		return 0
	}
	return float64(c.LoadCPU) / float64(c.Load.Elapsed) / float64(cpus)
}

// harness runs the configurations against the upstream.
type harness struct {
	opts     options
	layout   cpuLayout
	launcher *caddyLauncher
	up       *upstream
	gen      loadGen
	pages    map[string][]byte
	client   *http.Client
	progress io.Writer
	deadline time.Time // re-runs must not push the run past it
}

// runCell starts Caddy with cfg, checks one page of size, loads it, and
// reads Caddy's CPU time and peak RSS; with light, it then measures latency
// over one connection.
func (h *harness) runCell(cfg proxyConfig, size pageSize, light bool) (cellRun, error) {
	var c cellRun
	p, err := h.launcher.start(cfg)
	if err != nil {
		return c, err
	}
	defer p.stop()
	frag, err := checkConfig(h.client, p.base, cfg, size, h.pages[size.Name], h.launcher.widget)
	if err != nil {
		return c, err
	}
	c.WidgetSize = len(frag)
	if cfg.injects() && h.launcher.widget == nil {
		h.launcher.widget = bytes.Clone(frag) // what F inserts
	}
	url := cfg.url(p.base, size)
	if _, err := h.gen.run(url, h.opts.Conns, h.opts.Warmup); err != nil {
		return c, err
	}
	var outcomesBefore map[string]float64
	if cfg.Upsell {
		outcomesBefore, _ = pageOutcomes(p.admin) // informative only
	}
	before, err := h.snapshot(p)
	if err != nil {
		return c, err
	}
	if c.Load, err = h.gen.run(url, h.opts.Conns, h.opts.Duration); err != nil {
		return c, err
	}
	after, err := h.snapshot(p)
	if err != nil {
		return c, err
	}
	c.CPU = after.cpu - before.cpu
	c.Syscalls = syscallCounts{Reads: after.syscalls.Reads - before.syscalls.Reads, Writes: after.syscalls.Writes - before.syscalls.Writes}
	c.setNoise(before, after, h.layout.Proxy == "")
	c.Contexts = after.counts.Contexts - before.counts.Contexts
	c.PageCtx = after.counts.PageContexts - before.counts.PageContexts
	c.Pages = after.counts.Pages - before.counts.Pages
	if c.PeakRSS, err = p.peakRSS(); err != nil {
		return c, err
	}
	if c.Load.Non2xx+c.Load.SocketErrors > 0 {
		return c, fmt.Errorf("%s, %s: %d non-2xx answers and %d socket errors under load\n%s",
			cfg.Name, size.Label, c.Load.Non2xx, c.Load.SocketErrors, p.logTail())
	}
	if cfg.Upsell {
		if after, err := pageOutcomes(p.admin); err == nil {
			c.Outcomes = make(map[string]float64, len(after))
			for k, v := range after {
				c.Outcomes[k] = v - outcomesBefore[k]
			}
		}
	}
	if light && h.opts.Light > 0 {
		if c.Light, err = h.gen.run(url, 1, h.opts.Light); err != nil {
			return c, err
		}
	}
	return c, nil
}

// procSnapshot is, at one moment, the CPU time of Caddy and the upstream,
// how busy each side's CPUs were, and the upstream's counters.
type procSnapshot struct {
	cpu, upstreamCPU    time.Duration
	syscalls            syscallCounts
	proxyCPUs, loadCPUs cpuTicks
	counts              upstreamCounts
}

func (h *harness) snapshot(p *caddyProc) (procSnapshot, error) {
	var s procSnapshot
	var err error
	if s.counts, err = h.up.counts(); err != nil {
		return s, err
	}
	if s.cpu, err = p.cpu(); err != nil {
		return s, err
	}
	if s.syscalls, err = readSyscalls(p.pid()); err != nil {
		return s, err
	}
	if s.upstreamCPU, err = readProcCPU(h.up.pid); err != nil {
		return s, err
	}
	if s.proxyCPUs, err = readCPUTicks(h.layout.ProxyCPUs); err != nil {
		return s, err
	}
	s.loadCPUs, err = readCPUTicks(h.layout.LoadCPUs)
	return s, err
}

// results is everything one bench run measured.
type results struct {
	Opts      options
	Layout    cpuLayout
	Threads   int                             // wrk threads
	Table     map[string]map[string][]cellRun // size name, config key, rounds
	Sizes     []pageSize                      // table sizes, in order
	Stream    map[string]cellRun              // 10 MB page, by config key
	TTFBPlain timedGet                        // 10 MB page through A
	TTFBInj   timedGet                        // 10 MB page through C
	Profiles  []profileResult
	Reruns    int // rounds run again because other processes took CPU
	// PlainAfter is A run again at the end of each round, by size name:
	// with the A that opened the round, the baseline of its ratios.
	PlainAfter map[string][]cellRun
}

// groupConfigs is the order of one round at one size: the Caddy
// configurations, A again, then the nginx peer rows (whose own baseline is
// E, right before F). The host's speed drifts within a round (a round
// takes over half a minute), and a ratio to the A that ran first alone
// would credit or charge the later rows with that drift: their baseline
// is A before and after them (bracket), with nothing else run in between.
func groupConfigs() []proxyConfig {
	out := append(kairoConfigs[:len(kairoConfigs):len(kairoConfigs)], configPlain)
	return append(out, allConfigs[len(kairoConfigs):]...)
}

// runTable drives the configurations interleaved (groupConfigs), round
// after round, at each size.
func (h *harness) runTable(sizes []pageSize) (*results, error) {
	res := &results{
		Opts: h.opts, Layout: h.layout, Threads: h.gen.threads,
		Table: make(map[string]map[string][]cellRun), Sizes: sizes, Stream: make(map[string]cellRun),
		PlainAfter: make(map[string][]cellRun),
	}
	for _, s := range sizes {
		res.Table[s.Name] = make(map[string][]cellRun)
	}
	groupsLeft := h.opts.Rounds * len(sizes)
	for round := 1; round <= h.opts.Rounds; round++ {
		for _, size := range sizes {
			groupsLeft--
			after := time.Duration(groupsLeft)*h.opts.groupCost() + h.opts.streamCost() + h.opts.profileCost()
			group, reruns, err := h.runGroup(round, size, h.opts.Retries-res.Reruns, after)
			res.Reruns += reruns
			if err != nil {
				return res, err
			}
			for i, cfg := range groupConfigs() {
				if cfg == configPlain && i > 0 {
					res.PlainAfter[size.Name] = append(res.PlainAfter[size.Name], group[i])
					continue
				}
				res.Table[size.Name][cfg.Key] = append(res.Table[size.Name][cfg.Key], group[i])
			}
		}
	}
	return res, nil
}

// runGroup runs the round's configurations once at size, in the order of
// groupConfigs. When other processes took more than
// MaxNoise of either side's CPUs during any of them, it runs the round
// again (at most retries times, and only while the work still to come
// after this group fits before the deadline) and keeps the quietest try.
func (h *harness) runGroup(round int, size pageSize, retries int, after time.Duration) (best []cellRun, reruns int, err error) {
	bestNoise := 2.0
	for try := 0; try <= retries; try++ {
		configs := groupConfigs()
		group := make([]cellRun, 0, len(configs))
		noise := 0.0
		for i, cfg := range configs {
			again := ""
			if cfg == configPlain && i > 0 {
				again = " (again, closing the round)"
			}
			fmt.Fprintf(h.progress, "round %d/%d  %-6s  %s %s%s ... ", round, h.opts.Rounds, size.Label, cfg.Key, cfg.Name, again)
			c, err := h.runCell(cfg, size, true)
			if err != nil {
				fmt.Fprintln(h.progress, "failed")
				return nil, reruns, err
			}
			fmt.Fprintf(h.progress, "%.0f req/s; busy: caddy %.0f%%, load %.0f%%; others took %.0f%% / %.0f%%; %.2f context calls and %.2f contexts in the page per page\n",
				c.Load.RPS, 100*c.busy(), 100*c.loadBusy(len(h.layout.LoadCPUs)), 100*c.NoiseProxy, 100*c.NoiseLoad, c.contextsPerPage(), c.pageContextsPerPage())
			group = append(group, c)
			noise = max(noise, c.noise())
		}
		if noise < bestNoise {
			best, bestNoise = group, noise
		}
		if noise <= h.opts.MaxNoise {
			break
		}
		if try == retries {
			break
		}
		if time.Now().Add(h.opts.groupCost() + after).After(h.deadline) {
			fmt.Fprintf(h.progress, "other processes took up to %.0f%% of the CPUs that mattered; no time left to run this round again\n", 100*noise)
			break
		}
		reruns++
		fmt.Fprintf(h.progress, "other processes took up to %.0f%% of the CPUs that mattered: running this round again\n", 100*noise)
	}
	return best, reruns, nil
}

// runStreaming loads the 10 MB page through A and C (peak RSS), then
// measures time to first byte through both, alternating.
func (h *harness) runStreaming(res *results) error {
	for _, cfg := range []proxyConfig{configPlain, configInjected} {
		fmt.Fprintf(h.progress, "stream   %-6s  %s %s ... ", size10M.Label, cfg.Key, cfg.Name)
		c, err := h.runCell(cfg, size10M, false)
		if err != nil {
			fmt.Fprintln(h.progress, "failed")
			return err
		}
		fmt.Fprintf(h.progress, "%.0f req/s, peak RSS %s\n", c.Load.RPS, mib(c.PeakRSS))
		res.Stream[cfg.Key] = c
	}
	fmt.Fprintf(h.progress, "ttfb     %-6s  A and C alternating, %d GETs each ... ", size10M.Label, h.opts.TTFBSamples)
	pa, err := h.launcher.start(configPlain)
	if err != nil {
		return err
	}
	defer pa.stop()
	pc, err := h.launcher.start(configInjected)
	if err != nil {
		return err
	}
	defer pc.stop()
	res.TTFBPlain, res.TTFBInj, err = ttfbPair(configPlain.url(pa.base, size10M), configInjected.url(pc.base, size10M), h.opts.TTFBSamples)
	if err != nil {
		return err
	}
	fmt.Fprintf(h.progress, "A %s, C %s\n", ms(float64(res.TTFBPlain.FirstByte)), ms(float64(res.TTFBInj.FirstByte)))
	return nil
}

// measure runs the table, the streaming check and, where targets call for
// them, the CPU profiles (written into profileDir), and judges the targets.
func (h *harness) measure(profileDir string) (*results, summaries, []target, error) {
	res, err := h.runTable([]pageSize{size16K, size100K})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := h.runStreaming(res); err != nil {
		return nil, nil, nil, err
	}
	sum := summarizeAll(res)
	targets := evaluate(res, sum)
	for _, size := range profileSizes(h.opts.Profile, targets) {
		res.Profiles = append(res.Profiles, h.profile(size, profileDir))
	}
	weighProfiles(targets, sum, res.Profiles)
	return res, sum, targets, nil
}
