package caddymodule

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// BenchmarkServePage runs matched cart pages of 16 KB and 100 KB through
// the handler, the way reverse_proxy hands them over (the store's
// Content-Length, 32 KiB writes from one buffer), with the cart context
// asked of a real store server on every page, served from the context
// cache (context_ttl), and sent in the page's own header (context_in_page),
// for a customer whose browser already has Kairo's
// id cookie. B/op and allocs/op are per injected page, all of
// the handler's work included (context call and its decoding, offer
// selection, widget, tokens, injection, headers).
//
//	go test -run '^$' -bench '^BenchmarkServePage$' -benchmem ./caddymodule
func BenchmarkServePage(b *testing.B) {
	store := contractStore(b, http.StatusOK, cartWithBeans)
	// A page that brings its context is served with a store whose context
	// calls fail: a page that fell back to the call would get no widget.
	noCalls := contractStore(b, http.StatusInternalServerError, `{"error":"no context calls here"}`)
	for _, size := range []int{16 << 10, 100 << 10} {
		page := benchStorePage(size)
		for _, c := range []struct {
			name   string
			ttl    time.Duration
			inPage bool
		}{{"context=store", 0, false}, {"context=cached", time.Minute, false}, {"context=page", 0, true}} {
			b.Run(fmt.Sprintf("page=%dKB/%s", size>>10, c.name), func(b *testing.B) {
				storeURL := store.URL
				if c.inPage {
					storeURL = noCalls.URL
				}
				h := provisionedWith(b, storeURL, "2s", c.ttl)
				h.ContextInPage = c.inPage
				next := proxiedPage(page)
				if c.inPage {
					next = withPageContext(next, strings.ReplaceAll(cartWithBeans, "\n", ""))
				}
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, "/cart", nil)
					req.Header.Set("Cookie", "cart=bench; kairo_cart=YmVuY2gtYnJvd3Nlci0wMQ") // a returning browser's id
					req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
					w := &discardWriter{header: make(http.Header)}
					if err := h.ServeHTTP(w, req, next); err != nil {
						b.Fatal(err)
					}
					if !w.injected {
						b.Fatal("no widget on the page")
					}
					if c := w.header.Get("Set-Cookie"); c != "" {
						b.Fatalf("a returning browser was given a cookie: %s", c)
					}
				}
			})
		}
	}
}

// benchStorePage is a store page of about size bytes, tag-dense like a
// product grid.
func benchStorePage(size int) []byte {
	var sb strings.Builder
	sb.WriteString("<!doctype html><html><head><title>Cart</title></head><body><main><ul>")
	for i := 0; sb.Len() < size-40; i++ {
		fmt.Fprintf(&sb, `<li class="card"><a href="/p/%d"><img src="/i/%d.jpg" alt="Mug"></a><h3><b>Mug</b> <i>350 ml</i></h3><p><span>$19.99</span></p></li>`+"\n", i, i)
	}
	sb.WriteString("</ul></main></body></html>")
	return []byte(sb.String())
}

// proxiedPage is a next handler that sends page as reverse_proxy does:
// the store's Content-Length, then 32 KiB writes from one buffer.
func proxiedPage(page []byte) caddyhttp.Handler {
	length := strconv.Itoa(len(page))
	buf := make([]byte, 32<<10)
	return caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		for p := page; len(p) > 0; {
			n := copy(buf, p)
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
		return nil
	})
}

// withPageContext is next as a store that sends the cart context in the
// page's header when asked (context_in_page), on a page no shared cache
// may keep.
func withPageContext(next caddyhttp.Handler, contextJSON string) caddyhttp.Handler {
	value := []string{contextJSON}
	return caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if r.Header.Get(contextHeader) == "cart" {
			w.Header()[contextHeader] = value
			w.Header().Set("Cache-Control", "no-store")
		}
		return next.ServeHTTP(w, r)
	})
}

// discardWriter is a response writer that keeps only whether the widget
// went out.
type discardWriter struct {
	header   http.Header
	injected bool
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(int)     {}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.injected = w.injected || bytes.Contains(p, []byte("data-kairo-widget"))
	return len(p), nil
}
