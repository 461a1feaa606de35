package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// buildCaddy compiles ./cmd/caddy of the module at root into dir.
func buildCaddy(root, dir string) (string, error) {
	bin := filepath.Join(dir, "caddy")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/caddy")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/caddy: %v\n%s", err, out)
	}
	return bin, nil
}

// caddyProc is one running Caddy process.
type caddyProc struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	admin   string // http://127.0.0.1:port of the admin endpoint
	logPath string
	done    chan error
}

// caddyLauncher starts Caddy processes for one run.
type caddyLauncher struct {
	bin      string
	place    placement
	workdir  string // Caddyfiles, logs and Caddy's data directories
	upstream string
	catalog  string
	started  int
	widget   []byte // a widget C inserted, for the nginx sub_filter row
}

// start runs Caddy with cfg on fresh ports and waits until it serves.
func (l *caddyLauncher) start(cfg proxyConfig) (*caddyProc, error) {
	if cfg.Nginx {
		return l.startNginx(cfg)
	}
	l.started++
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	admin, err := freeAddr()
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%03d", cfg.Key, l.started)
	conf := filepath.Join(l.workdir, name+".Caddyfile")
	text := cfg.caddyfile(caddyfileSites{Listen: listen, Admin: admin, Upstream: l.upstream, Catalog: l.catalog})
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(l.workdir, name+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()

	cmd := l.place.command(l.bin, "run", "--config", conf, "--adapter", "caddyfile")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(l.workdir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(l.workdir, "config"))
	if err := l.place.start(cmd); err != nil {
		return nil, fmt.Errorf("starting caddy: %w", err)
	}
	p := &caddyProc{cmd: cmd, base: "http://" + listen, admin: "http://" + admin, logPath: logf.Name(), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitReady(configPlain.url(p.base, size16K), 20*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("caddy (%s): %v\n%s", cfg.Name, err, p.logTail())
	}
	return p, nil
}

// waitReady polls url until it answers 200, Caddy exits, or the time is up.
func (p *caddyProc) waitReady(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("exited before serving: %v", err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not serving %s after %v: %v", url, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pid is Caddy's process id (taskset execs Caddy in its own process).
func (p *caddyProc) pid() int { return p.cmd.Process.Pid }

// cpu is the CPU time Caddy has used so far.
func (p *caddyProc) cpu() (time.Duration, error) { return readProcCPU(p.pid()) }

// peakRSS is Caddy's peak resident set size so far, in bytes.
func (p *caddyProc) peakRSS() (int64, error) { return readPeakRSS(p.pid()) }

// stop asks Caddy to shut down and kills it if it does not within 5 s.
func (p *caddyProc) stop() {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// logTail is the end of Caddy's log, for error messages.
func (p *caddyProc) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// freeAddr finds a free loopback port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
