// Package inject puts an HTML snippet (Kairo's offer widget) into store
// pages as they stream through Caddy: just before the page's site footer
// (a <footer> that is a child of <body>), else just before the page's
// real </body>, in one pass, without holding the page. It also decides which responses
// may be rewritten and fixes their headers. Besides the standard library
// it imports only golang.org/x/sys/cpu (to choose the vector code on
// amd64); the Caddy module (package caddymodule) drives it.
//
// # The insertion point
//
// An Injector writes everything it is given to its destination and puts
// the snippet in front of the first "</body" end tag that the HTML
// tokenizer (https://html.spec.whatwg.org/multipage/parsing.html) would
// see as one:
//
//   - in any letter case, with or without whitespace or attributes after
//     the name: "</body>", "</BODY >", "</Body foo>", "</body/>";
//   - not inside a comment ("<!-- </body> -->", ended by "-->" or "--!>"),
//     a DOCTYPE or other "<!...>" / "<?...>" construct;
//   - not inside a raw-text element: script (including the escaped
//     "<!-- <script>" states), style, textarea, title, noscript, xmp,
//     iframe, noembed, noframes, or after plaintext;
//   - not inside a tag: a quoted attribute value, an unquoted one, or an
//     attribute name ("<a title='</body>'>" is no end of anything).
//
// That is where the tokenizer ends the body; whether a browser shows the
// snippet there is the tree builder's business, which the tree model
// (placement.go) follows: the snippet goes in front of that </body> only
// when a browser honours it (no table, template, select, SVG or MathML
// open) and nothing is open that the snippet would be nested into or
// would close (a, p, button, a form, b, i and the other formatting
// elements), and the page has content. Otherwise the scan goes on, and
// at Close the snippet goes at the end if the state there allows it (in
// text, nothing raw-text, comment or unfinished tag, the same elements
// closed). A document with no such place passes through byte for byte
// (NoPlace). So does one whose first bytes say it is not in an
// ASCII-compatible encoding (a UTF-16 byte order mark, a <meta> naming
// ISO-2022; charset.go). The snippet function is called at most once,
// when its place is reached, so it may wait for the offers (with a
// deadline) while the page so far has already gone out; it may return nil
// to insert nothing.
//
// # The site footer
//
// By default the snippet goes in front of the page's site footer instead:
// a <footer> start tag that is a child of <body>, with a place in front
// of it as above, so that the widget shows above the store's links and
// notices rather than below them (AtBodyEnd turns this off, for a widget
// that moves itself). Whether a footer is a child of <body> shows only in
// what follows it, so from such a footer's '<' the page is held back (at
// most footerHoldCap bytes, from a pool) and read exactly, until an end
// tag shows the footer was inside another element (the held bytes go out
// and the scan goes on) or the document ends (the snippet goes in front
// of the footer). The footer and what follows it - usually a few KB that
// arrive together - then reach the client at the end of the page; a page
// whose tail after the footer is longer keeps the </body> rule.
// placement.go states the rule and its limits.
//
// SVG and MathML are read tag by tag (their <style> and <title> are not
// raw text there); an unfinished "</body" cut off by the end of the
// document counts at its delimiter (the snippet goes in front of it,
// never inside it).
//
// # Streaming and memory
//
// Writes may split the document at any byte, inside a tag name, a quoted
// value, "<!--" or "</script". The scanner's whole state is a few bytes
// (the tokenizer state and a tag name prefix), and the only bytes held
// back between writes are a possible "</body" (or "<footer") prefix, at
// most seven, because the snippet must go in front of them, and the tail
// of a page from a possible site footer on (bounded, above). Memory per
// response does not grow with the page (a ResponseWriter gathers a sized
// page of at most 256 KiB to keep its length exact; larger ones stream).
// Injectors come from a pool (New takes one, Release gives
// it back once its results are read): New, Write and Close do not allocate
// in steady state.
//
// # Which responses are rewritten
//
// Eligible: GET requests that are not protocol upgrades. PrepareRequest
// then asks the store for identity encoding and removes Range, If-Range,
// If-None-Match and If-Modified-Since: a rewritten page is personalised and
// carries no validators, so conditional and partial requests would only
// get in the way.
//
// NewResponseWriter wraps the writer handed to the next handler. When the
// final status is known (WriteHeader, or the first body bytes, sniffed as
// net/http would when there is no Content-Type) it rewrites a 200
// text/html response in an ASCII-compatible charset with no
// Content-Encoding (or identity) and no Content-Range. A rewritten
// response loses ETag, Last-Modified, Accept-Ranges, body digests and the
// fields only shared caches read (CDN-Cache-Control, Surrogate-Control),
// and gets Cache-Control: private (the shared-cache directives dropped;
// "private, no-store" for pages nothing may keep) and, when asked, Vary:
// Cookie (SetPersonal). Its Content-Length stays exact when the store sent
// one of at most 256 KiB: such a page is gathered (its bytes already
// scanned as they come), and goes out with its final length once its end
// shows whether it got the snippet; a larger or unsized page loses its
// length and streams. A HEAD gets the header its GET would get, without a
// length (SetHead). Anything else - 304, 206, redirects and errors,
// JSON, text/event-stream, compressed bodies, UTF-16 - passes through with
// the same bytes and headers; Reason says why, as a short label for a
// metric.
//
// The wrapper keeps the response streaming: Flush, FlushError and
// http.NewResponseController flushes reach the client (less any held-back
// "</body" prefix, and a tail held from a possible site footer on); Unwrap gives http.NewResponseController the
// connection for deadlines and hijacking; ReadFrom keeps io.Copy on the
// rewriting path and hands pass-through bodies to the wrapped writer's
// ReadFrom (sendfile).
//
// Use from a handler, before and after the next one:
//
//	if inject.Eligible(r) {
//		inject.PrepareRequest(r)
//		rw := inject.NewResponseWriter(w, snippet)
//		err := next.ServeHTTP(rw, r)
//		closeErr := rw.Close() // the end-of-document insert happens here
//		// rw.Rewritten(), rw.Injected(), rw.Reason() for logs and metrics
//	}
//
// Behind Caddy's encode handler, the compressor decides on the size of the
// first write when Content-Length is gone (it compresses when that write
// is over its minimum_length, 512 bytes by default). So when a page the
// store sized at over 512 bytes loses its length, its first bytes are
// gathered until more than 512 can go out at once (or a flush asks for
// them): a short first chunk from the store does not cost the page its
// compression. Pages the store sent unsized or short stream as they came.
//
// # How the scanner is built
//
// A page's bytes go through the files in this order: injector.go (Write
// and Close, the held-back bytes), step.go (the scanner's state, its
// driver scan, and step, the reference tokenizer), fastpath.go (the exact
// hops: text, attributes, comments, raw text, and the byte classes and
// word tricks they share), blockwalk.go (the vector block walk, its
// quoted-tag check and the marks it reads; quoteruns.go, the quotes of a
// whole block paired at once; the kernels are marks_amd64.s,
// chosen in marks_amd64.go, and marks_other.go elsewhere), placement.go
// (the tree model, the site footer rule and the footer hold). Around
// them: responsewriter.go (the http.ResponseWriter and which responses it
// rewrites) and charset.go (which documents it leaves alone).
//
// step (step.go) transcribes the standard's tokenizer states one byte at a
// time; it is the reference. The fast paths (fastpath.go) jump between the
// few bytes that can change the state, when enough bytes are at hand to
// decide, and leave the last few bytes of a write to step, so both share
// one state.
//
// In text the main fast path is the block walk (blockwalk.go). The bytes
// are first marked 64 at a time, one bit per byte, by vector code
// (marks_amd64.s: AVX-512BW where the machine has it, else AVX2): '<',
// '>', quotes, '=', whitespace, control bytes and '/', and the '<' whose
// next bytes may start a comment, a raw-text element or "</body" (two nibble lookups per
// byte with VPSHUFB). Then a block's tags are found all at once: in text
// only '<' matters, and a tag without quotes ends at its first '>', so
// adding the '<' bits to the mask of the other bytes carries each '<' to
// its tag's end. Only the flagged tags and the tags with quotes are looked
// at: comments and raw-text elements are passed on the marks, and a tag's
// quoted values are paired by prefix parity of its quote bits and checked
// against the attribute grammar (blockwalk.go). Where a tag with quotes
// runs on past its block, as long tags do (an <img> with a srcset), the
// quotes of the whole block are paired and checked at once instead, and
// the pairing goes on into the next block (quoteruns.go). The rest - "</body",
// DOCTYPEs, scripts with "<!--", tags of other shapes - goes to the exact
// path: from '<' to '<', eight bytes at a time; through attribute names
// to '=', '/' or '>'; from quote to quote in values; from '-' to '-' in
// comments; to the element's own end tag in raw text. That exact path is
// also the whole text walk on machines without vector marking, where
// marking bytes one at a time would cost more than it saves.
//
// The tags the tree model follows are flagged by the same marks (two
// letters after the '<', or '/' and an initial), so the walk reads them
// and passes the others as before; inside SVG and MathML step reads
// every byte.
//
// The tests hold the fast paths to the reference on every test document,
// at every split point, at every offset of a 64-byte block, on thousands
// of generated documents of adversarial tags, with the block walk and
// without it, and under fuzzing; the vector marking is held to the
// byte-at-a-time definition (markBlocksBytes) the same ways. In
// development the insertion point was also compared with
// golang.org/x/net/html's tokenizer over two million generated documents:
// they agree everywhere except where that tokenizer leaves escaped script
// data on "<" plus a non-letter, which the standard does not.
//
// # Performance
//
// Figures, measured as ratios in one run, are in the README and the
// benchmarks' own documentation:
//
//	go test -run '^$' -bench '^Benchmark(Inject|Reference|ResponseWriter|Shapes|MarkBlocks|InjectPortable)$' -benchmem ./internal/inject
//
// Memory per page does not depend on its size: the marks of 2 KB of
// input at a time come from a pool for the length of a document, and
// TestNoAllocations checks zero allocations for a whole page. Following
// the tree costs a look at every tag it follows (a, b, p, form, button,
// table...), which on a page made of such tags is most of them.
package inject
