package inject

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// ResponseWriter wraps the writer of an Eligible request (see
// PrepareRequest). When the final status is known it decides: a 200
// text/html response without Content-Encoding or Content-Range is
// rewritten, everything else (304, 206, HEAD-less errors, JSON, SSE,
// compressed bodies...) passes through byte for byte with its header
// untouched.
//
// A rewritten response loses ETag, Last-Modified, Accept-Ranges and body
// digests, gets Cache-Control: private, and its body streams through an
// Injector that puts the snippet before the site footer or the real
// </body> (or at the end, in Close). Its Content-Length is kept exact
// when the store sized the page at no more than maxHeld bytes (see
// lengthHold), and dropped otherwise.
//
// A body written without WriteHeader is a 200, as with net/http; a
// missing Content-Type is sniffed from the first bytes as net/http would.
// Flushes go through (Flush, FlushError, http.NewResponseController);
// Unwrap exposes the wrapped writer for deadlines and hijacking; ReadFrom
// keeps io.Copy on the rewriting path (and sendfile on pass-through).
//
// Not safe for concurrent use, like any http.ResponseWriter.
type ResponseWriter struct {
	http.ResponseWriter
	snippet func() []byte
	early   func() ([]byte, bool)
	onHead  func(status int, h http.Header)

	inj       Injector
	hold      lengthHold // between inj and first while a sized page is gathered
	first     firstBytes // between inj and the wrapped writer when the length is dropped
	status    int        // explicit status held back until the first bytes can be sniffed
	decided   bool       // the final header has been decided (and sent on)
	rewriting bool
	closed    bool
	reason    string
	personal  Personal
	head      bool  // a HEAD request: header only
	atBodyEnd bool  // the snippet goes before </body> even with a site footer
	writeErr  error // the first error writing to the wrapped writer (the client)
}

// NewResponseWriter wraps w; snippet is handed to the Injector (called at
// most once, at the insertion point; it may block and may return nil).
// Call Close after the next handler returns.
func NewResponseWriter(w http.ResponseWriter, snippet func() []byte) *ResponseWriter {
	return &ResponseWriter{ResponseWriter: w, snippet: snippet}
}

// SetEarlySnippet gives the writer a way to learn the snippet without
// waiting, at the moment it decides on the header. early reports the
// snippet and true when it is known already, or false when it is still
// being worked out (then the writer streams as usual and asks snippet at
// the insertion point).
//
// A snippet known that early changes what the client gets: an empty one
// leaves the response untouched, header and all (Reason is
// ReasonNoSnippet).
// Call it before the first WriteHeader or Write.
func (w *ResponseWriter) SetEarlySnippet(early func() ([]byte, bool)) { w.early = early }

// SetHeaderHook gives the writer a function to call with every header
// before it goes out: each informational one (1xx), and the final one
// once, before the writer decides anything (and before it asks the early
// snippet), whether the response is then rewritten or passed through,
// and also when the next handler wrote nothing at all (net/http then
// sends its implicit 200). The function may read and change the header,
// e.g. take out a header meant for the handler only. Call it before the
// first WriteHeader or Write.
func (w *ResponseWriter) SetHeaderHook(hook func(status int, h http.Header)) { w.onHead = hook }

// headerHook hands the header about to go out with status to the hook
// (SetHeaderHook), if there is one.
func (w *ResponseWriter) headerHook(status int) {
	if w.onHead != nil {
		w.onHead(status, w.Header())
	}
}

// SetAtBodyEnd puts the snippet in front of </body> even on a page with a
// site footer (Injector.AtBodyEnd). Call it before the first WriteHeader
// or Write.
func (w *ResponseWriter) SetAtBodyEnd() { w.atBodyEnd = true }

// SetPersonal says how a rewritten page depends on its customer (see
// Personal). Call it before the first WriteHeader or Write.
func (w *ResponseWriter) SetPersonal(p Personal) { w.personal = p }

// SetHead tells the writer the request is a HEAD: a response that GET
// would see rewritten gets the same header (no length, no validators,
// private), and nothing is inserted (Reason is ReasonHead). Call it before
// the first WriteHeader or Write.
func (w *ResponseWriter) SetHead() { w.head = true }

