package inject

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pageHTML is a small store page; the snippet belongs before its </body>.
const pageHTML = `<!DOCTYPE html><html><head><title>Cart</title></head><body><p>2 items</p><!-- </body> --></body></html>`

// pageWithSnippet is pageHTML as a client should receive it.
var pageWithSnippet = strings.Replace(pageHTML, "</body></html>", testSnippet+"</body></html>", 1)

// largePage is a 200 KB store page; largePageWithSnippet is how it should
// reach the client.
var (
	largePage            = storePage(200 << 10)
	largePageWithSnippet = func() string {
		at := bytes.LastIndex(largePage, []byte("<footer>")) // the site footer
		return string(largePage[:at]) + testSnippet + string(largePage[at:])
	}()
)

// observed keeps the ResponseWriter of the last wrapped request, so tests
// can read its results after the server handled the request.
type observed struct {
	mu    sync.Mutex
	rw    *ResponseWriter
	ready chan struct{} // closed by the first set
	once  sync.Once
}

func (o *observed) init() chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ready == nil {
		o.ready = make(chan struct{})
	}
	return o.ready
}

func (o *observed) set(rw *ResponseWriter) {
	ready := o.init()
	o.mu.Lock()
	o.rw = rw
	o.mu.Unlock()
	o.once.Do(func() { close(ready) })
}

// get waits for the handler to finish (a client may have the whole body
// of a page with a length before the handler returns) and returns its
// writer, or nil after a second.
func (o *observed) get() *ResponseWriter {
	select {
	case <-o.init():
	case <-time.After(time.Second):
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.rw
}

// wrap puts next behind the gating, the way the Caddy module does: only
// eligible requests are prepared and wrapped, and the wrapper is closed
// when next returns.
func wrap(t *testing.T, next http.Handler, seen *observed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Eligible(r) {
			next.ServeHTTP(w, r)
			return
		}
		PrepareRequest(r)
		rw := NewResponseWriter(w, func() []byte { return []byte(testSnippet) })
		if r.Method == http.MethodHead {
			rw.SetHead()
		}
		next.ServeHTTP(rw, r)
		if err := rw.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if seen != nil {
			seen.set(rw)
		}
	})
}

// rawExchange sends a raw HTTP/1.1 request to h on a real server and
// returns the raw response, with the Date header (which changes every
// second) removed.
func rawExchange(t *testing.T, h http.Handler, method, target string) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := method + " " + target + " HTTP/1.1\r\nHost: shop.test\r\nAccept-Encoding: gzip\r\nIf-None-Match: \"v1\"\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^Date: .*\r\n`).ReplaceAllString(string(raw), "")
}

// gzipped compresses s.
func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	_ = zw.Close()
	return b.Bytes()
}

