package caddymodule

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestStoreCheckFindings: what the check at start makes of the store's
// answers, and at which level it says so.
func TestStoreCheckFindings(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		order   bool // probe the order context, else the cart context
		level   zapcore.Level
		finding string
	}{
		{"order: 404 for the made-up order", 404, `{"error":"no such order"}`, true, zapcore.InfoLevel, "accepted the credential"},
		{"order: credential refused", 401, `{"error":"unauthorized"}`, true, zapcore.WarnLevel, "refused the credential"},
		{"order: forbidden", 403, `{}`, true, zapcore.WarnLevel, "refused the credential"},
		{"order: wrong path", 500, `oops`, true, zapcore.WarnLevel, "error status"},
		{"cart: empty cart", 200, `{"id":"c","currency":"USD","subtotal":0,"items":[]}`, false, zapcore.InfoLevel, "answers store contract v1"},
		{"cart: not the contract", 200, `<html>`, false, zapcore.WarnLevel, "not what the store module expects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := provisioned(t, contractStore(t, tt.status, tt.body).URL)
			core, logs := observer.New(zapcore.InfoLevel)
			h.logger = zap.New(core)
			probe, call := h.probeCartContext, "cart_context"
			if tt.order {
				probe, call = h.probeOrderContext, "order_context"
			}
			h.logStoreCheck(context.Background(), call, probeTwice(context.Background(), probe))
			entries := logs.All()
			if len(entries) != 1 {
				t.Fatalf("%d log lines, want 1: %v", len(entries), entries)
			}
			e := entries[0]
			if e.Level != tt.level || !strings.Contains(e.ContextMap()["finding"].(string), tt.finding) || e.ContextMap()["call"] != call {
				t.Errorf("%s %q %v, want %s with a finding saying %q", e.Level, e.Message, e.ContextMap(), tt.level, tt.finding)
			}
		})
	}
}

// TestStoreCheckUnreachable: a store that cannot be reached is tried once
// more, then reported; the start is never held up by it beyond that.
func TestStoreCheckUnreachable(t *testing.T) {
	h := provisioned(t, "http://127.0.0.1:1")
	core, logs := observer.New(zapcore.InfoLevel)
	h.logger = zap.New(core)
	h.logStoreCheck(context.Background(), "cart_context", probeTwice(context.Background(), h.probeCartContext))
	if e := logs.All(); len(e) != 1 || e[0].Level != zapcore.WarnLevel || !strings.Contains(e[0].Message, "could not be reached") {
		t.Errorf("log %v, want one warn line saying the store could not be reached", e)
	}
}
