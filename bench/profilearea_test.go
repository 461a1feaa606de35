package main

import (
	"testing"
	"time"
)

const tracesText = `File: caddy
Type: cpu
Duration: 3s, Total samples = 2.32s (77.30%)
-----------+-------------------------------------------------------
     210ms   internal/runtime/syscall/linux.Syscall6
             syscall.write
             net/http.checkConnErrorWriter.Write
             bufio.(*Writer).Flush
             net/http.(*response).finishRequest
             net/http.(*conn).serve
-----------+-------------------------------------------------------
      1.5s   github.com/kairoedge/kairo/internal/inject.load64 (inline)
             github.com/kairoedge/kairo/internal/inject.(*scanner).data
             github.com/kairoedge/kairo/internal/inject.(*Injector).Write
-----------+-------------------------------------------------------
      10ms   encoding/json.(*decodeState).object
             github.com/kairoedge/kairo/caddymodule.(*storeClient).cartContext
             github.com/kairoedge/kairo/caddymodule.(*Handler).fetchContext.func1
-----------+-------------------------------------------------------
      20ms   runtime.scanobject
             runtime.gcDrain
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
      30ms   internal/runtime/syscall/linux.Syscall6
             net.(*conn).Read
             net/http.(*persistConn).Read
             net/http.(*persistConn).readLoop
-----------+-------------------------------------------------------
      50ms   runtime.strequal
             github.com/kairoedge/kairo/caddymodule.(*Handler).match
             github.com/kairoedge/kairo/caddymodule.(*Handler).ServeHTTP
-----------+-------------------------------------------------------
      40ms   net/textproto.(*Reader).ReadMIMEHeader
             net/http.readRequest
             net/http.(*conn).serve
-----------+-------------------------------------------------------
      60ms   internal/runtime/syscall/linux.Syscall6
             syscall.write
             net/http.checkConnErrorWriter.Write
             bufio.(*Writer).Write
             net/http.(*response).Write
             github.com/kairoedge/kairo/internal/inject.(*ResponseWriter).Close
             github.com/kairoedge/kairo/caddymodule.(*Handler).servePage
             github.com/kairoedge/kairo/caddymodule.(*Handler).ServeHTTP
-----------+-------------------------------------------------------
      70ms   github.com/kairoedge/kairo/internal/widget.idHash.add
             github.com/kairoedge/kairo/caddymodule.(*pageRun).build
             github.com/kairoedge/kairo/caddymodule.(*pageRun).early
             github.com/kairoedge/kairo/internal/inject.(*ResponseWriter).WriteHeader
             github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).finalizeResponse
             github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).reverseProxy
             github.com/kairoedge/kairo/caddymodule.(*Handler).ServeHTTP
-----------+-------------------------------------------------------
      80ms   net/http.Header.Del
             github.com/kairoedge/kairo/internal/inject.(*ResponseWriter).WriteHeader
             github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).finalizeResponse
             github.com/kairoedge/kairo/caddymodule.(*Handler).ServeHTTP
-----------+-------------------------------------------------------
      90ms   net/http.Header.Clone
             github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).finalizeResponse
             github.com/kairoedge/kairo/caddymodule.(*Handler).ServeHTTP
-----------+-------------------------------------------------------
`

func TestParseTracesAndSplit(t *testing.T) {
	samples, err := parseTraces(tracesText)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 11 {
		t.Fatalf("%d samples, want 11", len(samples))
	}
	if got := samples[1].Stack; len(got) != 3 || got[0] != "github.com/kairoedge/kairo/internal/inject.load64" {
		t.Errorf("second stack %q", got)
	}
	got := splitByArea(samples)
	want := map[string]time.Duration{
		"writing the response to the client":                               270 * time.Millisecond, // a gathered page's write from inside the handler too
		"Kairo: HTML scanning (internal/inject)":                           1500 * time.Millisecond,
		"Kairo: cart context request (client side, JSON)":                  10 * time.Millisecond,
		"Go runtime in the background (GC, scheduler)":                     20 * time.Millisecond,
		"HTTP client connections to the store (page and context)":          30 * time.Millisecond,
		"Kairo: the handler itself (routing, caches)":                      130 * time.Millisecond, // with the header rewritten inside reverse_proxy
		"the rest of Caddy and net/http (request, routing, reverse_proxy)": 130 * time.Millisecond, // reverse_proxy's own work beneath Kairo's handler
		"Kairo: offer selection, widget, tokens":                           70 * time.Millisecond,  // built as the header is decided
	}
	if len(got) != len(want) {
		t.Errorf("areas %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
}

func TestParseTracesBadTime(t *testing.T) {
	if _, err := parseTraces("-----------+----\n     12xx   main.f\n"); err == nil {
		t.Error("no error for a bad time")
	}
}
