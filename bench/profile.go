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

// profileResult is a CPU profile of Caddy taken under load, and its
// summary from go tool pprof.
type profileResult struct {
	Config proxyConfig
	Size   pageSize
	Path   string
	Flat   string // -top: where the CPU time itself is spent
	Kairo  string // -top -cum -focus kairo: time under Kairo's own code
	Err    error
}

// profile loads cfg at size and takes a CPU profile from Caddy's admin
// endpoint while the load runs; the file goes into dir.
func (h *harness) profile(cfg proxyConfig, size pageSize, dir string) profileResult {
	pr := profileResult{Config: cfg, Size: size, Path: filepath.Join(dir, fmt.Sprintf("cpu-%s-%s.pprof", cfg.Key, size.Name))}
	fmt.Fprintf(h.progress, "profile  %-6s  %s %s, %ds ... ", size.Label, cfg.Key, cfg.Name, h.opts.ProfileSecs)
	pr.Err = h.captureProfile(cfg, size, pr.Path)
	if pr.Err == nil {
		pr.Flat, pr.Err = pprofTop(pr.Path, "-top", "-nodecount=25")
	}
	if pr.Err == nil {
		pr.Kairo, pr.Err = pprofTop(pr.Path, "-top", "-cum", "-nodecount=25", "-focus=kairoedge")
	}
	if pr.Err != nil {
		fmt.Fprintln(h.progress, "failed:", pr.Err)
	} else {
		fmt.Fprintln(h.progress, pr.Path)
	}
	return pr
}

func (h *harness) captureProfile(cfg proxyConfig, size pageSize, path string) error {
	p, err := h.launcher.start(cfg)
	if err != nil {
		return err
	}
	defer p.stop()
	url := cfg.url(p.base, size)
	if _, err := h.gen.run(url, h.opts.Conns, h.opts.Warmup); err != nil {
		return err
	}
	loadDone := make(chan error, 1)
	go func() {
		_, err := h.gen.run(url, h.opts.Conns, time.Duration(h.opts.ProfileSecs+2)*time.Second)
		loadDone <- err
	}()
	time.Sleep(500 * time.Millisecond)
	perr := download(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.admin, h.opts.ProfileSecs), path)
	if err := <-loadDone; err != nil {
		return err
	}
	return perr
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

// pprofTop runs go tool pprof on a profile and returns its text report.
func pprofTop(path string, args ...string) (string, error) {
	out, err := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), path)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// writeProfile prints one profile's summary.
func writeProfile(w io.Writer, p profileResult) {
	fmt.Fprintf(w, "CPU profile of %s %s at %s under load (%s):\n\n", p.Config.Key, p.Config.Name, p.Size.Label, p.Path)
	if p.Err != nil {
		fmt.Fprintf(w, "    failed: %v\n", p.Err)
		return
	}
	fmt.Fprintf(w, "```\n%s\n```\n\nTime spent under Kairo's code (cumulative):\n\n```\n%s\n```\n", p.Flat, p.Kairo)
}
