package demostore

import (
	"net/http"
	"strings"
)

// productImages are the products' pictures, drawn as small SVGs so the
// demo needs no image files. Keyed by product id.
var productImages = map[string]string{
	"coffee-beans": svgImage("#f3e5d0", `
  <path d="M62 58 L138 58 L150 170 L50 170 Z" fill="#7b4a2a"/>
  <path d="M62 58 L138 58 L134 44 L66 44 Z" fill="#5e3820"/>
  <rect x="72" y="92" width="56" height="46" rx="6" fill="#fbf6ee"/>
  <ellipse cx="100" cy="115" rx="12" ry="17" fill="#6b3f22" transform="rotate(25 100 115)"/>
  <path d="M95 102 Q104 115 97 128" stroke="#fbf6ee" stroke-width="3" fill="none"/>`),
	"mug": svgImage("#dbe9f4", `
  <path d="M78 46 q6 -10 0 -20 M98 46 q6 -10 0 -20 M118 46 q6 -10 0 -20" stroke="#8aa6bd" stroke-width="4" fill="none" stroke-linecap="round"/>
  <path d="M138 82 h10 a22 22 0 0 1 0 44 h-10" stroke="#2f4858" stroke-width="9" fill="none"/>
  <rect x="56" y="60" width="86" height="100" rx="12" fill="#ffffff" stroke="#2f4858" stroke-width="5"/>
  <rect x="56" y="60" width="86" height="16" rx="6" fill="#2f4858"/>`),
	"thermos": svgImage("#e1f0e6", `
  <rect x="78" y="26" width="44" height="24" rx="6" fill="#3c5a48"/>
  <rect x="70" y="46" width="60" height="130" rx="16" fill="#9fb3a6"/>
  <rect x="80" y="58" width="10" height="106" rx="5" fill="#d7e4db"/>
  <rect x="70" y="110" width="60" height="14" fill="#3c5a48"/>`),
	"tote-bag": svgImage("#f6ecd9", `
  <path d="M78 80 V62 a22 22 0 0 1 44 0 V80" stroke="#8c6d46" stroke-width="7" fill="none"/>
  <path d="M52 78 H148 L140 172 H60 Z" fill="#e9d9b8" stroke="#8c6d46" stroke-width="4"/>
  <circle cx="100" cy="124" r="20" fill="none" stroke="#8c6d46" stroke-width="4"/>
  <ellipse cx="100" cy="124" rx="6" ry="10" fill="#8c6d46"/>`),
	"socks": svgImage("#f4dde3", `
  <path d="M82 30 H122 V118 L146 140 a20 20 0 0 1 -26 30 L86 140 a12 12 0 0 1 -4 -8 Z" fill="#c44d6b"/>
  <rect x="82" y="30" width="40" height="16" fill="#8e2f48"/>
  <path d="M82 70 H122 M82 90 H122" stroke="#f4dde3" stroke-width="6"/>`),
	"gift-card": svgImage("#e8e2f5", `
  <rect x="34" y="58" width="132" height="86" rx="10" fill="#5b3f96"/>
  <rect x="112" y="58" width="14" height="86" fill="#e3b341"/>
  <rect x="34" y="94" width="132" height="14" fill="#e3b341"/>
  <text x="58" y="136" font-family="Georgia, serif" font-size="26" fill="#ffffff">25</text>`),
}

// svgImage wraps a drawing in a 200×200 SVG with a round backdrop.
func svgImage(backdrop, drawing string) string {
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img">` +
		`<circle cx="100" cy="100" r="96" fill="` + backdrop + `"/>` + drawing + "\n</svg>\n"
}

// serveImage answers GET /images/{product_id}.svg.
func (s *Store) serveImage(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	svg, known := productImages[id]
	if !ok || !known {
		s.serveNotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(svg))
}