// WriteHeader decides on the final status: informational statuses go
// straight through; a 200 without Content-Type waits for the first body
// bytes to be sniffed.
func (w *ResponseWriter) WriteHeader(status int) {
	if w.decided || (100 <= status && status <= 199) {
		if !w.decided {
			w.headerHook(status)
		}
		w.ResponseWriter.WriteHeader(status)
		return
	}
	if w.status != 0 { // a second WriteHeader while sniffing: the first one counts
		return
	}
	if status == http.StatusOK && !hasContentType(w.Header()) {
		w.status = status
		return
	}
	w.decide(status, nil)
	w.sendHeader(status)
}

// sendHeader sends the decided header with status, unless a sized page is
// being gathered (then lengthHold sends it with the page's final length).
func (w *ResponseWriter) sendHeader(status int) {
	if w.hold.holding() {
		w.hold.status = status
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write sends p, through the Injector when rewriting.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if len(p) == 0 {
			return 0, nil
		}
		w.decideAtBody(p)
	}
	var n int
	var err error
	if w.rewriting {
		n, err = w.inj.Write(p)
	} else {
		n, err = w.ResponseWriter.Write(p)
	}
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return n, err
}

// decideAtBody decides when the first body bytes arrive: the status is the
// held-back one, or an implicit 200.
func (w *ResponseWriter) decideAtBody(p []byte) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	w.decide(status, p)
	if w.status != 0 || w.hold.holding() {
		w.sendHeader(status)
	}
}

// decide makes the rewrite decision for a final status and, when
// rewriting, adjusts the header. sniff is the first body bytes, used (as
// net/http does) when the header has no Content-Type.
func (w *ResponseWriter) decide(status int, sniff []byte) {
	w.decided = true
	w.headerHook(status)
	h := w.Header()
	if status == http.StatusOK && !hasContentType(h) && len(sniff) > 0 {
		ct := http.DetectContentType(sniff)
		if !isMediaType(ct, "text/html") {
			w.reason = ReasonContentType
			return // net/http sniffs the same bytes and sets the same type
		}
		h["Content-Type"] = []string{ct}
	}
	if w.reason = passReason(status, h); w.reason != "" {
		return
	}
	if w.head {
		rewriteHeader(h, w.personal)
		w.reason = ReasonHead
		return
	}
	snippet := w.snippet
	if w.early != nil {
		if early, known := w.early(); known {
			if len(early) == 0 {
				w.reason = ReasonNoSnippet
				return
			}
			snippet = func() []byte { return early }
		}
	}
	var stored int64 // the store's length, if it gave one (and only one)
	if v := h["Content-Length"]; len(v) == 1 {
		stored, _ = strconv.ParseInt(v[0], 10, 64)
	}
	w.rewriting = true
	rewriteHeader(h, w.personal)
	var dst io.Writer = w.ResponseWriter
	if stored > minFirstWrite {
		w.first = firstBytes{dst: w.ResponseWriter}
		dst = &w.first
	}
	if 0 < stored && stored <= maxHeld {
		buf := heldPool.Get().(*[]byte)
		*buf = (*buf)[:0]
		w.hold = lengthHold{rw: w.ResponseWriter, out: dst, buf: buf}
		dst = &w.hold
	}
	w.inj.reset(dst, snippet)
	if w.atBodyEnd {
		w.inj.AtBodyEnd()
	}
}

// maxHeld is the largest Content-Length of a page that is gathered to keep
// its length exact (most store pages are smaller).
const maxHeld = 256 << 10

// heldPool holds the buffers sized pages are gathered in.
var heldPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// lengthHold gathers the rewritten body of a page the store sized at no
// more than maxHeld bytes, and sends it at Close with its exact
// Content-Length, header and body in as few writes as net/http can make
// of them. Whether the page gets the snippet, and so its length, is known
// only once all of it has been read; a store that sent a length had the
// whole page at hand, so the wait is the transfer from the store. A flush,
// or a body that outgrows maxHeld plus a snippet's room, gives the length
// up: the header goes without it and the body streams on.
type lengthHold struct {
	rw     http.ResponseWriter // the wrapped writer, for the header
	out    io.Writer           // where the body goes: rw, or firstBytes before it
	status int                 // the status to send; 0 until it is decided
	buf    *[]byte             // the body so far; nil once sent or given up
}

