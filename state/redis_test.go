package state

import (
	"context"
	"errors"

	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/redistest"
)

// newTestRedis starts (once per test) a redis-server and opens a Store on it.
func newTestRedis(t *testing.T) *Redis {
	_, r := startTestRedis(t)
	return r
}

// startTestRedis starts a redis-server on a free port and opens a Store on
// it, closed when the test ends; the server is returned too, for a test to
// stop it (no other process's server may then take over a fixed port the
// client would reconnect to).
func startTestRedis(t *testing.T) (*redistest.Server, *Redis) {
	srv := redistest.Start(t, 0)
	return srv, openTestRedis(t, srv.URL)
}

// openTestRedis opens a Store on the Redis at url, closed when the test
// ends.
func openTestRedis(t *testing.T, url string) *Redis {
	r, err := OpenRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRedisDownIsUnavailable(t *testing.T) {
	srv, r := startTestRedis(t)
	ctx := context.Background()
	if err := r.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, _, err := r.SetNX(ctx, "k2", []byte("v"), time.Minute); !errors.Is(err, ErrUnavailable) {
		t.Errorf("SetNX with Redis down: %v, want ErrUnavailable", err)
	}
	if _, _, err := r.Get(ctx, "k"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get with Redis down: %v, want ErrUnavailable", err)
	}
}

func TestOpenRedisRefusesABadURL(t *testing.T) {
	if _, err := OpenRedis("http://127.0.0.1:6379"); err == nil {
		t.Error("an http URL was accepted")
	}
}
