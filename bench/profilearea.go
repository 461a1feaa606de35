package main

import (
	"fmt"
	"strings"
	"time"
)

// profileArea is a part of Caddy's work that a CPU sample can be charged
// to, recognised by the functions on the sample's stack.
type profileArea struct {
	Name  string
	match func(stack []string) bool
}

// profileAreas are checked in order; a sample goes to the first that
// matches, and to the last one otherwise.
var profileAreas = []profileArea{
	// The widget is built at the page's </body> (snippet) or, when the
	// context is in by then, as the header is decided (early), which
	// reverse_proxy's WriteHeader calls.
	{"Kairo: offer selection, widget, tokens", stackHas("caddymodule.(*pageRun).snippet", "caddymodule.(*pageRun).early")},
	{"Kairo: cart context request (client side, JSON)", stackHas("caddymodule.(*Handler).fetchContext")},
	{"Kairo: HTML scanning (internal/inject)", func(s []string) bool {
		return strings.Contains(s[0], "/internal/inject.") || stackHas("inject.(*scanner)")(s)
	}},
	// Before the handler: an injected page is written from inside it
	// (ResponseWriter.Close sends a gathered page), and that write is
	// the response's, as plain reverse_proxy's is.
	{"writing the response to the client", stackHas("net/http.(*response)", "net/http.(*chunkWriter)", "net/http.checkConnErrorWriter")},
	{"Kairo: the handler itself (routing, caches)", kairoOwn},
	{"HTTP client connections to the store (page and context)", stackHas("net/http.(*persistConn)", "net/http.(*Transport)")},
	{"Go runtime in the background (GC, scheduler)", func(s []string) bool {
		return stackHas("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge")(s) || allRuntime(s)
	}},
	{"the rest of Caddy and net/http (request, routing, reverse_proxy)", func([]string) bool { return true }},
}

// kairoOwn matches samples in Kairo's own code (or its cache's): a frame
// of it inside the innermost reverse_proxy frame, if any. Kairo's handler
// is beneath everything reverse_proxy does on a matched route, and calls
// back into Kairo (its response writer's header and body) are inside it.
func kairoOwn(stack []string) bool {
	for _, f := range stack { // innermost first
		switch {
		case strings.Contains(f, "kairoedge/kairo/"), strings.Contains(f, "ristretto"):
			return true
		case strings.Contains(f, "reverseproxy."):
			return false
		}
	}
	return false
}

// stackHas matches stacks holding a frame that contains any of subs.
func stackHas(subs ...string) func([]string) bool {
	return func(stack []string) bool {
		for _, f := range stack {
			for _, s := range subs {
				if strings.Contains(f, s) {
					return true
				}
			}
		}
		return false
	}
}

func allRuntime(stack []string) bool {
	for _, f := range stack {
		if !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "internal/runtime/") {
			return false
		}
	}
	return true
}

// profileSample is one stack of `go tool pprof -traces` and its CPU time;
// Stack[0] is the innermost frame.
type profileSample struct {
	CPU   time.Duration
	Stack []string
}

// parseTraces reads the text of `go tool pprof -traces`: blocks separated
// by "-----------+-----" lines, each starting with the time and the
// innermost function, followed by one caller per line.
func parseTraces(text string) ([]profileSample, error) {
	var out []profileSample
	var cur *profileSample
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "-----------+") {
			cur = nil
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if cur == nil {
			if !strings.HasPrefix(line, " ") || len(f) < 2 {
				continue // the header before the first block
			}
			d, err := time.ParseDuration(f[0])
			if err != nil {
				return nil, fmt.Errorf("pprof traces: %q: %v", line, err)
			}
			out = append(out, profileSample{CPU: d, Stack: []string{f[1]}})
			cur = &out[len(out)-1]
			continue
		}
		cur.Stack = append(cur.Stack, f[0])
	}
	return out, nil
}

// splitByArea adds up the samples' CPU time by area.
func splitByArea(samples []profileSample) map[string]time.Duration {
	out := make(map[string]time.Duration)
	for _, s := range samples {
		for _, a := range profileAreas {
			if a.match(s.Stack) {
				out[a.Name] += s.CPU
				break
			}
		}
	}
	return out
}