// holding reports whether the body is still being gathered.
func (l *lengthHold) holding() bool { return l.buf != nil }

// maxHeldBody is how long a gathered body may grow: the largest page
// gathered and room for a snippet.
const maxHeldBody = maxHeld + 64<<10

// Write gathers p, or passes it on once the length is given up.
func (l *lengthHold) Write(p []byte) (int, error) {
	if l.buf == nil {
		return l.out.Write(p)
	}
	if len(*l.buf)+len(p) <= maxHeldBody {
		*l.buf = append(*l.buf, p...)
		return len(p), nil
	}
	if err := l.giveUp(); err != nil {
		return 0, err
	}
	return l.out.Write(p)
}

// giveUp sends the header without a length and what was gathered.
func (l *lengthHold) giveUp() error {
	if l.buf == nil {
		return nil
	}
	b := l.buf
	l.buf = nil
	defer heldPool.Put(b)
	l.rw.WriteHeader(l.status)
	if len(*b) == 0 {
		return nil
	}
	_, err := l.out.Write(*b)
	return err
}

// finish sends the gathered page with its exact length.
func (l *lengthHold) finish() error {
	if l.buf == nil {
		return nil
	}
	b := l.buf
	l.buf = nil
	defer heldPool.Put(b) // after the write, which is done with it when it returns
	l.rw.Header()["Content-Length"] = []string{strconv.Itoa(len(*b))}
	l.rw.WriteHeader(l.status)
	_, err := l.rw.Write(*b)
	return err
}

// minFirstWrite is the default minimum_length of Caddy's encode handler.
const minFirstWrite = 512

// firstBytes gathers the first bytes of a rewritten body whose
// Content-Length had to go, until more than minFirstWrite of them can go
// out in one write, a flush asks for them, or the body ends. Caddy's
// encode handler decides on compression at the first write of a body
// without a length, and compresses only when that write is longer than
// its minimum_length: without this, a store page that would have been
// compressed goes out uncompressed whenever the store's first chunk is
// short. A page the store sent with a short length, or none, is left to
// stream as it came.
type firstBytes struct {
	dst  io.Writer
	buf  []byte // the first bytes so far; allocated only for a short first write
	sent bool   // the first write is behind us: bytes go straight to dst
}

// Write passes p on once the first write is settled; until then it
// gathers.
func (f *firstBytes) Write(p []byte) (int, error) {
	if f.sent {
		return f.dst.Write(p)
	}
	if len(f.buf) == 0 && len(p) > minFirstWrite {
		f.sent = true
		return f.dst.Write(p)
	}
	if f.buf == nil {
		f.buf = make([]byte, 0, 2*minFirstWrite)
	}
	f.buf = append(f.buf, p...)
	if len(f.buf) > minFirstWrite {
		return len(p), f.flush()
	}
	return len(p), nil
}

// flush sends what was gathered (if anything) and settles the first write.
func (f *firstBytes) flush() error {
	if f.sent || f.dst == nil {
		return nil
	}
	f.sent = true
	if len(f.buf) == 0 {
		return nil
	}
	_, err := f.dst.Write(f.buf)
	f.buf = nil
	return err
}

