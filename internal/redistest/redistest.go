// Package redistest starts a real redis-server for tests. In CI (CI=true)
// a missing redis-server fails the test; elsewhere the test is skipped
// with a message.
package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Server is a redis-server started by a test, stopped when the test ends.
type Server struct {
	// URL is the server's database 0, e.g. redis://127.0.0.1:6390/0.
	URL  string
	Port int
	cmd  *exec.Cmd
	// exited is closed when the server process has ended.
	exited chan struct{}
}

// Start runs redis-server on 127.0.0.1:port, without persistence, and waits
// until it accepts connections. A port of 0, or one something else already
// listens on (another test process, a developer's own Redis), is replaced
// by a free one, so the test never talks to a server it did not start.
func Start(t testing.TB, port int) *Server {
	t.Helper()
	if port == 0 || listening(port) {
		port = freePort(t)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed (.ci/run installs it)")
		}
		t.Skip("redis-server is not installed: apt-get install redis-server")
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s := &Server{URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port), Port: port, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.Stop)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case <-s.exited:
			t.Fatalf("redis-server on %s exited at start", addr)
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server (also done when the test ends).
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// listening reports whether something accepts connections on port.
func listening(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// freePort asks the kernel for a port nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
