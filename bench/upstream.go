package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// benchCookie is the customer's cookie every load request carries; the
// injecting route forwards it to the store's cart context endpoint (less
// kairo_cart, the browser id Kairo gives a browser on its first cart page
// and that a returning customer sends back, as here).
const benchCookie = "cart=bench-cart-1; session=7f3c2a; kairo_cart=YmVuY2gtYnJvd3Nlci0wMQ"

// cartContextJSON is the store's answer to GET /api/cart (store contract
// v1): espresso beans trigger the grinder offer, the subtotal the mug.
const cartContextJSON = `{"id":"bench-cart-1","currency":"USD","subtotal":4598,"status":"open",` +
	`"items":[{"product_id":"espresso-beans","variant_id":"espresso-beans-1kg","quantity":1,"unit_price":2999,"tags":["coffee"]},` +
	`{"product_id":"pour-over-filters","variant_id":"filters-100","quantity":1,"unit_price":1599,"tags":["brewing"]}],` +
	`"customer":{"id":"c-42","tags":["newsletter"],"orders_count":2}}`

// upstreamCounts is what the upstream served since it started.
type upstreamCounts struct {
	Pages       int64 `json:"pages"`
	Contexts    int64 `json:"contexts"`
	NoCookieCtx int64 `json:"contexts_without_cookie"`
	// PageContexts are contexts sent in a page's header (context_in_page).
	PageContexts int64 `json:"page_contexts"`
}

// storeServer is the store behind Caddy: storefront pages of every size
// under any path (/page/16k, /cart/16k ...) and the cart context endpoint.
type storeServer struct {
	pages  map[string][]byte
	counts struct{ pages, contexts, noCookie, pageContexts atomic.Int64 }
}

func newStoreServer() *storeServer {
	s := &storeServer{pages: make(map[string][]byte, len(allSizes))}
	for _, size := range allSizes {
		s.pages[size.Name] = renderPage(size)
	}
	return s
}

func (s *storeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/cart":
		s.counts.contexts.Add(1)
		if r.Header.Get("Cookie") == "" {
			s.counts.noCookie.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(cartContextJSON)))
		io.WriteString(w, cartContextJSON)
		return
	case "/_bench/counts":
		json.NewEncoder(w).Encode(upstreamCounts{
			Pages: s.counts.pages.Load(), Contexts: s.counts.contexts.Load(), NoCookieCtx: s.counts.noCookie.Load(),
			PageContexts: s.counts.pageContexts.Load(),
		})
		return
	}
	page, ok := s.pages[path.Base(r.URL.Path)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.counts.pages.Add(1)
	h := w.Header()
	if r.Header.Get("Kairo-Context") == "cart" {
		// context_in_page: the page brings its customer's context (the
		// same answer as /api/cart), counted as a context sent.
		s.counts.pageContexts.Add(1)
		h.Set("Kairo-Context", cartContextJSON)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	h.Set("Cache-Control", "no-store")
	w.Write(page)
}

// serveUpstream runs the store on addr until its stdin closes (the harness
// holds the other end, so the store ends with the harness). It prints the
// address it listens on as its first line.
func serveUpstream(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: newStoreServer(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// upstream is the store process as the harness sees it.
type upstream struct {
	addr  string
	pid   int
	stdin io.WriteCloser
	done  chan error
	stop  func()
}

// startUpstream starts this program again in upstream mode on the load CPUs.
func startUpstream(self string, place placement) (*upstream, error) {
	cmd := place.command(self, "-serve-upstream", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := place.start(cmd); err != nil {
		return nil, fmt.Errorf("starting the upstream: %w", err)
	}
	u := &upstream{pid: cmd.Process.Pid, stdin: stdin, done: make(chan error, 1)}
	u.stop = func() {
		stdin.Close()
		select {
		case <-u.done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-u.done
		}
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	go func() { u.done <- cmd.Wait() }()
	if err != nil {
		u.stop()
		return nil, fmt.Errorf("the upstream did not say where it listens: %w", err)
	}
	u.addr = strings.TrimSpace(line)
	return u, nil
}

// counts asks the upstream what it has served so far.
func (u *upstream) counts() (upstreamCounts, error) {
	var c upstreamCounts
	resp, err := http.Get("http://" + u.addr + "/_bench/counts")
	if err != nil {
		return c, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c, errors.New("upstream counts: " + resp.Status)
	}
	return c, json.NewDecoder(resp.Body).Decode(&c)
}

// Interface guard: the store is a plain net/http handler.
var _ http.Handler = (*storeServer)(nil)