// TestPassThrough checks that responses that must not be rewritten come out
// byte-identical, headers included, whether or not the writer is wrapped.
func TestPassThrough(t *testing.T) {
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "cart.json")
	if err := os.WriteFile(jsonFile, bytes.Repeat([]byte(`{"items":[1,2,3]}`), 4000), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		reason  string // "" when the request is not wrapped at all
	}{
		{"HEAD of a JSON file", http.MethodHead, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1234")
			w.Header().Set("Etag", `"v1"`)
		}, ReasonContentType},
		{"UTF-16 page", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=UTF-16")
			_, _ = io.WriteString(w, "\xff\xfe<\x00p\x00>\x00")
		}, ReasonCharset},
		{"POST of a page", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, pageHTML)
		}, ""},
		{"304", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Etag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		}, ReasonStatus},
		{"206", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Range", "bytes 0-9/100")
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(http.StatusPartialContent)
			_, _ = io.WriteString(w, pageHTML[:10])
		}, ReasonStatus},
		{"gzip-encoded page", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Etag", `"v1-gzip"`)
			_, _ = w.Write(gzipped(pageHTML))
		}, ReasonContentEncoding},
		{"JSON", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "13")
			w.Header().Set("Cache-Control", "public, max-age=60")
			_, _ = io.WriteString(w, `{"body":true}`)
		}, ReasonContentType},
		{"JSON by io.Copy from a file", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			f, err := os.Open(jsonFile)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", "application/json")
			if _, err := io.Copy(w, f); err != nil {
				t.Error(err)
			}
		}, ReasonContentType},
		{"event stream", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: </body>\n\n")
			http.NewResponseController(w).Flush()
			_, _ = io.WriteString(w, "data: more\n\n")
		}, ReasonEventStream},
		{"404 page", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, pageHTML)
		}, ReasonStatus},
		{"redirect", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/cart/", http.StatusFound)
		}, ReasonStatus},
		{"plain text", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, pageHTML)
		}, ReasonContentType},
		{"sniffed as not HTML", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("%PDF-1.4 </body>"))
		}, ReasonContentType},
		{"nothing written", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {}, ReasonNoResponse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen observed
			direct := rawExchange(t, tc.handler, tc.method, "/cart")
			wrapped := rawExchange(t, wrap(t, tc.handler, &seen), tc.method, "/cart")
			if wrapped != direct {
				t.Errorf("wrapped response differs\nwrapped:\n%q\ndirect:\n%q", wrapped, direct)
			}
			rw := seen.get()
			if tc.reason == "" {
				if rw != nil {
					t.Errorf("request was wrapped")
				}
				return
			}
			if rw == nil {
				t.Fatal("request was not wrapped")
			}
			if rw.Rewritten() || rw.Injected() || rw.Reason() != tc.reason {
				t.Errorf("Rewritten %v Injected %v Reason %q; want false false %q", rw.Rewritten(), rw.Injected(), rw.Reason(), tc.reason)
			}
		})
	}
}

// TestRewrite checks rewritten responses, whatever way the handler writes
// them: the snippet is in, the header fixed.
func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	pageFile := filepath.Join(dir, "cart.html")
	if err := os.WriteFile(pageFile, []byte(pageHTML), 0o600); err != nil {
		t.Fatal(err)
	}
	html := func(w http.ResponseWriter) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=UTF-8")
		h.Set("Content-Length", "104")
		h.Set("Etag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("Accept-Ranges", "bytes")
		h.Set("Cache-Control", "public, max-age=60")
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		body    string
		cache   string
	}{
		{"WriteHeader then Write", func(w http.ResponseWriter, r *http.Request) {
			html(w)
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "max-age=60, private"},
		{"Write without WriteHeader", func(w http.ResponseWriter, r *http.Request) {
			html(w)
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "max-age=60, private"},
		{"byte by byte", func(w http.ResponseWriter, r *http.Request) {
			html(w)
			for k := range len(pageHTML) {
				_, _ = io.WriteString(w, pageHTML[k:k+1])
			}
		}, pageWithSnippet, "max-age=60, private"},
		{"io.Copy from a reader", func(w http.ResponseWriter, r *http.Request) {
			html(w)
			_, _ = io.Copy(w, strings.NewReader(pageHTML))
		}, pageWithSnippet, "max-age=60, private"},
		{"io.Copy from a file", func(w http.ResponseWriter, r *http.Request) {
			f, err := os.Open(pageFile)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.Copy(w, f)
		}, pageWithSnippet, "private"},
		{"no Content-Type: sniffed", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "private"},
		{"WriteHeader(200) without Content-Type: sniffed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "private"},
		{"early hints first", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</app.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			html(w)
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "max-age=60, private"},
		{"large page in 32 KB writes", func(w http.ResponseWriter, r *http.Request) {
			html(w)
			w.Header().Set("Content-Length", strconv.Itoa(len(largePage)))
			for p := largePage; len(p) > 0; {
				n := min(len(p), 32<<10)
				_, _ = w.Write(p[:n])
				p = p[n:]
			}
		}, largePageWithSnippet, "max-age=60, private"},
		{"no </body>: snippet at the end", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>fragment</p>")
		}, "<p>fragment</p>" + testSnippet, "private"},
		{"empty body: no body to show the snippet in", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusOK)
		}, "", "private"},
		{"identity encoding", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "identity")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = io.WriteString(w, pageHTML)
		}, pageWithSnippet, "no-store"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen observed
			var upstream http.Header
			srv := httptest.NewServer(wrap(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				upstream = r.Header.Clone()
				tc.handler(w, r)
			}), &seen))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/cart", nil)
			req.Header.Set("Accept-Encoding", "gzip, br")
			req.Header.Set("If-None-Match", `"v1"`)
			req.Header.Set("Range", "bytes=0-9")
			client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()

			if got := upstream.Get("Accept-Encoding"); got != "identity" {
				t.Errorf("upstream Accept-Encoding %q, want identity", got)
			}
			for _, k := range []string{"Range", "If-None-Match"} {
				if v, ok := upstream[k]; ok {
					t.Errorf("upstream still got %s: %q", k, v)
				}
			}
			if resp.StatusCode != http.StatusOK || string(body) != tc.body {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, tc.body)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			if resp.ContentLength != -1 && resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length %d sent for %d bytes", resp.ContentLength, len(body))
			}
			for _, k := range []string{"Etag", "Last-Modified", "Accept-Ranges"} {
				if v, ok := resp.Header[k]; ok {
					t.Errorf("%s still sent: %q", k, v)
				}
			}
			if got := resp.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			rw := seen.get()
			if rw == nil || !rw.Rewritten() || rw.Injected() != (tc.body != "") || rw.NoPlace() != (tc.body == "") || rw.Reason() != "" {
				t.Errorf("results: Rewritten %v, Injected %v, NoPlace %v, Reason %q", rw.Rewritten(), rw.Injected(), rw.NoPlace(), rw.Reason())
			}
		})
	}
}

