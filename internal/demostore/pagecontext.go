package demostore

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// pageContextHeader is the optional part of store contract v1 that lets a
// cart or checkout page bring its own cart context: Kairo asks with
// "Kairo-Context: cart" on the page request, and the page answers with
// the context the cart endpoint would give the same request (the
// browser's own cart), as one line of JSON, in a header of the same name.
const pageContextHeader = "Kairo-Context"

// sendPageContext puts the cart's context into the page's header when
// Kairo asked for it. It must be called before the page's header is
// written. These pages are no-store already (pageData renders them so),
// so no shared cache keeps one.
func (s *Store) sendPageContext(w http.ResponseWriter, r *http.Request, cart Cart) {
	if r.Header.Get(pageContextHeader) != "cart" {
		return
	}
	body, err := encodeJSON(cart)
	if err != nil {
		return // the page goes without it; Kairo asks the endpoint instead
	}
	s.counters.pageContexts.Add(1)
	w.Header().Set(pageContextHeader, asciiJSON(strings.TrimSpace(string(body))))
}

// asciiJSON writes the non-ASCII characters of a JSON text as \u escapes:
// a header value is ASCII, and JSON reads the escapes back as the same
// characters.
func asciiJSON(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
