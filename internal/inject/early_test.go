package inject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestEarlySnippet runs a real server and client: a snippet known when the
// header is decided is used at once, an empty one leaves the response
// untouched, and one still pending is waited for at </body>; the sized
// page keeps an exact length either way (it is gathered, see lengthHold).
func TestEarlySnippet(t *testing.T) {
	// Larger than net/http's buffer, so that without a Content-Length the
	// response goes out chunked.
	page := "<html><body>" + strings.Repeat("<p>hi</p>", 2000) + "<!-- </body> --></body></html>"
	const snippet = "<div id=offer>x</div>"
	tests := []struct {
		name          string
		early         func() ([]byte, bool)
		wantBody      string
		wantLength    string // "" for none (chunked)
		wantCache     string
		wantEtag      string
		wantRewritten bool
	}{
		{"known snippet", func() ([]byte, bool) { return []byte(snippet), true },
			strings.Replace(page, "--></body>", "-->"+snippet+"</body>", 1), strconv.Itoa(len(page) + len(snippet)), "max-age=60, private", "", true},
		{"known empty", func() ([]byte, bool) { return nil, true },
			page, strconv.Itoa(len(page)), "max-age=60", `"v1"`, false},
		{"not known yet", func() ([]byte, bool) { return nil, false },
			strings.Replace(page, "--></body>", "-->"+snippet+"</body>", 1), strconv.Itoa(len(page) + len(snippet)), "max-age=60, private", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rw *ResponseWriter
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rw = NewResponseWriter(w, func() []byte { return []byte(snippet) })
				rw.SetEarlySnippet(tt.early)
				h := rw.Header()
				h.Set("Content-Type", "text/html; charset=utf-8")
				h.Set("Content-Length", strconv.Itoa(len(page)))
				h.Set("Cache-Control", "max-age=60")
				h.Set("ETag", `"v1"`)
				rw.WriteHeader(http.StatusOK)
				io.WriteString(rw, page[:5000])
				io.WriteString(rw, page[5000:])
				if err := rw.Close(); err != nil {
					t.Error(err)
				}
			}))
			defer srv.Close()
			resp, body := get(t, srv.URL)
			if body != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			if got := resp.Header.Get("Content-Length"); got != tt.wantLength {
				t.Errorf("Content-Length %q, want %q", got, tt.wantLength)
			}
			chunked := len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
			if chunked != (tt.wantLength == "") {
				t.Errorf("chunked = %v with Content-Length %q", chunked, tt.wantLength)
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tt.wantCache)
			}
			if got := resp.Header.Get("ETag"); got != tt.wantEtag {
				t.Errorf("ETag %q, want %q", got, tt.wantEtag)
			}
			if rw.Rewritten() != tt.wantRewritten {
				t.Errorf("Rewritten = %v, want %v", rw.Rewritten(), tt.wantRewritten)
			}
			if !tt.wantRewritten && rw.Reason() != ReasonNoSnippet {
				t.Errorf("Reason %q, want %q", rw.Reason(), ReasonNoSnippet)
			}
		})
	}
}

// TestEarlySnippetMalformedLength leaves a response whose Content-Length
// cannot be trusted to chunked encoding.
func TestEarlySnippetMalformedLength(t *testing.T) {
	rec := httptest.NewRecorder()
	rw := NewResponseWriter(rec, nil)
	rw.SetEarlySnippet(func() ([]byte, bool) { return []byte("<b>x</b>"), true })
	rw.Header().Set("Content-Type", "text/html")
	rw.Header()["Content-Length"] = []string{"10", "12"}
	rw.WriteHeader(http.StatusOK)
	io.WriteString(rw, "<body>x</body>")
	rw.Close()
	if got := rec.Header()["Content-Length"]; got != nil {
		t.Errorf("Content-Length %q kept from a header with two values", got)
	}
	if got := rec.Body.String(); got != "<body>x<b>x</b></body>" {
		t.Errorf("body %q", got)
	}
}