// flushRecorder notes what had been written at each Flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	atFlush []string
}

func (f *flushRecorder) Flush() {
	f.atFlush = append(f.atFlush, f.Body.String())
	f.ResponseRecorder.Flush()
}

// TestFlush checks that a handler's flushes reach the wrapped writer with
// everything written so far, whichever way the handler flushes.
func TestFlush(t *testing.T) {
	flushes := []struct {
		name  string
		flush func(w http.ResponseWriter)
	}{
		{"ResponseController", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		}},
		{"http.Flusher", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }},
	}
	for _, f := range flushes {
		t.Run(f.name, func(t *testing.T) {
			rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
			rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
			rw.Header().Set("Content-Type", "text/html")
			f.flush(rw) // before any byte: the header goes out, decided
			_, _ = io.WriteString(rw, "<html><body><p>first</p>")
			f.flush(rw)
			_, _ = io.WriteString(rw, "<p>second</p></body></html>")
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			want := []string{"", "<html><body><p>first</p>"}
			if len(rec.atFlush) != len(want) || rec.atFlush[0] != want[0] || rec.atFlush[1] != want[1] {
				t.Errorf("at each flush: %q, want %q", rec.atFlush, want)
			}
			if !rw.Rewritten() || rec.Body.String() != "<html><body><p>first</p><p>second</p>"+testSnippet+"</body></html>" {
				t.Errorf("rewritten %v, body %q", rw.Rewritten(), rec.Body.String())
			}
		})
	}
}

// TestFlushReachesClient checks flushing end to end: the client reads the
// first part of a rewritten page while the handler still waits.
func TestFlushReachesClient(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(wrap(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body><p>first</p>\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		<-release
		_, _ = io.WriteString(w, "</body></html>")
	}), nil))
	defer srv.Close()
	defer close(release)

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(resp.Body).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != "<html><body><p>first</p>\n" {
			t.Errorf("first line %q", s)
		}
	case <-time.After(30 * time.Second): // only reached when flushing is broken
		t.Fatal("the flushed part never reached the client")
	}
}

