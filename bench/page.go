package main

import "github.com/kairoedge/kairo/internal/storefront"

// pageSize names one storefront page the upstream serves and its target
// length in bytes.
type pageSize struct {
	Name  string // path segment: 16k, 100k, 10m
	Label string // as a person writes it: 16 KB
	Bytes int
}

var (
	size16K  = pageSize{Name: "16k", Label: "16 KB", Bytes: 16 << 10}
	size100K = pageSize{Name: "100k", Label: "100 KB", Bytes: 100 << 10}
	size10M  = pageSize{Name: "10m", Label: "10 MB", Bytes: 10 << 20}
)

// allSizes lists every page the upstream serves.
var allSizes = []pageSize{size16K, size100K, size10M}

// renderPage builds the storefront page (internal/storefront) of about
// size.Bytes bytes.
func renderPage(size pageSize) []byte { return storefront.Page(size.Bytes) }

// realBodyEnd is the offset of the page's one real "</body>".
func realBodyEnd(page []byte) int { return storefront.BodyEnd(page) }

// widgetPlace is where Kairo puts the widget on these pages: in front of
// the site footer.
func widgetPlace(page []byte) int { return storefront.WidgetPlace(page) }
