package caddymodule

import (
	"net/url"
	"strings"
)

// noticeParam is the query parameter that carries the result of a plain
// form post back to the page (see respond).
const noticeParam = "kairo"

// safeReturnPath accepts only a local path (no scheme, no host, no "//"),
// so the redirect after a form post cannot leave the store.
func safeReturnPath(s string) string {
	if s == "" || s[0] != '/' || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.RequestURI()
}
