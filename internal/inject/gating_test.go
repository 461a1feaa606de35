package inject

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

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
