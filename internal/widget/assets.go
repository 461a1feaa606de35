package widget

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

var (
	//go:embed assets/widget.js
	scriptBody []byte
	//go:embed assets/widget.css
	styleBody []byte
	//go:embed assets/offerpage.js
	pageScriptBody []byte
	//go:embed assets/offerpage.css
	pageStyleBody []byte
	//go:embed assets/shared.js
	sharedScriptBody []byte
)

// asset is one embedded file with the headers it is served with.
type asset struct {
	body        []byte
	contentType string
	etag        string
	// version is a short content hash that Render puts in the asset URL
	// (?v=…), so a versioned URL can be cached for good.
	version string
}

var (
	script = newAsset(withSharedScript(scriptBody), "text/javascript; charset=utf-8")
	style  = newAsset(styleBody, "text/css; charset=utf-8")

	pageScript = newAsset(pageScriptBody, "text/javascript; charset=utf-8")
	pageStyle  = newAsset(pageStyleBody, "text/css; charset=utf-8")
)

// sharedScriptMarker is the line of widget.js and prepurchase.js where
// shared.js goes.
const sharedScriptMarker = "\t/* kairo:shared.js */\n"

// withSharedScript puts shared.js (the helpers both scripts use) into a
// script at its marker line, indented as the script's own code: one copy
// in the source, one inside each served script's function scope, so
// neither script leaks a global and each stays one file for the browser
// (no module loader, no inline script). A script without its marker is a
// mistake in this package and stops it at start.
func withSharedScript(body []byte) []byte {
	marker := []byte(sharedScriptMarker)
	if bytes.Count(body, marker) != 1 {
		panic("widget: a script lacks its one shared.js marker line")
	}
	var shared bytes.Buffer
	for line := range bytes.Lines(sharedScriptBody) {
		if len(bytes.TrimSpace(line)) > 0 {
			shared.WriteByte('\t')
		}
		shared.Write(line)
	}
	return bytes.Replace(body, marker, shared.Bytes(), 1)
}

// newAsset hashes body once for its ETag and version.
func newAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	version := hex.EncodeToString(sum[:6])
	return asset{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, version: version}
}

// Cache lifetimes: a URL carrying the current version never changes, any
// other is revalidated (cheaply, by ETag) so a new release shows at once.
const (
	cacheVersioned   = "public, max-age=31536000, immutable"
	cacheUnversioned = "public, no-cache"
)

// assetHandler serves the embedded assets; it holds no state.
type assetHandler struct{}

// AssetHandler serves widget.js, widget.css, offerpage.js,
// offerpage.css, prepurchase.js and prepurchase.css, chosen by the last
// segment of
// the request path (so the caller may strip its prefix or not), with their
// Content-Type, an ETag (If-None-Match answers 304) and Cache-Control. Any
// other name is 404; a method other than GET or HEAD is 405.
func AssetHandler() http.Handler { return assetHandler{} }

// ServeHTTP implements http.Handler.
func (assetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *asset
	p := r.URL.Path
	switch p[strings.LastIndexByte(p, '/')+1:] {
	case ScriptName:
		a = &script
	case StyleName:
		a = &style
	case PageScriptName:
		a = &pageScript
	case PageStyleName:
		a = &pageStyle
	case PrePurchaseScriptName:
		a = &prePurchaseScript
	case PrePurchaseStyleName:
		a = &prePurchaseStyle
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", a.etag)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", cacheVersioned)
	} else {
		h.Set("Cache-Control", cacheUnversioned)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