// TestUnwrap checks that http.NewResponseController reaches the wrapped
// writer's deadlines through Unwrap.
func TestUnwrap(t *testing.T) {
	srv := httptest.NewServer(wrap(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(*ResponseWriter); !ok {
			t.Error("not wrapped")
		}
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, pageHTML)
	}), nil))
	defer srv.Close()
	if _, body := get(t, srv.URL); body != pageWithSnippet {
		t.Errorf("body %q", body)
	}
}

// get fetches url and returns the response (its body read and closed)
// and the body.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestCloseTwice(t *testing.T) {
	rec := httptest.NewRecorder()
	rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
	rw.Header().Set("Content-Type", "text/html")
	_, _ = io.WriteString(rw, "<p>x</p>")
	for range 2 {
		if err := rw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.Body.String(); got != "<p>x</p>"+testSnippet {
		t.Errorf("body %q", got)
	}
}

// writeRecorder notes the length of each write, as Caddy's encode handler
// sees them.
type writeRecorder struct {
	*httptest.ResponseRecorder
	writes []int
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return w.ResponseRecorder.Write(p)
}

// TestFirstWriteLongEnoughToCompress checks that a rewritten page whose
// store length (over 512 bytes) had to go reaches the next writer with a
// first write over 512 bytes however short the store's first chunk, so
// that Caddy's encode still compresses it; that a flush sends what was
// gathered; that a page sized up to maxHeld goes out in one write (with
// its exact length); and that unsized pages stream as they came.
func TestFirstWriteLongEnoughToCompress(t *testing.T) {
	head := "<html><head><title>Cart</title></head><body>"
	rest := strings.Repeat("<p>item</p>", 200) + "</body></html>"
	page := head + rest
	tests := []struct {
		name       string
		length     string // the store's Content-Length
		flushAfter bool   // the store flushes after its first chunk
		wantFirst  func(n int) bool
	}{
		{"sized page", strconv.Itoa(len(page)), false, func(n int) bool { return n == len(page)+len(testSnippet) }},
		{"sized page, flushed first chunk", strconv.Itoa(len(page)), true, func(n int) bool { return n == len(head) }},
		{"page sized over maxHeld, short first chunk", strconv.Itoa(maxHeld + 1), false, func(n int) bool { return n > minFirstWrite }},
		{"page sized over maxHeld, flushed first chunk", strconv.Itoa(maxHeld + 1), true, func(n int) bool { return n == len(head) }},
		{"unsized page", "", false, func(n int) bool { return n == len(head) }},
		{"short page", "400", false, func(n int) bool { return n == len(page)+len(testSnippet) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &writeRecorder{ResponseRecorder: httptest.NewRecorder()}
			rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
			rw.Header().Set("Content-Type", "text/html")
			if tt.length != "" {
				rw.Header().Set("Content-Length", tt.length)
			}
			rw.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(rw, head)
			if tt.flushAfter {
				rw.Flush()
			}
			_, _ = io.WriteString(rw, rest)
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if len(rec.writes) == 0 || !tt.wantFirst(rec.writes[0]) {
				t.Errorf("writes %v", rec.writes)
			}
			if want := strings.Replace(page, "</body>", testSnippet+"</body>", 1); rec.Body.String() != want {
				t.Errorf("body %q", rec.Body.String())
			}
		})
	}
}

