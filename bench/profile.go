package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// profileRun is the CPU profiles of one configuration under load, one
// per profile round, added up.
type profileRun struct {
	Config   proxyConfig
	Paths    []string // one profile per round
	Requests int64    // pages proxied while the profiles ran
	Areas    map[string]time.Duration
	Err      error
}

// add adds the profile of one more round to p.
func (p *profileRun) add(one profileRun) {
	p.Paths = append(p.Paths, one.Paths...)
	p.Requests += one.Requests
	if p.Err == nil {
		p.Err = one.Err
	}
	if p.Areas == nil {
		p.Areas = make(map[string]time.Duration)
	}
	for name, d := range one.Areas {
		p.Areas[name] += d
	}
}

// total is the CPU time of every area per request, in nanoseconds.
func (p profileRun) total() float64 {
	var sum float64
	for name := range p.Areas {
		sum += p.perRequest(name)
	}
	return sum
}

// perRequest is an area's CPU time per request, in nanoseconds.
func (p profileRun) perRequest(area string) float64 {
	if p.Requests == 0 {
		return 0
	}
	return float64(p.Areas[area]) / float64(p.Requests)
}

// profileResult compares where Caddy's CPU goes with plain reverse_proxy
// and with Kairo injecting, at one page size.
type profileResult struct {
	Size pageSize
	Runs []profileRun // one per configuration, plain reverse_proxy first
	Top  string       // go tool pprof -top of C
}

// run is the profile of cfg, nil if there is none.
func (p *profileResult) run(cfg proxyConfig) *profileRun {
	for i := range p.Runs {
		if p.Runs[i].Config == cfg {
			return &p.Runs[i]
		}
	}
	return nil
}

// kairoShare is the share of Caddy's CPU that went to Kairo's own areas.
func (p profileRun) kairoShare() float64 {
	var kairo, total time.Duration
	for name, d := range p.Areas {
		total += d
		if strings.HasPrefix(name, "Kairo: ") {
			kairo += d
		}
	}
	if total == 0 {
		return 0
	}
	return float64(kairo) / float64(total)
}

// profile takes CPU profiles of every configuration at size, in rounds
// that go through the configurations in turn (A, B, C, D, A, ...), as the
// load rounds do, so that a slow spell of the host weighs on all of them
// alike; the files go into dir.
func (h *harness) profile(size pageSize, dir string) profileResult {
	pr := profileResult{Size: size}
	for _, cfg := range kairoConfigs { // nginx has no pprof endpoint
		pr.Runs = append(pr.Runs, profileRun{Config: cfg})
	}
	for round := 1; round <= h.opts.profileRounds(); round++ {
		for i := range pr.Runs {
			pr.Runs[i].add(h.profileOne(pr.Runs[i].Config, size, dir, round))
		}
	}
	if c := pr.run(configInjected); c != nil && c.Err == nil {
		top, err := pprofText(c.Paths, "-top", "-nodecount=20")
		if err != nil {
			c.Err = err
		}
		pr.Top = trimPprofHeader(top)
	}
	return pr
}

// profileOne takes the profile of cfg at size in one profile round.
func (h *harness) profileOne(cfg proxyConfig, size pageSize, dir string, round int) profileRun {
	path := filepath.Join(dir, fmt.Sprintf("cpu-%s-%s-%d.pprof", cfg.Key, size.Name, round))
	run := profileRun{Config: cfg, Paths: []string{path}}
	fmt.Fprintf(h.progress, "profile  %d/%d  %-6s  %s %s, %ds ... ", round, h.opts.profileRounds(), size.Label, cfg.Key, cfg.Name, h.opts.ProfileSecs)
	run.Requests, run.Err = h.captureProfile(cfg, size, path)
	if run.Err == nil {
		var traces string
		if traces, run.Err = pprofText(run.Paths, "-traces"); run.Err == nil {
			var samples []profileSample
			if samples, run.Err = parseTraces(traces); run.Err == nil {
				run.Areas = splitByArea(samples)
			}
		}
	}
	if run.Err != nil {
		fmt.Fprintln(h.progress, "failed:", run.Err)
	} else {
		fmt.Fprintln(h.progress, path)
	}
	return run
}

// captureProfile loads cfg at size and downloads a CPU profile from
// Caddy's admin endpoint while the load runs. It returns how many pages
// the upstream served during the profile.
func (h *harness) captureProfile(cfg proxyConfig, size pageSize, path string) (int64, error) {
	p, err := h.launcher.start(cfg)
	if err != nil {
		return 0, err
	}
	defer p.stop()
	url := cfg.url(p.base, size)
	if _, err := h.gen.run(url, h.opts.Conns, h.opts.Warmup); err != nil {
		return 0, err
	}
	loadDone := make(chan error, 1)
	go func() {
		_, err := h.gen.run(url, h.opts.Conns, time.Duration(h.opts.ProfileSecs+2)*time.Second)
		loadDone <- err
	}()
	time.Sleep(500 * time.Millisecond)
	before, cerr := h.up.counts()
	perr := download(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.admin, h.opts.ProfileSecs), path)
	after, aerr := h.up.counts()
	if err := <-loadDone; err != nil {
		return 0, err
	}
	for _, err := range []error{perr, cerr, aerr} {
		if err != nil {
			return 0, err
		}
	}
	return after.Pages - before.Pages, nil
}

