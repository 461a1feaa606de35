package caddymodule

import (
	"io"
	"net/http"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// statusHookWriter runs a hook once, just before the final status of the
// response goes out: the last moment to add headers (a cookie) that depend
// on the status the store answered. As in net/http, a Write, ReadFrom or
// Flush before any status means 200; informational statuses (1xx) come
// before the final one and pass without the hook.
type statusHookWriter struct {
	*caddyhttp.ResponseWriterWrapper
	hook    func(w http.ResponseWriter, status int)
	decided bool
}

// withStatusHook wraps w so that hook sees the final status first.
func withStatusHook(w http.ResponseWriter, hook func(w http.ResponseWriter, status int)) http.ResponseWriter {
	return &statusHookWriter{ResponseWriterWrapper: &caddyhttp.ResponseWriterWrapper{ResponseWriter: w}, hook: hook}
}

// WriteHeader runs the hook on the final status, then sends it.
func (w *statusHookWriter) WriteHeader(status int) {
	if !w.decided && status >= 200 {
		w.decided = true
		w.hook(w.ResponseWriter, status)
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implies a 200 answer when no status was written.
func (w *statusHookWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom implies a 200 answer when no status was written; without it
// io.Copy would reach the wrapped writer's ReadFrom past WriteHeader.
func (w *statusHookWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriterWrapper.ReadFrom(src)
}

// FlushError implies a 200 answer when no status was written, then flushes
// through the wrapped writers. http.ResponseController calls it.
func (w *statusHookWriter) FlushError() error {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for callers that ask for an http.Flusher.
func (w *statusHookWriter) Flush() { _ = w.FlushError() }
