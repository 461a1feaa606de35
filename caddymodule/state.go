package caddymodule

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/kairoedge/kairo/state"
)

// StateConfig says where Kairo keeps what must not be lost or done twice:
// accept records and declines (and the per-order deadlines and funnel
// steps of the offer page). By default an embedded file under Caddy's data
// directory, which survives restarts of one instance; with Redis, several
// instances behind one load balancer share it.
type StateConfig struct {
	// Redis is a redis:// or rediss:// URL (redis://[user:password@]host:port/db).
	// When set, state lives in that Redis database, shared by every Caddy
	// instance that names it. If Redis is down, pages pass through
	// unchanged and accepts are refused with 503.
	Redis string `json:"redis,omitempty"`

	// File is the embedded store's file, used when Redis is not set.
	// Default: kairo/state.db in Caddy's data directory.
	File string `json:"file,omitempty"`

	// MaxRecords caps the embedded store's records; past it the oldest
	// written record is dropped first. Default: 1,000,000 (a few hundred
	// bytes each on disk). Takes effect when the file is opened (a restart,
	// or a reload after the last handler using it was removed).
	MaxRecords int `json:"max_records,omitempty"`
}

// pageStateTimeout bounds one state operation on the page path: a page never
// waits longer than this on declines.
const pageStateTimeout = 100 * time.Millisecond

// pageStateContext bounds the page's state calls by pageStateTimeout. The
// embedded stores answer in this process and never look at the context,
// so with them the page keeps its own: a deadline (and its timer) per page
// would bound nothing.
func (h *Handler) pageStateContext(ctx context.Context) (context.Context, context.CancelFunc) {
	switch h.state.(type) {
	case *state.File, *state.Memory:
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, pageStateTimeout)
}

// statePool holds the open state stores of this process by location, so a
// config reload (which provisions a new Handler before the old one is
// cleaned up) keeps the same file or Redis client, and a file is opened
// once: bbolt locks it per open.
var statePool = caddy.NewUsagePool()

// pooledStore lets the usage pool close a store when its last user goes.
type pooledStore struct{ state.Store }

// Destruct implements caddy.Destructor.
func (p pooledStore) Destruct() error { return p.Close() }

// provisionState opens (or shares) the configured store and builds the
// ledger and decline records on it. A store set before Provision (tests
// that share one between handlers) is used as it is, and not closed.
func (h *Handler) provisionState() error {
	if h.state != nil {
		h.ledger = state.NewLedger(h.state, 0)
		h.declines = state.NewDeclines(h.state)
		return nil
	}
	cfg := h.State
	if cfg == nil {
		cfg = new(StateConfig)
	}
	var key string
	var open func() (state.Store, error)
	if cfg.Redis != "" {
		key = "redis " + cfg.Redis
		open = func() (state.Store, error) {
			r, err := state.OpenRedis(cfg.Redis)
			if err != nil {
				return nil, err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := r.Ping(ctx); err != nil {
				// Not fatal: pages pass through and accepts are refused
				// until Redis answers.
				h.logger.Error("state: Redis does not answer; pages pass through unchanged and accepts are refused until it does", zap.Error(err))
			}
			return r, nil
		}
	} else {
		path := cfg.File
		if path == "" {
			path = filepath.Join(caddy.AppDataDir(), "kairo", "state.db")
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("file %q: %w", path, err)
		}
		key = "file " + abs
		open = func() (state.Store, error) {
			return state.OpenFile(abs, state.FileOptions{MaxRecords: cfg.MaxRecords})
		}
	}
	v, _, err := statePool.LoadOrNew(key, func() (caddy.Destructor, error) {
		s, err := open()
		if err != nil {
			return nil, err
		}
		return pooledStore{s}, nil
	})
	if err != nil {
		return err
	}
	h.stateKey = key
	h.state = v.(pooledStore).Store
	h.ledger = state.NewLedger(h.state, 0)
	h.declines = state.NewDeclines(h.state)
	return nil
}

// releaseState gives the store back to the pool.
func (h *Handler) releaseState() {
	if h.stateKey != "" {
		_, _ = statePool.Delete(h.stateKey)
		h.stateKey = ""
	}
}