// copyBufPool holds the buffers ReadFrom copies through.
var copyBufPool = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// ReadFrom copies r to the response. Rewritten bodies go through the
// Injector with a pooled buffer; pass-through bodies use the wrapped
// writer's ReadFrom when it has one (sendfile).
func (w *ResponseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.decided && hasContentType(w.Header()) {
		w.decideAtBody(nil) // no sniffing needed: decide before reading
	}
	if w.decided && !w.rewriting {
		if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
			return rf.ReadFrom(r)
		}
	}
	buf := copyBufPool.Get().(*[32 << 10]byte)
	defer copyBufPool.Put(buf)
	var total int64
	for {
		n, rerr := r.Read(buf[:])
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
			if !w.rewriting && w.decided {
				// The first bytes settled a pass-through: the rest
				// may take the wrapped writer's fast path.
				if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
					m, err := rf.ReadFrom(r)
					return total + m, err
				}
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// FlushError sends buffered bytes to the client. Before anything was
// written it settles the header first, as net/http's Flush does (a 200).
// Bytes the Injector holds back (at most six, a possible "</body") stay
// until the next write decides them; the first bytes of a body that lost
// its length (see firstBytes) go out.
func (w *ResponseWriter) FlushError() error {
	if !w.decided {
		w.decideAtBody(nil)
	}
	if err := w.hold.giveUp(); err != nil {
		return err
	}
	if err := w.first.flush(); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush implements http.Flusher for handlers that type-assert it.
func (w *ResponseWriter) Flush() { _ = w.FlushError() }

// Unwrap returns the wrapped writer, for http.NewResponseController.
func (w *ResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Close finishes the response after the next handler returned: a held-back
// status goes out, and a rewritten body gets the snippet at its end if it
// had no </body>. The results stay readable after Close.
func (w *ResponseWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if !w.decided {
		if w.status == 0 {
			if w.head {
				// net/http sends its implicit 200 with this header, which
				// must be the one GET would get.
				w.decide(http.StatusOK, nil)
				return nil
			}
			w.reason = ReasonNoResponse
			w.headerHook(http.StatusOK)
			return nil // net/http sends its implicit 200 as usual
		}
		w.decideAtBody(nil)
	}
	if !w.rewriting {
		return nil
	}
	err := w.inj.Close()
	if err == nil {
		err = w.hold.finish()
	}
	if err == nil {
		err = w.first.flush()
	}
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return err
}

// NoPlace reports, after Close, whether a rewritten page had no place
// where a browser would show the snippet in its body, and went through
// unchanged (its header rewritten all the same, as it was decided first).
func (w *ResponseWriter) NoPlace() bool { return w.rewriting && w.inj.NoPlace() }

// WriteErr returns the first error met writing to the wrapped writer: the
// client went away (or its connection broke) while the page was sent.
func (w *ResponseWriter) WriteErr() error { return w.writeErr }

// Rewritten reports whether the response was (or is being) rewritten.
func (w *ResponseWriter) Rewritten() bool { return w.rewriting }

// Injected reports whether a non-empty snippet was written.
func (w *ResponseWriter) Injected() bool { return w.rewriting && w.inj.Injected() }

// Reason says why the response passed through (one of the ReasonXxx
// constants), or "" when it was rewritten or is not decided yet.
func (w *ResponseWriter) Reason() string { return w.reason }

// hasContentType reports whether the header names a Content-Type (net/http
// sniffs only when the field is absent altogether).
func hasContentType(h http.Header) bool {
	_, ok := h["Content-Type"]
	return ok
}

// Interface guards.
var (
	_ http.ResponseWriter = (*ResponseWriter)(nil)
	_ http.Flusher        = (*ResponseWriter)(nil)
	_ io.ReaderFrom       = (*ResponseWriter)(nil)
	_ io.WriteCloser      = (*Injector)(nil)
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
		!HeaderHasToken(h["Connection"], "upgrade")
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
	} {
		delete(h, k)
	}
	KeepFromSharedCaches(h)
	if p.NoStore {
		h["Cache-Control"] = []string{"private, no-store"}
	}
	if p.VaryCookie && !HeaderHasToken(h["Vary"], "cookie") && !HeaderHasToken(h["Vary"], "*") {
		h["Vary"] = append(h["Vary"], "Cookie")
	}
}

// KeepFromSharedCaches makes a response one that no shared cache keeps,
// whatever the store told them, and leaves the rest of its caching alone:
// the fields only CDNs and surrogates read (RFC 9213's CDN-Cache-Control,
// which they obey over Cache-Control, Surrogate-Control) go, and
// Cache-Control becomes private (privateCacheControl). For a response
// that sets something of one customer's, such as a cookie.
func KeepFromSharedCaches(h http.Header) {
	delete(h, "Cdn-Cache-Control")
	delete(h, "Surrogate-Control")
	for k := range h {
		if strings.HasSuffix(k, "-Cdn-Cache-Control") { // Cloudflare-CDN-Cache-Control...
			delete(h, k)
		}
	}
	h["Cache-Control"] = []string{privateCacheControl(h["Cache-Control"])}
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

// HeaderHasToken reports whether a comma-separated header holds token
// (ASCII case-insensitive), as a whole: "private" is not in
// `private="Set-Cookie"`.
func HeaderHasToken(values []string, token string) bool {
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
