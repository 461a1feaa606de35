package demostore

import (
	"embed"
	"net/http"
	"path"
)

//go:embed assets/store.css assets/store.js
var assetFiles embed.FS

// assetTypes are the content types of the files under /assets/.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

// serveAsset answers GET /assets/{file} with the store's CSS and script.
func (s *Store) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	body, err := assetFiles.ReadFile("assets/" + name)
	if err != nil {
		s.serveNotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", assetTypes[path.Ext(name)])
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body)
}
