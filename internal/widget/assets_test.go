package widget

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestAssetHandler(t *testing.T) {
	jsFile, err := os.ReadFile("assets/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	jsFile = withSharedScript(jsFile) // as served: with shared.js in it
	cssFile, err := os.ReadFile("assets/widget.css")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		method      string
		target      string
		ifNoneMatch string
		wantStatus  int
		wantType    string
		wantBody    []byte
		wantCache   string
	}{
		{name: "script by base name", target: "/widget.js", wantStatus: 200,
			wantType: "text/javascript; charset=utf-8", wantBody: jsFile, wantCache: cacheUnversioned},
		{name: "stylesheet under the prefix", target: "/_upsell/widget.css", wantStatus: 200,
			wantType: "text/css; charset=utf-8", wantBody: cssFile, wantCache: cacheUnversioned},
		{name: "current version is cached for good", target: "/_upsell/widget.js?v=" + script.version, wantStatus: 200,
			wantType: "text/javascript; charset=utf-8", wantBody: jsFile, wantCache: cacheVersioned},
		{name: "stale version is revalidated", target: "/_upsell/widget.css?v=000000000000", wantStatus: 200,
			wantType: "text/css; charset=utf-8", wantBody: cssFile, wantCache: cacheUnversioned},
		{name: "matching ETag", target: "/_upsell/widget.js", ifNoneMatch: script.etag, wantStatus: 304,
			wantCache: cacheUnversioned},
		{name: "ETag of the other asset", target: "/_upsell/widget.js", ifNoneMatch: style.etag, wantStatus: 200,
			wantType: "text/javascript; charset=utf-8", wantBody: jsFile, wantCache: cacheUnversioned},
		{name: "HEAD", method: http.MethodHead, target: "/widget.css", wantStatus: 200,
			wantType: "text/css; charset=utf-8", wantBody: []byte{}, wantCache: cacheUnversioned},
		{name: "other name", target: "/_upsell/widget.mjs", wantStatus: 404},
		{name: "directory", target: "/_upsell/", wantStatus: 404},
		{name: "asset name as a directory", target: "/widget.js/", wantStatus: 404},
		{name: "POST", method: http.MethodPost, target: "/widget.js", wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tt.target, nil)
			if tt.ifNoneMatch != "" {
				req.Header.Set("If-None-Match", tt.ifNoneMatch)
			}
			rec := httptest.NewRecorder()
			AssetHandler().ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			h := rec.Header()
			if tt.wantStatus >= 400 {
				if h.Get("ETag") != "" || h.Get("Cache-Control") != "" {
					t.Errorf("error answer carries asset caching headers: %v", h)
				}
				return
			}
			if got := h.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tt.wantCache)
			}
			if h.Get("ETag") == "" {
				t.Errorf("no ETag")
			}
			if tt.wantStatus == 304 {
				return
			}
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no X-Content-Type-Options: nosniff")
			}
			if !bytes.Equal(rec.Body.Bytes(), tt.wantBody) {
				t.Errorf("body is %d bytes, want the %d-byte asset", rec.Body.Len(), len(tt.wantBody))
			}
		})
	}
}

// TestRenderedAssetURLsAreCurrent follows the asset URLs a rendered fragment
// carries: both must be served and cacheable for good.
func TestRenderedAssetURLsAreCurrent(t *testing.T) {
	nodes := parseFragment(t, Render(nil, sampleFragment(PlacementCart)))
	for _, url := range []string{attr(byTag(nodes, "link")[0], "href"), attr(byTag(nodes, "script")[0], "src")} {
		rec := httptest.NewRecorder()
		AssetHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != cacheVersioned {
			t.Errorf("GET %s: status %d, Cache-Control %q; want 200 and %q", url, rec.Code, rec.Header().Get("Cache-Control"), cacheVersioned)
		}
	}
}

func TestAssetETagsAreDistinct(t *testing.T) {
	if script.etag == style.etag || script.version == style.version {
		t.Errorf("script and stylesheet share an ETag or version")
	}
}

// TestScriptsCarryTheSharedHelpers: each served script has shared.js in
// its own function scope, where its marker was, and nothing of the marker
// is left; shared.js itself is not served.
func TestScriptsCarryTheSharedHelpers(t *testing.T) {
	for _, name := range []string{ScriptName, PrePurchaseScriptName} {
		rec := httptest.NewRecorder()
		AssetHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_upsell/"+name, nil))
		body := rec.Body.String()
		if strings.Contains(body, "kairo:shared.js */") {
			t.Errorf("%s still has the marker", name)
		}
		iife, shared := strings.Index(body, "(function () {"), strings.Index(body, "\tfunction postJSON(")
		if iife < 0 || shared < iife || strings.Count(body, "function postJSON(") != 1 {
			t.Errorf("%s does not carry shared.js once inside its function", name)
		}
	}
	rec := httptest.NewRecorder()
	AssetHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_upsell/shared.js", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("shared.js is served on its own: %d", rec.Code)
	}
}