// TestLengthHold checks the exact length of a page the store sized: with
// the snippet when the page has a place for it, the store's own when it
// passes through, none when the body outgrows what may be gathered.
func TestLengthHold(t *testing.T) {
	placed := "<html><body><p>hi</p></body></html>"
	noPlace := "<html><body><b>hi</body></html>" // the <b> is still open at </body>
	big := "<html><body>" + strings.Repeat("<p>item</p>", maxHeldBody/10) + "</body></html>"
	tests := []struct {
		name, page, length string
		want, wantLength   string
	}{
		{"placed", placed, strconv.Itoa(len(placed)), strings.Replace(placed, "</body>", testSnippet+"</body>", 1), strconv.Itoa(len(placed) + len(testSnippet))},
		{"no place", noPlace, strconv.Itoa(len(noPlace)), noPlace, strconv.Itoa(len(noPlace))},
		{"outgrows the hold", big, "100", strings.Replace(big, "</body>", testSnippet+"</body>", 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
			rw.Header().Set("Content-Type", "text/html")
			rw.Header().Set("Content-Length", tt.length)
			rw.WriteHeader(http.StatusOK)
			for p := tt.page; len(p) > 0; {
				n := min(32<<10, len(p))
				_, _ = io.WriteString(rw, p[:n])
				p = p[n:]
			}
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if rec.Body.String() != tt.want {
				t.Errorf("body %.200q..., want %.200q...", rec.Body.String(), tt.want)
			}
			if got := rec.Header().Get("Content-Length"); got != tt.wantLength {
				t.Errorf("Content-Length %q, want %q", got, tt.wantLength)
			}
		})
	}
}

