package caddymodule_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// The caddytest tests of this package run one Caddy in the test process at
// fixed ports. Two processes in one network namespace must not use them at
// the same time, and nothing else would stop them: caddytest loads its
// configs into whatever Caddy answers on the admin port, even another
// process's, and Caddy binds its listeners with SO_REUSEPORT, so a second
// Caddy on the same ports binds without an error and the kernel splits the
// connections between the two. A config loaded from another process
// replaces this one's demo store by an empty one in the middle of a test:
// the page that answered 200 a second ago answers "Order not found".
const (
	// adminURL is the admin endpoint of the tests' Caddy.
	adminURL = "http://localhost:2999"
	// portLockAddr is held, without SO_REUSEPORT, by the process that owns
	// the test ports: a second one cannot bind it. A port rather than a
	// lock file, so that processes in different network namespaces, which
	// have ports of their own, do not wait for each other.
	portLockAddr = "127.0.0.1:2998"
	// portClaimWait bounds how long a process waits for another one to
	// finish with the ports (a whole run of this package takes minutes).
	portClaimWait = 3 * time.Minute
)

// testPorts are the ports the tests' configs listen on: admin, Kairo, the
// plain proxy and the demo store.
var testPorts = []int{2999, 9080, 9082, 9301}

// portClaim is this process's claim on the test ports, made by the first
// config load and held until the process exits (kept here, reachable: a
// listener the collector finds unreachable is closed).
var portClaim struct {
	once sync.Once
	lock net.Listener
	err  error
}

// claimTestPorts makes this process the only user of the test ports in its
// network namespace, waiting up to portClaimWait for another test process
// to finish with them.
func claimTestPorts(t *testing.T) {
	t.Helper()
	portClaim.once.Do(func() { portClaim.lock, portClaim.err = claimPorts(portClaimWait) })
	if portClaim.err != nil {
		t.Fatal(portClaim.err)
	}
}

func claimPorts(wait time.Duration) (net.Listener, error) {
	deadline := time.Now().Add(wait)
	waiting := false
	for {
		var why string
		lock, err := net.Listen("tcp", portLockAddr)
		if err == nil {
			busy := busyPorts()
			if len(busy) == 0 {
				return lock, nil
			}
			lock.Close()
			why = fmt.Sprintf("another process listens on %s: a Caddy or a test binary of an older checkout", strings.Join(busy, ", "))
		} else {
			why = "another test process of this package holds " + portLockAddr
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the caddytest ports are taken for more than %v: %s; run the tests in a network namespace of their own", wait, why)
		}
		if !waiting {
			waiting = true
			fmt.Fprintf(os.Stderr, "waiting up to %v for the caddytest ports: %s\n", wait, why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// busyPorts lists the test ports that something in this network namespace
// has bound. A bind without SO_REUSEPORT fails on a port Caddy holds.
func busyPorts() []string {
	var busy []string
	for _, p := range testPorts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			busy = append(busy, fmt.Sprint(p))
			continue
		}
		ln.Close()
	}
	return busy
}

// loadConfig loads a config (adapter "caddyfile" or "json") into the
// tests' Caddy, on ports this process owns, and waits until it serves.
// When the test ends, the config must still be the one it loaded last: a
// config loaded by anyone else fails the test, saying so.
func loadConfig(t *testing.T, cfg, adapter string) {
	t.Helper()
	claimTestPorts(t)
	caddytest.NewTester(t).InitServer(cfg, adapter)
	waitForNewServer(t)
	running, err := runningConfig()
	if err != nil {
		t.Fatal(err)
	}
	loaded.Lock()
	loaded.config = running
	loaded.Unlock()
	if _, checked := loaded.checked.LoadOrStore(t, true); !checked {
		t.Cleanup(func() { checkOwnConfig(t) })
	}
}

// loaded is the config this process loaded last, and the tests that check
// it when they end.
var loaded struct {
	sync.Mutex
	config  []byte
	checked sync.Map // *testing.T → true
}

// checkOwnConfig fails t when the running config is not the one this
// process loaded last.
func checkOwnConfig(t *testing.T) {
	loaded.checked.Delete(t)
	loaded.Lock()
	want := loaded.config
	loaded.Unlock()
	got, err := runningConfig()
	if err != nil {
		t.Error(err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the tests' Caddy runs a config this process did not load: another process loaded its own through %s during the test", adminURL)
	}
}

// adminClient reads the admin endpoint without keeping connections: each
// config load restarts the endpoint.
var adminClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// runningConfig returns the config the tests' Caddy runs, as JSON.
func runningConfig() ([]byte, error) {
	resp, err := adminClient.Get(adminURL + "/config/")
	if err != nil {
		return nil, fmt.Errorf("reading the running config: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the running config: %w", err)
	}
	return body, nil
}
