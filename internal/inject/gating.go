package inject

import (
	"net/http"
	"strings"
)

// Reasons a response passes through untouched, as reported by
// ResponseWriter.Reason. They are short, fixed strings, fit for a metric
// label or a log field.
const (
	ReasonStatus          = "status"           // not 200 (304, 206, errors, redirects...)
	ReasonContentType     = "content_type"     // not text/html
	ReasonEventStream     = "event_stream"     // text/event-stream
	ReasonContentEncoding = "content_encoding" // the body is encoded (gzip...) despite the identity request
	ReasonRange           = "range"            // a Content-Range on a 200
	ReasonNoResponse      = "no_response"      // the handler wrote neither a status nor a body
	ReasonNoSnippet       = "no_snippet"       // the snippet was known to be empty when the header was decided
	ReasonCharset         = "charset"          // the Content-Type names a charset that is not ASCII-compatible (UTF-16...)
	ReasonHead            = "head"             // a HEAD request: the header is rewritten as GET's would be, there is no body
)

// Eligible reports whether the response to r may be rewritten: a GET or
// HEAD that is not a protocol upgrade (WebSocket). A HEAD gets the header
// its GET would get (see ResponseWriter.SetHead). Every other method
// passes through, so its responses stay byte-identical.
func Eligible(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	h := r.Header
	return len(h["Upgrade"]) == 0 && len(h["Sec-Websocket-Key"]) == 0 &&
		!headerHasToken(h["Connection"], "upgrade")
}

// PrepareRequest readies an eligible request for a rewritable response,
// before it goes to the next handler (which forwards it to the store):
//
//   - Accept-Encoding: identity, so the HTML comes back uncompressed (an
//     outer encode handler compresses what is sent to the client);
//   - no Range or If-Range: a rewritten page is only ever sent whole;
//   - no If-None-Match or If-Modified-Since: rewritten responses carry no
//     ETag or Last-Modified (the page is personalised), so a validator the
//     client still sends belongs to an older, unpersonalised copy, and a
//     304 would leave nothing to insert into.
//
// The header is changed in place. A request that is not Eligible is left
// alone.
func PrepareRequest(r *http.Request) {
	if !Eligible(r) {
		return
	}
	h := r.Header
	h["Accept-Encoding"] = []string{"identity"}
	delete(h, "Range")
	delete(h, "If-Range")
	delete(h, "If-None-Match")
	delete(h, "If-Modified-Since")
}

// passReason returns why a final response with this status and header must
// pass through, or "" when it may be rewritten.
func passReason(status int, h http.Header) string {
	if status != http.StatusOK {
		return ReasonStatus
	}
	ct := firstValue(h["Content-Type"])
	if isMediaType(ct, "text/event-stream") {
		return ReasonEventStream
	}
	if !isMediaType(ct, "text/html") {
		return ReasonContentType
	}
	if ce := firstValue(h["Content-Encoding"]); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
		return ReasonContentEncoding
	}
	if len(h["Content-Range"]) > 0 {
		return ReasonRange
	}
	if charsetNotASCII(ct) {
		return ReasonCharset
	}
	return ""
}

// Personal says how a rewritten page depends on its customer, for the
// caches on its way.
type Personal struct {
	// NoStore: nothing may keep the page (an order's page, with offers
	// for that order): Cache-Control: private, no-store.
	NoStore bool
	// VaryCookie: the page differs with the customer's cookies (a cart),
	// so a cache that keeps it must tell customers apart: Vary: Cookie.
	VaryCookie bool
}

// rewriteHeader adjusts the header of a response about to be rewritten: the
// length and any digest of the body change; validators would name a body
// that is no longer sent (and would let caches revalidate a personalised
// page); ranges cannot be served; shared caches must not keep the page,
// whatever the store told them: the fields only CDNs and surrogates read
// (RFC 9213's CDN-Cache-Control, which they obey over Cache-Control,
// Surrogate-Control) go, and Cache-Control becomes private.
func rewriteHeader(h http.Header, p Personal) {
	for _, k := range [...]string{
		"Content-Length", "Etag", "Last-Modified", "Accept-Ranges",
		"Content-Md5", "Digest", "Content-Digest", "Repr-Digest",
		"Cdn-Cache-Control", "Surrogate-Control",
	} {
		delete(h, k)
	}
	for k := range h {
		if strings.HasSuffix(k, "-Cdn-Cache-Control") { // Cloudflare-CDN-Cache-Control...
			delete(h, k)
		}
	}
	if p.NoStore {
		h["Cache-Control"] = []string{"private, no-store"}
	} else {
		h["Cache-Control"] = []string{privateCacheControl(h["Cache-Control"])}
	}
	if p.VaryCookie && !headerHasToken(h["Vary"], "cookie") && !headerHasToken(h["Vary"], "*") {
		h["Vary"] = append(h["Vary"], "Cookie")
	}
}

// privateCacheControl returns the Cache-Control value that keeps the
// directives of values but makes the response private: the directives
// for shared caches ("public", "s-maxage", "proxy-revalidate") go, a
// field-limited private="..." becomes plain "private", and "private" is
// added unless present (or "no-store" already forbids storing).
func privateCacheControl(values []string) string {
	if len(values) == 0 {
		return "private"
	}
	var b strings.Builder
	private, noStore := false, false
	for _, line := range values {
		for d := range strings.SplitSeq(line, ",") {
			d = strings.TrimSpace(d)
			name, _, _ := strings.Cut(d, "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "", "public", "s-maxage", "proxy-revalidate":
				continue
			case "private":
				if private {
					continue
				}
				private, d = true, "private"
			case "no-store":
				noStore = true
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d)
		}
	}
	if !private && !noStore {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("private")
	}
	return b.String()
}

// isMediaType reports whether the Content-Type value ct names the media
// type want (lower case), with or without parameters, in any case.
func isMediaType(ct, want string) bool {
	ct = strings.TrimLeft(ct, " \t")
	if len(ct) < len(want) || !strings.EqualFold(ct[:len(want)], want) {
		return false
	}
	rest := strings.TrimLeft(ct[len(want):], " \t")
	return rest == "" || rest[0] == ';'
}

// headerHasToken reports whether a comma-separated header holds token
// (ASCII case-insensitive).
func headerHasToken(values []string, token string) bool {
	for _, line := range values {
		for v := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(v), token) {
				return true
			}
		}
	}
	return false
}

// firstValue is the first value of a header field, or "".
func firstValue(values []string) string {
	if len(values) > 0 {
		return values[0]
	}
	return ""
}
