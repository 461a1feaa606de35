// Package realstores starts real stores for Kairo's connector tests:
// Vendure 3.7.3 (sql.js) and EverShop 2.2.1 (Postgres 15), each on
// 127.0.0.1 on a free port, from an install cached outside the repository
// by setup.sh (beside this file) in $KAIRO_STORES_CACHE, default
// /tmp/kairo-stores.
//
// Without node, npm or Postgres a test is skipped with a message, except
// in CI (CI=true), where a missing dependency fails it.
package realstores

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// pgBin is where Debian's postgresql package puts Postgres 15.
const pgBin = "/usr/lib/postgresql/15/bin"

// cacheDir is where setup.sh keeps the installs.
func cacheDir() string {
	if d := os.Getenv("KAIRO_STORES_CACHE"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "kairo-stores")
}

// here is this package's directory, where the scripts and store files are.
func here() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// need skips the test (fails it in CI) when a program is missing.
func need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			if _, serr := os.Stat(p); serr == nil {
				continue
			}
			missing(t, fmt.Sprintf("%s is not installed", p))
		}
	}
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("real-store test: %s (CI installs it in .ci/run)", why)
	}
	t.Skipf("real-store test skipped: %s", why)
}

// setup runs setup.sh for a store: a no-op once the cache is ready.
func setup(t testing.TB, store string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("bash", filepath.Join(here(), "setup.sh"), store)
	cmd.Env = append(os.Environ(), "KAIRO_STORES_CACHE="+cacheDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("setup.sh %s: %v\n%s", store, err, out)
	}
	if d := time.Since(start); d > time.Second {
		t.Logf("setup.sh %s: %s", store, d.Round(time.Second))
	}
	matches, _ := filepath.Glob(filepath.Join(cacheDir(), store+"-*"))
	if len(matches) != 1 {
		t.Fatalf("setup.sh %s: want one install in %s, found %v", store, cacheDir(), matches)
	}
	return matches[0]
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a server started in a process group of its own, so that it
// ends with all its children.
type process struct {
	cmd *exec.Cmd
	log string
}

// startProcess starts a server in dir with its output in a log file; the
// test's cleanup ends its whole process group.
func startProcess(t testing.TB, dir, logPath string, env []string, name string, args ...string) *process {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	logFile.Close()
	p := &process{cmd: cmd, log: logPath}
	t.Cleanup(p.stop)
	return p
}

// stop ends the process group and waits for the leader.
func (p *process) stop() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// tail is the end of the process's log, for a failure message.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// waitHTTP waits until a URL answers at all (any status), or fails the
// test after the limit.
func waitHTTP(t testing.TB, p *process, rawURL string, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s did not answer within %s: %v\n%s", rawURL, limit, err, p.tail())
		}
		if p.cmd.ProcessState != nil {
			t.Fatalf("the server for %s ended:\n%s", rawURL, p.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// copyFile copies a file (the seeded database) into a test's directory.
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