// TestResponseWriterSiteFooter: a rewritten page gets the snippet in
// front of its site footer, or with SetAtBodyEnd in front of </body>.
func TestResponseWriterSiteFooter(t *testing.T) {
	page := "<!doctype html><body><main><p>Cart</p></main>\n<footer><a href=/terms>Terms</a></footer>\n</body></html>"
	for _, atBodyEnd := range []bool{false, true} {
		rec := httptest.NewRecorder()
		rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
		if atBodyEnd {
			rw.SetAtBodyEnd()
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		for _, part := range []string{page[:50], page[50:55], page[55:]} {
			_, _ = io.WriteString(rw, part)
		}
		if err := rw.Close(); err != nil {
			t.Fatal(err)
		}
		before := "<footer>"
		if atBodyEnd {
			before = "</body>"
		}
		if want := strings.Replace(page, before, testSnippet+before, 1); rec.Body.String() != want {
			t.Errorf("SetAtBodyEnd %v: got %q, want %q", atBodyEnd, rec.Body.String(), want)
		}
	}
}

func TestEligible(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header http.Header
		want   bool
	}{
		{"GET", http.MethodGet, nil, true},
		{"GET with cookies", http.MethodGet, http.Header{"Cookie": {"cart=1"}}, true},
		{"HEAD", http.MethodHead, nil, true},
		{"POST", http.MethodPost, nil, false},
		{"OPTIONS", http.MethodOptions, nil, false},
		{"WebSocket upgrade", http.MethodGet, http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Key": {"x"}}, false},
		{"Upgrade header alone", http.MethodGet, http.Header{"Upgrade": {"h2c"}}, false},
		{"Connection lists upgrade", http.MethodGet, http.Header{"Connection": {"keep-alive, Upgrade"}}, false},
		{"WebSocket key alone", http.MethodGet, http.Header{"Sec-Websocket-Key": {"x"}}, false},
		{"Connection keep-alive", http.MethodGet, http.Header{"Connection": {"keep-alive"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/cart", nil)
			for k, v := range tc.header {
				r.Header[k] = v
			}
			if got := Eligible(r); got != tc.want {
				t.Errorf("Eligible = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrepareRequest(t *testing.T) {
	in := http.Header{
		"Accept-Encoding":     {"gzip, br, zstd"},
		"Range":               {"bytes=0-99"},
		"If-Range":            {`"v1"`},
		"If-None-Match":       {`"v1"`},
		"If-Modified-Since":   {"Mon, 02 Jan 2006 15:04:05 GMT"},
		"If-Match":            {`"v1"`},
		"If-Unmodified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"},
		"Cookie":              {"cart=1"},
	}
	tests := []struct {
		name   string
		method string
		want   http.Header
	}{
		{"GET", http.MethodGet, http.Header{
			"Accept-Encoding":     {"identity"},
			"If-Match":            {`"v1"`},
			"If-Unmodified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"},
			"Cookie":              {"cart=1"},
		}},
		{"HEAD as GET", http.MethodHead, http.Header{
			"Accept-Encoding":     {"identity"},
			"If-Match":            {`"v1"`},
			"If-Unmodified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"},
			"Cookie":              {"cart=1"},
		}},
		{"POST is left alone", http.MethodPost, in},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/cart", nil)
			r.Header = in.Clone()
			PrepareRequest(r)
			if !reflect.DeepEqual(r.Header, tc.want) {
				t.Errorf("header %v\nwant   %v", r.Header, tc.want)
			}
		})
	}
}

func TestPassReason(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		want   string
	}{
		{"html", 200, http.Header{"Content-Type": {"text/html"}}, ""},
		{"html with charset", 200, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, ""},
		{"upper case", 200, http.Header{"Content-Type": {"TEXT/HTML;Charset=ISO-8859-1"}}, ""},
		{"space before parameter", 200, http.Header{"Content-Type": {"text/html ; charset=utf-8"}}, ""},
		{"identity encoding", 200, http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {"identity"}}, ""},
		{"empty encoding", 200, http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {""}}, ""},
		{"304", 304, http.Header{"Content-Type": {"text/html"}}, ReasonStatus},
		{"206", 206, http.Header{"Content-Type": {"text/html"}}, ReasonStatus},
		{"201", 201, http.Header{"Content-Type": {"text/html"}}, ReasonStatus},
		{"500", 500, http.Header{"Content-Type": {"text/html"}}, ReasonStatus},
		{"gzip", 200, http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {"gzip"}}, ReasonContentEncoding},
		{"zstd", 200, http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {"zstd"}}, ReasonContentEncoding},
		{"json", 200, http.Header{"Content-Type": {"application/json"}}, ReasonContentType},
		{"xhtml", 200, http.Header{"Content-Type": {"application/xhtml+xml"}}, ReasonContentType},
		{"html5 is not html", 200, http.Header{"Content-Type": {"text/html5"}}, ReasonContentType},
		{"no content type", 200, http.Header{}, ReasonContentType},
		{"event stream", 200, http.Header{"Content-Type": {"text/event-stream"}}, ReasonEventStream},
		{"event stream with charset", 200, http.Header{"Content-Type": {"Text/Event-Stream; charset=utf-8"}}, ReasonEventStream},
		{"content range", 200, http.Header{"Content-Type": {"text/html"}, "Content-Range": {"bytes 0-9/10"}}, ReasonRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := passReason(tc.status, tc.header); got != tc.want {
				t.Errorf("passReason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRewriteHeader(t *testing.T) {
	h := http.Header{
		"Content-Type":   {"text/html"},
		"Content-Length": {"100"},
		"Etag":           {`"v1"`},
		"Last-Modified":  {"Mon, 02 Jan 2006 15:04:05 GMT"},
		"Accept-Ranges":  {"bytes"},
		"Content-Md5":    {"x"},
		"Digest":         {"sha-256=x"},
		"Content-Digest": {"sha-256=:x:"},
		"Repr-Digest":    {"sha-256=:x:"},
		"Set-Cookie":     {"a=1"},
		"Vary":           {"Accept-Encoding"},
	}
	rewriteHeader(h, Personal{})
	want := http.Header{
		"Content-Type":  {"text/html"},
		"Set-Cookie":    {"a=1"},
		"Vary":          {"Accept-Encoding"},
		"Cache-Control": {"private"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("header %v\nwant   %v", h, want)
	}
}

func TestPrivateCacheControl(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "private"},
		{[]string{""}, "private"},
		{[]string{"public, max-age=60"}, "max-age=60, private"},
		{[]string{"PUBLIC,max-age=60,s-maxage=600"}, "max-age=60, private"},
		{[]string{"max-age=600, proxy-revalidate"}, "max-age=600, private"},
		{[]string{"private"}, "private"},
		{[]string{"Private, max-age=5"}, "private, max-age=5"},
		{[]string{`private="Set-Cookie", max-age=5`}, "private, max-age=5"},
		{[]string{"no-store"}, "no-store"},
		{[]string{"no-cache"}, "no-cache, private"},
		{[]string{"max-age=60", "public"}, "max-age=60, private"},
		{[]string{"private", "private"}, "private"},
		{[]string{" , no-transform ,"}, "no-transform, private"},
	}
	for _, tc := range tests {
		if got := privateCacheControl(tc.in); got != tc.want {
			t.Errorf("privateCacheControl(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// storeHeaders serves a cart page the way a store behind a CDN would: its
// own caching rules for shared caches, validators and a length.
func storeHeaders(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=600, s-maxage=3600")
		h.Set("CDN-Cache-Control", "max-age=600")
		h.Set("Cloudflare-CDN-Cache-Control", "max-age=600")
		h.Set("Surrogate-Control", "max-age=600")
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("Vary", "Accept-Encoding")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		if r.Method != http.MethodHead {
			_, _ = io.WriteString(w, page)
		}
	}
}

// TestHeaderRules checks each header rule of a rewritten page on a real
// server: shared-cache fields and directives go, the page is private
// (private, no-store for an order's page), Vary names Cookie when asked,
// and HEAD gets the header GET gets.
func TestHeaderRules(t *testing.T) {
	// Longer than net/http's buffer: GET goes out chunked, without a
	// length of net/http's own making, as HEAD does.
	page := "<!doctype html><body><h1>Cart</h1>" + strings.Repeat("<p>Mug</p>\n", 1000) + "</body>"
	tests := []struct {
		name      string
		personal  Personal
		wantCache string
		wantVary  string
	}{
		{"cart page", Personal{VaryCookie: true}, "max-age=600, private", "Accept-Encoding, Cookie"},
		{"order page", Personal{NoStore: true}, "private, no-store", "Accept-Encoding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				PrepareRequest(r)
				rw := NewResponseWriter(w, func() []byte { return []byte(testSnippet) })
				rw.SetPersonal(tc.personal)
				if r.Method == http.MethodHead {
					rw.SetHead()
				}
				storeHeaders(page)(rw, r)
				if err := rw.Close(); err != nil {
					t.Error(err)
				}
			}))
			defer srv.Close()
			var headers [2]http.Header
			for k, method := range []string{http.MethodGet, http.MethodHead} {
				req, _ := http.NewRequest(method, srv.URL, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if method == http.MethodGet && !strings.Contains(string(body), testSnippet) {
					t.Fatalf("GET body %q has no snippet", body)
				}
				h := resp.Header
				// GET keeps an exact length (the page is gathered, see
				// lengthHold); HEAD cannot know it and sends none.
				if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(body)); method == http.MethodGet && got != want {
					t.Errorf("GET: Content-Length %q for %s bytes", got, want)
				}
				resp.Header.Del("Content-Length")
				for _, gone := range []string{"CDN-Cache-Control", "Cloudflare-CDN-Cache-Control", "Surrogate-Control", "ETag", "Last-Modified", "Content-Length"} {
					if v := h.Get(gone); v != "" {
						t.Errorf("%s: %s: %q, want none", method, gone, v)
					}
				}
				if got := h.Get("Cache-Control"); got != tc.wantCache {
					t.Errorf("%s: Cache-Control %q, want %q", method, got, tc.wantCache)
				}
				if got := strings.Join(h.Values("Vary"), ", "); got != tc.wantVary {
					t.Errorf("%s: Vary %q, want %q", method, got, tc.wantVary)
				}
				h.Del("Date")
				h.Del("Transfer-Encoding")
				headers[k] = h
			}
			for k := range headers[0] {
				if headers[0].Get(k) != headers[1].Get(k) {
					t.Errorf("%s: GET %q, HEAD %q", k, headers[0].Get(k), headers[1].Get(k))
				}
			}
			for k := range headers[1] {
				if _, ok := headers[0][k]; !ok {
					t.Errorf("HEAD has %s, GET does not", k)
				}
			}
		})
	}
}