// download saves the body of a GET to path.
func download(url, path string) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s %s", url, resp.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pprofText runs go tool pprof on profiles (merged) and returns its text
// report.
func pprofText(paths []string, args ...string) (string, error) {
	out, err := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), paths...)...).Output()
	if err != nil {
		return "", fmt.Errorf("go tool pprof %s: %v", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// trimPprofHeader drops the File, Build ID, Type and Time lines.
func trimPprofHeader(s string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if name, _, ok := strings.Cut(line, ": "); ok && (name == "File" || name == "Build ID" || name == "Type" || name == "Time") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// writeProfile prints where Caddy's CPU goes per request, A against the
// injecting configurations, and beside each profile's total the CPU per
// request its load rounds measured (rows, by configuration key): where
// the two differ by more for one configuration than for another, the
// host ran at another speed while it was profiled, and the differences
// are not to be trusted.
func writeProfile(w io.Writer, p profileResult, rows map[string]rowSummary) {
	var paths []string
	for _, run := range p.Runs {
		if run.Err != nil {
			fmt.Fprintf(w, "CPU profile at %s: %s: profile failed: %v\n", p.Size.Label, run.Config.Name, run.Err)
			return
		}
		paths = append(paths, run.Paths...)
	}
	plain, others := p.Runs[0], p.Runs[1:]
	fmt.Fprintf(w, "CPU profile at %s, %d round(s) of every configuration in turn (%s), Caddy's CPU per request by where it goes:\n\n",
		p.Size.Label, len(plain.Paths), strings.Join(paths, ", "))
	head, rule := "| where | A |", "|---|--:|"
	for _, run := range others {
		head += fmt.Sprintf(" %s | %s − A |", run.Config.Key, run.Config.Key)
		rule += "--:|--:|"
	}
	fmt.Fprintf(w, "%s\n%s\n", head, rule)
	for _, a := range profileAreas {
		pa := plain.perRequest(a.Name)
		line := fmt.Sprintf("| %s | %s |", a.Name, us(pa))
		for _, run := range others {
			v := run.perRequest(a.Name)
			line += fmt.Sprintf(" %s | %s |", us(v), signedUs(v-pa))
		}
		fmt.Fprintln(w, line)
	}
	line := fmt.Sprintf("| total | %s |", us(plain.total()))
	for _, run := range others {
		line += fmt.Sprintf(" %s | %s |", us(run.total()), signedUs(run.total()-plain.total()))
	}
	fmt.Fprintln(w, line)
	line = "| CPU per request in the load rounds |"
	speeds := make([]float64, 0, len(p.Runs))
	for i, run := range p.Runs {
		r, ok := rows[run.Config.Key]
		if !ok || r.CPUReq == 0 {
			line += " |"
			if i > 0 {
				line += " |"
			}
			continue
		}
		speeds = append(speeds, run.total()/r.CPUReq)
		if i == 0 {
			line += fmt.Sprintf(" %s |", us(r.CPUReq))
		} else {
			line += fmt.Sprintf(" %s | %s |", us(r.CPUReq), signedUs(r.CPUReq-rows[plain.Config.Key].CPUReq))
		}
	}
	fmt.Fprintf(w, "%s\n\n", line)
	if len(speeds) > 1 && maxOf(speeds)/minOf(speeds) > maxProfileSkew {
		fmt.Fprintf(w, "The profiles add up to %.2f-%.2f × the CPU per request of their configurations' load rounds: the host ran at different speeds while they were taken, so the differences above are not reliable. Run again, or with more `-profile-rounds`.\n\n",
			minOf(speeds), maxOf(speeds))
	}
	if c := p.run(configInjected); c != nil {
		fmt.Fprintf(w, "Top functions of %s (`go tool pprof -top %s`):\n\n```\n%s\n```\n", c.Config.Key, strings.Join(c.Paths, " "), p.Top)
	}
}

// maxProfileSkew is how far apart the configurations' profiles may be,
// each against its own load rounds' CPU per request, before the report
// says their differences are not reliable.
const maxProfileSkew = 1.15

// signedUs formats a difference in nanoseconds as microseconds with a sign.
func signedUs(ns float64) string { return fmt.Sprintf("%+.1f µs", ns/float64(time.Microsecond)) }

// profileSizes says at which page sizes to profile every configuration.
func profileSizes(mode string, targets []target) []pageSize {
	switch mode {
	case "never":
		return nil
	case "always":
		return []pageSize{size16K, size100K}
	}
	var sizes []pageSize
	seen := make(map[string]bool)
	missed := false
	for _, t := range targets {
		missed = missed || !t.Met
		if t.Throughput && !t.Met && !seen[t.Size.Name] {
			seen[t.Size.Name] = true
			sizes = append(sizes, t.Size)
		}
	}
	if missed && len(sizes) == 0 {
		sizes = []pageSize{size16K}
	}
	return sizes
}

// moduleRoot is the directory of the Kairo module (go env GOMOD).
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run this from inside the Kairo repository (go run ./bench)")
	}
	return filepath.Dir(gomod), nil
}
