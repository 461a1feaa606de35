package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

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