// TestUTF16 checks that a UTF-16 page, named by its header or by its byte
// order mark only, passes through byte for byte.
func TestUTF16(t *testing.T) {
	utf16 := "\xff\xfe<\x00b\x00o\x00d\x00y\x00>\x00x\x00<\x00/\x00b\x00o\x00d\x00y\x00>\x00"
	for _, ct := range []string{"text/html; charset=utf-16", "text/html; charset=\"UTF-16LE\"", "text/html"} {
		t.Run(ct, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
			rw.Header().Set("Content-Type", ct)
			rw.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(rw, utf16)
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != utf16 {
				t.Errorf("body %q, want the page unchanged", got)
			}
			if rw.Injected() {
				t.Error("Injected")
			}
			if ct == "text/html" {
				if !rw.NoPlace() {
					t.Error("a page with a UTF-16 byte order mark is not counted as no place")
				}
			} else if rw.Reason() != ReasonCharset {
				t.Errorf("Reason %q, want %q", rw.Reason(), ReasonCharset)
			}
		})
	}
}

// The header hook sees every final header once, rewritten or passed
// through, before the early snippet is asked, and what it takes out never
// reaches the client; also when the next handler wrote nothing.
func TestHeaderHookSeesEveryFinalHeader(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		serve  func(w http.ResponseWriter)
	}{
		{"nothing written", http.StatusOK, func(w http.ResponseWriter) {}},
		{"a rewritten page", http.StatusOK, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, pageHTML)
		}},
		{"a page sniffed at its first write", http.StatusOK, func(w http.ResponseWriter) {
			io.WriteString(w, pageHTML)
		}},
		{"JSON", http.StatusOK, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
		}},
		{"a redirect", http.StatusSeeOther, func(w http.ResponseWriter) {
			w.Header().Set("Location", "/cart")
			w.WriteHeader(http.StatusSeeOther)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rw := NewResponseWriter(rec, func() []byte { return []byte(testSnippet) })
			var calls []int
			rw.SetHeaderHook(func(status int, h http.Header) {
				calls = append(calls, status)
				h.Del("X-For-The-Handler")
			})
			rw.SetEarlySnippet(func() ([]byte, bool) {
				if len(calls) != 1 {
					t.Errorf("the early snippet was asked after %d hook calls, want 1", len(calls))
				}
				return nil, false
			})
			rw.Header().Set("X-For-The-Handler", "secret")
			c.serve(rw)
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 || calls[0] != c.status {
				t.Errorf("hook called with %v, want once with %d", calls, c.status)
			}
			if v := rec.Result().Header.Get("X-For-The-Handler"); v != "" {
				t.Errorf("the client got the header the hook took out: %q", v)
			}
		})
	}
}

// Informational headers go out before the final one is decided; the hook
// sees them too (with their 1xx status), over a real connection.
func TestHeaderHookSeesInformationalHeaders(t *testing.T) {
	var statuses []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := NewResponseWriter(w, func() []byte { return []byte(testSnippet) })
		rw.SetHeaderHook(func(status int, h http.Header) {
			statuses = append(statuses, status)
			h.Del("X-For-The-Handler")
		})
		rw.Header().Set("Link", "</style.css>; rel=preload; as=style")
		rw.Header().Set("X-For-The-Handler", "secret")
		rw.WriteHeader(http.StatusEarlyHints)
		rw.Header().Set("X-For-The-Handler", "secret")
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusOK)
		io.WriteString(rw, pageHTML)
		rw.Close()
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "103 Early Hints") {
		t.Fatalf("no 103 on the wire:\n%s", raw)
	}
	if strings.Contains(string(raw), "X-For-The-Handler") {
		t.Errorf("a header the hook took out went out:\n%s", raw)
	}
	if !reflect.DeepEqual(statuses, []int{http.StatusEarlyHints, http.StatusOK}) {
		t.Errorf("hook called with %v, want [103 200]", statuses)
	}
}
