// Command bench is Kairo's load benchmark: it runs Caddy with plain
// reverse_proxy, with upsell configured on a route that does not match,
// and with upsell injecting offers into a cart page (asking the store for
// the cart every time, with the cart cached, and with the cart in the
// page's own header), side by side under the same load, and prints what
// Kairo costs against the targets of issues 6 and 17.
// It is a benchmark, not a test: it never fails a build.
//
//	go run ./bench -duration 5s
//
// It needs Linux (/proc, taskset) and wrk (apt-get install wrk).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	var o options
	flag.DurationVar(&o.Duration, "duration", 4*time.Second, "measured load per config, page size and round (whole seconds)")
	flag.DurationVar(&o.Warmup, "warmup", time.Second, "unmeasured load before each measured run")
	flag.DurationVar(&o.Light, "light", 2*time.Second, "one-connection latency run after each measured run (0 to skip)")
	flag.IntVar(&o.Rounds, "rounds", 3, "interleaved rounds of every configuration (and A again to close each)")
	flag.IntVar(&o.Conns, "conns", 32, "wrk connections")
	flag.IntVar(&o.TTFBSamples, "ttfb-samples", 51, "GETs of the 10 MB page per proxy for time to first byte")
	flag.StringVar(&o.Profile, "profile", "auto", "CPU profiles of every configuration: auto (when a target is missed), always, never")
	flag.IntVar(&o.ProfileSecs, "profile-seconds", 1, "length of each CPU profile")
	flag.IntVar(&o.ProfileRounds, "profile-rounds", 3, "CPU profiles of every configuration, taken in turn (A, B, C, D, A, ...) and added up")
	flag.Float64Var(&o.MaxNoise, "max-noise", 0.10, "run a round again when other processes took more than this share of Caddy's CPU (or of the load CPUs, while Caddy was not busy all along)")
	flag.IntVar(&o.Retries, "retries", 3, "how many noisy rounds at most are run again, in the whole run")
	flag.DurationVar(&o.Budget, "budget", 4*time.Minute+40*time.Second, "run noisy rounds again only while the whole run, build included, stays within this")
	flag.IntVar(&o.Nice, "nice", 0, "run Caddy, the upstream and wrk at this nice value; a negative one (root only) keeps a busy machine's other work from skewing the figures")
	caddyBin := flag.String("caddy", "", "use this Caddy binary instead of building ./cmd/caddy")
	out := flag.String("out", "", "also write the report here (default bench/results/latest.md)")
	upstreamAddr := flag.String("serve-upstream", "", "internal: serve the bench store on this address")
	flag.Parse()

	if *upstreamAddr != "" {
		if err := serveUpstream(*upstreamAddr); err != nil {
			fmt.Fprintln(os.Stderr, "upstream:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o, *caddyBin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options, caddyBin, out string) error {
	if o.Rounds < 1 || o.Conns < 1 || o.TTFBSamples < 1 || o.Duration < time.Second {
		return fmt.Errorf("need -rounds, -conns and -ttfb-samples ≥ 1 and -duration ≥ 1s")
	}
	if err := wrkAvailable(); err != nil {
		return err
	}
	if !withPeers() {
		fmt.Fprintln(os.Stderr, "nginx not found (apt-get install nginx-light): no peer rows E and F")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "bench", "results", "latest.md")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	workdir, err := os.MkdirTemp("", "kairo-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workdir)

	start := time.Now()
	rev := revision(root) // the code the build below takes
	if caddyBin == "" {
		fmt.Fprintln(os.Stderr, "building Caddy with Kairo: go build ./cmd/caddy ...")
		if caddyBin, err = buildCaddy(root, workdir); err != nil {
			return err
		}
	}
	h, err := newHarness(o, root, workdir, caddyBin, start.Add(o.Budget))
	if err != nil {
		return err
	}
	defer h.up.stop()
	fmt.Fprintf(os.Stderr, "%s\nthis takes about %s more\n", capitalize(h.layout.describe()), o.estimate(2).Round(time.Second))

	res, sum, targets, err := h.measure(filepath.Dir(out))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "done in %s\n\n", time.Since(start).Round(time.Second))

	m := machine{CPUs: runtime.NumCPU(), Model: cpuModel(), GoVersion: runtime.Version(), Revision: rev}
	var report strings.Builder
	writeReport(&report, m, res, sum, targets)
	fmt.Print(report.String())
	return os.WriteFile(out, []byte(report.String()), 0o644)
}

// newHarness starts the upstream and sets up everything a run needs.
func newHarness(o options, root, workdir, caddyBin string, deadline time.Time) (*harness, error) {
	layout := planCPUs(runtime.NumCPU())
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	up, err := startUpstream(self, layout.load(o.Nice))
	if err != nil {
		return nil, err
	}
	pages := make(map[string][]byte, len(allSizes))
	for _, s := range allSizes {
		pages[s.Name] = renderPage(s)
	}
	return &harness{
		opts:   o,
		layout: layout,
		launcher: &caddyLauncher{bin: caddyBin, place: layout.proxy(o.Nice), workdir: workdir, upstream: up.addr,
			catalog: filepath.Join(root, "bench", "testdata", "offers.json")},
		up:       up,
		gen:      loadGen{place: layout.load(o.Nice), threads: layout.Count},
		pages:    pages,
		client:   newProbeClient(),
		progress: os.Stderr,
		deadline: deadline,
	}, nil
}

// revision names the Kairo code that was measured: the commit, and whether
// files outside bench/ differed from it. Empty outside a git checkout.
func revision(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", ".", ":(exclude)bench").Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		rev += " with uncommitted changes"
	}
	return rev
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, val, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return "unknown CPU"
}
