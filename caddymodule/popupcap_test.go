package caddymodule

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/kairoedge/kairo/state"
)

// popupKeysDown is a state store whose pop-up counts cannot be read or
// written, while everything else answers: the cap's own errors are then
// the only way the pop-up can be left out.
type popupKeysDown struct{ state.Store }

func (s popupKeysDown) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if strings.HasPrefix(key, popupCapKey("")) {
		return nil, false, state.ErrUnavailable
	}
	return s.Store.Get(ctx, key)
}

func (s popupKeysDown) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	if strings.HasPrefix(key, popupCapKey("")) {
		return 0, state.ErrUnavailable
	}
	return s.Store.Incr(ctx, key, delta, ttl)
}

func TestPopupCapUnreadableIsNoPopup(t *testing.T) {
	h := &Handler{PopupCap: 3, state: popupKeysDown{state.NewMemory(0)}}
	r := httptest.NewRequest(http.MethodGet, "/_upsell/popup", nil)
	if _, err := h.popupCapped(context.Background(), r, "ada"); !errors.Is(err, state.ErrUnavailable) {
		t.Errorf("popupCapped with the count unreadable: %v, want the state layer's error", err)
	}
	if within, err := h.claimPopup(context.Background(), "ada"); within || !errors.Is(err, state.ErrUnavailable) {
		t.Errorf("claimPopup with the count unwritable: within %v, %v; want refused with the state layer's error", within, err)
	}
	// A guest is counted by the browser: the state layer is not asked.
	if capped, err := h.popupCapped(context.Background(), r, ""); capped || err != nil {
		t.Errorf("popupCapped for a guest: %v %v, want not capped", capped, err)
	}
}

func TestPopupAnswersGetOnly(t *testing.T) {
	// A HEAD would work the pop-up out and spend one of the customer's.
	h := &Handler{PopupCap: 3, state: state.NewMemory(0)}
	rec := httptest.NewRecorder()
	err := h.servePopup(rec, httptest.NewRequest(http.MethodHead, "/_upsell/popup", nil))
	var he caddyhttp.HandlerError
	if !errors.As(err, &he) || he.StatusCode != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" {
		t.Errorf("HEAD on the pop-up: %v, Allow %q; want 405 allowing GET", err, rec.Header().Get("Allow"))
	}
}
