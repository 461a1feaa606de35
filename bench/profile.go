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

// profileRun is one CPU profile of Caddy under load.
type profileRun struct {
	Config   proxyConfig
	Path     string
	Requests int64 // pages proxied while the profile ran
	Areas    map[string]time.Duration
	Err      error
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

// profile takes a CPU profile of every configuration at size; the files
// go into dir.
func (h *harness) profile(size pageSize, dir string) profileResult {
	pr := profileResult{Size: size}
	for _, cfg := range kairoConfigs { // nginx has no pprof endpoint
		pr.Runs = append(pr.Runs, h.profileOne(cfg, size, dir))
	}
	if c := pr.run(configInjected); c != nil && c.Err == nil {
		top, err := pprofText(c.Path, "-top", "-nodecount=20")
		if err != nil {
			c.Err = err
		}
		pr.Top = trimPprofHeader(top)
	}
	return pr
}

func (h *harness) profileOne(cfg proxyConfig, size pageSize, dir string) profileRun {
	run := profileRun{Config: cfg, Path: filepath.Join(dir, fmt.Sprintf("cpu-%s-%s.pprof", cfg.Key, size.Name))}
	fmt.Fprintf(h.progress, "profile  %-6s  %s %s, %ds ... ", size.Label, cfg.Key, cfg.Name, h.opts.ProfileSecs)
	run.Requests, run.Err = h.captureProfile(cfg, size, run.Path)
	if run.Err == nil {
		var traces string
		if traces, run.Err = pprofText(run.Path, "-traces"); run.Err == nil {
			var samples []profileSample
			if samples, run.Err = parseTraces(traces); run.Err == nil {
				run.Areas = splitByArea(samples)
			}
		}
	}
	if run.Err != nil {
		fmt.Fprintln(h.progress, "failed:", run.Err)
	} else {
		fmt.Fprintln(h.progress, run.Path)
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

// pprofText runs go tool pprof on a profile and returns its text report.
func pprofText(path string, args ...string) (string, error) {
	out, err := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), path)...).Output()
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
// injecting configurations.
func writeProfile(w io.Writer, p profileResult) {
	var paths []string
	for _, run := range p.Runs {
		if run.Err != nil {
			fmt.Fprintf(w, "CPU profile at %s: %s: profile failed: %v\n", p.Size.Label, run.Config.Name, run.Err)
			return
		}
		paths = append(paths, run.Path)
	}
	plain, others := p.Runs[0], p.Runs[1:]
	fmt.Fprintf(w, "CPU profile at %s (%s), Caddy's CPU per request by where it goes:\n\n", p.Size.Label, strings.Join(paths, ", "))
	head, rule := "| where | A |", "|---|--:|"
	for _, run := range others {
		head += fmt.Sprintf(" %s | %s − A |", run.Config.Key, run.Config.Key)
		rule += "--:|--:|"
	}
	fmt.Fprintf(w, "%s\n%s\n", head, rule)
	totals := make([]float64, len(p.Runs))
	for _, a := range profileAreas {
		pa := plain.perRequest(a.Name)
		totals[0] += pa
		line := fmt.Sprintf("| %s | %s |", a.Name, us(pa))
		for i, run := range others {
			v := run.perRequest(a.Name)
			totals[i+1] += v
			line += fmt.Sprintf(" %s | %s |", us(v), signedUs(v-pa))
		}
		fmt.Fprintln(w, line)
	}
	line := fmt.Sprintf("| total | %s |", us(totals[0]))
	for i := range others {
		line += fmt.Sprintf(" %s | %s |", us(totals[i+1]), signedUs(totals[i+1]-totals[0]))
	}
	fmt.Fprintf(w, "%s\n\n", line)
	if c := p.run(configInjected); c != nil {
		fmt.Fprintf(w, "Top functions of %s (`go tool pprof -top %s`):\n\n```\n%s\n```\n", c.Config.Key, c.Path, p.Top)
	}
}

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
