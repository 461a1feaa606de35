package contract

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// Revalidated contexts. A store may send its cart and order contexts with
// an ETag and Cache-Control, as any HTTP API may: then the next call for
// the same cart (same address, same customer cookies) or order asks with
// If-None-Match, and a 304 Not Modified reuses the context already decoded
// (no body, no JSON); a max-age lets it be reused without asking at all
// until it runs out. A context without a validator or max-age, or marked
// no-store, is not kept. Kept contexts are keyed by a hash of the address
// and the cookies, so one customer's cart is never answered for another.
type revalidation struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*validated
}

// validated is one kept context.
type validated struct {
	etag  string
	sc    *offers.Context
	fresh time.Time // reused without asking until then (max-age)
	used  time.Time // entries unused for keepUnused are dropped
}

const (
	maxValidated = 10_000           // contexts kept at most; beyond, one is dropped per new one
	keepUnused   = 15 * time.Minute // how long a context is kept without being asked for
	maxFresh     = 10 * time.Minute // the longest max-age honoured
)

// validationKey identifies a context request: its address and the
// customer's cookies (order calls carry none, and the store's credential
// is the same for all).
func validationKey(req *http.Request) [sha256.Size]byte {
	return sha256.Sum256([]byte(req.URL.String() + "\x00" + req.Header.Get("Cookie")))
}

// holdsAny reports whether any context is kept (a nil revalidation keeps
// none).
func (r *revalidation) holdsAny() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries) > 0
}

// mayKeep reports whether a context sent with header h may be kept: it
// has a validator or a Cache-Control (keep decides what it allows).
func mayKeep(h http.Header) bool {
	return len(h["Etag"]) > 0 || len(h["Cache-Control"]) > 0
}

// lookup returns the kept context for key, if any, and whether it may be
// used without asking the store. A nil revalidation keeps nothing.
func (r *revalidation) lookup(key [sha256.Size]byte, now time.Time) (v *validated, fresh bool) {
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	v = r.entries[key]
	if v == nil {
		return nil, false
	}
	if now.Sub(v.used) > keepUnused {
		delete(r.entries, key)
		return nil, false
	}
	v.used = now
	return v, now.Before(v.fresh)
}

// keep records the context the store sent with header h, when h allows
// reusing it (a validator or max-age, and no no-store), and forgets the
// one kept for key otherwise.
func (r *revalidation) keep(key [sha256.Size]byte, h http.Header, sc *offers.Context, now time.Time) {
	if r == nil {
		return
	}
	etag := h.Get("Etag")
	maxAge, noStore := cacheControl(h.Values("Cache-Control"))
	r.mu.Lock()
	defer r.mu.Unlock()
	if noStore || etag == "" && maxAge <= 0 {
		delete(r.entries, key)
		return
	}
	if r.entries == nil {
		r.entries = make(map[[sha256.Size]byte]*validated)
	}
	if _, ok := r.entries[key]; !ok && len(r.entries) >= maxValidated {
		for k := range r.entries { // any one
			delete(r.entries, k)
			break
		}
	}
	r.entries[key] = &validated{etag: etag, sc: sc, fresh: now.Add(maxAge), used: now}
}

// refresh takes a 304's Cache-Control for the context kept under key: a
// new max-age starts from now.
func (r *revalidation) refresh(key [sha256.Size]byte, h http.Header, now time.Time) {
	if r == nil {
		return
	}
	maxAge, noStore := cacheControl(h.Values("Cache-Control"))
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.entries[key]
	switch {
	case v == nil:
	case noStore:
		delete(r.entries, key)
	default:
		v.fresh = now.Add(maxAge)
		if etag := h.Get("Etag"); etag != "" {
			v.etag = etag
		}
	}
}

// cacheControl reads the directives of Cache-Control that matter here: the
// max-age (capped at maxFresh; 0 with no-cache or none), and no-store.
func cacheControl(values []string) (maxAge time.Duration, noStore bool) {
	noCache := false
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store":
				noStore = true
			case "no-cache":
				noCache = true
			case "max-age":
				if n, err := strconv.Atoi(strings.Trim(arg, `"`)); err == nil && n > 0 {
					maxAge = min(time.Duration(n)*time.Second, maxFresh)
				}
			}
		}
	}
	if noCache {
		maxAge = 0
	}
	return maxAge, noStore
}
