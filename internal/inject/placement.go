package inject

import (
	"sync"
)

// The tree model: what a browser's tree builder
// (https://html.spec.whatwg.org/multipage/parsing.html#tree-construction)
// would have open at a point of the document, kept only as far as it
// decides whether the snippet can go there. The snippet is a self-contained
// piece of markup (a section with headings, paragraphs, forms and buttons,
// a link and a script); it lands as a child of <body>'s open element and
// leaves everything around it alone exactly when, at that point:
//
//   - the parser is in the body (a <body> tag or text came first), not in
//     a table, template, select, object, applet, marquee, SVG or MathML;
//   - no formatting element (a, b, i, em, strong...) is open or waits to
//     be reopened, no p is open (the snippet's own blocks would close it),
//     no button is open, and no form is open (its forms would be dropped);
//   - for a point in front of </body>, which more of the page follows: the
//     page already has content (a <frameset> after it would otherwise
//     replace the body of the page without the snippet, not with it).
//
// The model sees only the tags that can change those facts (the scanner
// hands them over; the vector marks flag them in bulk), so it cannot know
// everything: it over-approximates. An element it cannot see closing (a
// </div> that pops an open <b>, say) stays open for it, so it may pass a
// page through that had a place, never the other way round. Tables,
// templates, selects, objects, applets and marquees are frames: scope
// boundaries, whose insides cannot close what is open outside them, so
// each frame counts its own open elements, and what is left open when a
// frame closes is added to the frame around it. A table cell or caption
// inside a frame fences what the frame has open: nothing after it closes
// those (see frame). SVG and MathML are read
// exactly, tag by tag (the scanner then runs byte by byte): their
// elements nest by name, their <style> and <script> are not raw text, and
// a few HTML tag names break out of them. What the model does not follow
// (HTML inside an SVG <title> or <foreignObject>, CDATA, <frameset>, a
// foreign end tag that matches nothing) spoils the page for placement.
//
// Known limits: a formatting end tag with more than eight special
// elements (div, p, li...) between it and its element would, in a
// browser, leave the element open after the adoption agency gives up; the
// model takes the end tag to close it. The same holds for an <a> or <nobr>
// start tag closing an earlier one across more than eight. A character
// reference that stands for whitespace (&#32;) counts as text, which a
// browser's whitespace does not: a page whose only "content" before a
// frameset, or before its end with no body, is such references. A UTF-8
// byte order mark, which a browser drops, counts as text too.

// Element kinds the model follows. The formatting elements come first.
const (
	kNone uint8 = iota
	kB
	kBig
	kCode
	kEm
	kFont
	kI
	kS
	kSmall
	kStrike
	kStrong
	kTt
	kU
	kNobr
	kA // last of the formatting elements
	kP
	kButton
	kCounted // the kinds below have no counter
	kForm
	kTable
	kTemplate
	kObject
	kApplet
	kMarquee
	kSelect
	kTd      // the table cells and the caption: a cell opens behind a marker
	kTh      // on the list of formatting elements (the fence, below)
	kCaption //
	kSvg
	kMath
	kFrameset
	kBody
	kFooter // the site footer the snippet may go in front of (the site footer rule, below)
	kinds
)

// kindNames are the tag names of the kinds (none is longer than eight
// bytes, so a name is one word).
var kindNames = [kinds]string{
	kB: "b", kBig: "big", kCode: "code", kEm: "em", kFont: "font", kI: "i",
	kS: "s", kSmall: "small", kStrike: "strike", kStrong: "strong", kTt: "tt",
	kU: "u", kNobr: "nobr", kA: "a", kP: "p", kButton: "button", kForm: "form",
	kTable: "table", kTemplate: "template", kObject: "object", kApplet: "applet",
	kMarquee: "marquee", kSelect: "select", kTd: "td", kTh: "th", kCaption: "caption",
	kSvg: "svg", kMath: "math",
	kFrameset: "frameset", kBody: "body", kFooter: "footer",
}

// trigInitial marks the letters (either case) the kinds' names start with:
// tags starting with another letter never matter to the model.
var trigInitial = func() (t [256]bool) {
	for _, name := range kindNames[1:] {
		if name != "" {
			t[name[0]] = true
			t[name[0]-'a'+'A'] = true
		}
	}
	return t
}()

// kindSlots is a perfect hash of the kinds' names, as little-endian words:
// slot (word*kindMul)>>57 holds the kind whose name it is, if any. The
// multiplier is the first of a fixed pseudo-random sequence that sends
// every name to a slot of its own.
var kindSlots, kindMul = func() (slots [128]uint8, mul uint64) {
	for seed := uint64(1); ; seed++ {
		mul = splitmix(seed) | 1
		slots = [128]uint8{}
		ok := true
		for k := kB; k < kinds && ok; k++ {
			if kindNames[k] == "" {
				continue
			}
			s := nameWord(kindNames[k]) * mul >> 57
			ok = slots[s] == kNone
			slots[s] = k
		}
		if ok {
			return slots, mul
		}
	}
}()

// splitmix is the SplitMix64 mix of x.
func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// nameWord is a name of at most eight bytes as a little-endian word.
func nameWord(name string) uint64 {
	var u uint64
	for i := range len(name) {
		u |= uint64(name[i]) << (8 * i)
	}
	return u
}

// kindOfWord returns the kind of the tag name whose n bytes (1 to 8) are
// the low bytes of u, in any case (the bytes above may be anything).
func kindOfWord(u uint64, n int) uint8 {
	if n > 8 {
		return kNone
	}
	u = (u | swarOnes*0x20) & (^uint64(0) >> (64 - 8*uint(n)))
	k := kindSlots[u*kindMul>>57]
	if kindWords[k] == u {
		return k
	}
	return kNone
}

// kindWords holds each kind's name as a word (zero for kNone, which no
// name's word equals: every byte of one has 0x20 set).
var kindWords = func() (w [kinds]uint64) {
	for k := range w {
		w[k] = nameWord(kindNames[k])
	}
	return w
}()

// kindOf is kindOfWord for a name in a slice.
func kindOf(name []byte) uint8 {
	if len(name) == 0 || len(name) > 8 {
		return kNone
	}
	var u uint64
	for i, c := range name {
		u |= uint64(c) << (8 * i)
	}
	return kindOfWord(u, len(name))
}

// frame is one scope of the model: the document's body, or a table,
// template, select, object, applet or marquee inside it, or SVG/MathML.
// open counts, per counted kind, the elements that may be open (or, for
// formatting elements, wait to be reopened) in this frame.
//
// fence holds, per formatting element kind (the kinds below kP; the
// entries of p and button stay zero: they are not on the list, and a cell
// pops them), how many of those are behind a marker: a table
// cell or caption puts a marker on the browser's list of formatting
// elements, and no end tag or start tag after it reaches an element
// before it ("<tr><b><td></b>" leaves the b on the list, and a browser
// reopens it after the table). Each cell's start sets the fence to the
// counts of the moment, and no count falls below its fence. The fence is
// never lifted (the model does not follow the ends of cells, which would
// free those elements again): it only ever keeps more open than a browser
// does.
type frame struct {
	kind  uint8
	open  [kCounted]uint8
	fence [kCounted]uint8
}

// maxFrames bounds the nesting of frames; deeper pages get no placement.
const maxFrames = 8

// maxForeign bounds the nesting of SVG/MathML elements the model follows.
const maxForeign = 24

// tree is the model's state. The zero value is the start of a document.
type tree struct {
	frames  [maxFrames]frame
	depth   int  // frames in use above frames[0], the body
	foreign bool // frames[depth] is SVG or MathML: tags are read one at a time

	// fnames holds the name hashes of the open SVG/MathML elements,
	// fnames[0] being the <svg> or <math>.
	fnames [maxForeign]uint64
	fdepth int

	inBody     bool // the body element exists (a <body> tag, text, content)
	hasContent bool // the frameset-ok flag is off: no <frameset> can replace the body
	form       bool // a form element pointer may be set
	spoiled    bool // something the model does not follow: no placement on this page

	// footers: the snippet may go in front of the page's site footer
	// (the site footer rule, below); watch follows the page from such a footer on.
	footers bool
	watch   footerWatch
}

// exact reports whether every tag must reach the model, read byte by byte:
// inside SVG or MathML, and while a footer is watched.
func (t *tree) exact() bool { return t.foreign || t.watch.on }

// spoil gives up on placing the snippet in this document.
func (t *tree) spoil() { t.spoiled = true }

// needText reports whether the model still waits for text to learn that
// the body exists and has content.
func (t *tree) needText() bool { return !t.hasContent || !t.inBody }

// text records non-whitespace text in the data state: the body exists
// (unless the text is a template's, in the head) and has content.
func (t *tree) text() {
	t.hasContent = true
	if !t.inTemplate() {
		t.inBody = true
	}
}

// isTextByte reports whether c, in the data state, is surely a character
// of text that is not whitespace. '/' and quotes are, but the block walk
// does not mark them apart from those in tags, and every path must agree.
func isTextByte(c byte) bool {
	return c > ' ' && c != '<' && c != '/' && c != '"' && c != '\''
}

// textIn calls text if b, text in the data state, holds a text byte.
func (t *tree) textIn(b []byte) {
	for _, c := range b {
		if isTextByte(c) {
			t.text()
			return
		}
	}
}

// inTemplate reports whether a template frame is open.
func (t *tree) inTemplate() bool { return t.inFrame(kTemplate) }

// inFrame reports whether a frame of kind k is open.
func (t *tree) inFrame(k uint8) bool {
	for d := 1; d <= t.depth; d++ {
		if t.frames[d].kind == k {
			return true
		}
	}
	return false
}

// inIntegrationPoint reports whether an SVG or MathML element is open
// whose content is HTML (title, desc, foreignObject, mi...): a scope
// boundary, beyond which HTML end tags do not reach.
func (t *tree) inIntegrationPoint() bool {
	for d := 1; d < t.fdepth; d++ {
		if integrationNames.has(t.fnames[d]) {
			return true
		}
	}
	return false
}

// top returns the innermost frame.
func (t *tree) top() *frame { return &t.frames[t.depth] }

// canPlace reports whether the snippet can go at the current point: the
// body exists, no frame is open, nothing is open that the snippet would
// nest into or close, no form is open.
func (t *tree) canPlace() bool {
	return !t.spoiled && t.depth == 0 && t.inBody && t.frames[0].open == [kCounted]uint8{} && !t.form
}

// bodyEnd is told of a "</body" end tag in the data state and reports
// whether the snippet can go in front of it. A </body> inside a frame is
// ignored by the browser; in SVG or MathML the model cannot follow it.
func (t *tree) bodyEnd() bool {
	if t.foreign {
		if !t.inIntegrationPoint() {
			t.spoil() // honoured with SVG or MathML open: not followed
		}
		return false
	}
	if t.depth > 0 {
		return false
	}
	ok := t.canPlace() && t.hasContent
	t.inBody = true // the end tag makes a body if there was none
	return ok
}

// startWord tells the model of a start tag whose name is the n low bytes
// of u. It reports false when the tag must be read by step instead (it
// opens SVG or MathML, whose self-closing flag matters).
func (t *tree) startWord(u uint64, n int) bool {
	k := kindOfWord(u, n)
	if k == kSvg || k == kMath || k == kFooter && t.footerCandidate() {
		return false
	}
	if k != kNone {
		t.start(k)
	}
	return true
}

// endWord tells the model of an end tag whose name is the n low bytes of u.
func (t *tree) endWord(u uint64, n int) {
	if k := kindOfWord(u, n); k != kNone {
		t.end(k)
	}
}

// start applies an HTML start tag of kind k.
func (t *tree) start(k uint8) {
	f := t.top()
	switch k {
	case kA:
		// A second one closes the first (the adoption agency), and takes
		// it off the list even out of scope: one a at most is open after
		// the last marker.
		f.set(k, f.fence[k]+1)
	case kNobr:
		// A second one closes the first only in scope: one left on the
		// list from inside a table (foster-parented) stays.
		f.set(k, max(f.open[k], f.fence[k]+1))
	case kP:
		// A p closes the open p, which is in button scope unless a button
		// may be open.
		if f.open[kButton] == 0 {
			f.set(kP, 1)
		} else {
			t.add(f, kP)
		}
	case kButton:
		f.set(kButton, 1) // a second button closes the first
		t.hasContent = true
	case kForm:
		if !t.inTemplate() {
			t.form = true
		}
	case kTable, kSelect, kObject, kApplet, kMarquee:
		t.push(k)
		t.hasContent = true
		if !t.inTemplate() {
			t.inBody = true
		}
	case kTemplate:
		t.push(k)
		t.hasContent = true
	case kFrameset:
		t.spoil()
	case kBody:
		if !t.inTemplate() {
			t.inBody = true
		}
	case kFooter:
		// Followed only to find the site footer (the rule below).
	case kTd, kTh, kCaption:
		// A cell of a table (or of a template's table) puts a marker on
		// the list of formatting elements. In the body the browser
		// ignores the tag; in a select, object, applet or marquee inside
		// a table the cell pops that element, whose end tag then closes
		// nothing, which the model does not follow.
		switch {
		case t.depth == 0:
		case f.kind == kTable || f.kind == kTemplate:
			f.fenceFormatting()
		default:
			t.spoil()
		}
	default: // formatting elements
		t.add(f, k)
	}
}

// end applies an HTML end tag of kind k.
func (t *tree) end(k uint8) {
	f := t.top()
	switch k {
	case kA:
		f.set(k, f.fence[k])
	case kButton:
		f.set(k, 0)
	case kP:
		if f.open[kButton] == 0 {
			f.set(kP, 0)
		}
	case kForm:
		// In a select, browsers that parse it the older way ignore the
		// end tag, and the form element pointer stays set.
		if !t.inTemplate() && !t.inFrame(kSelect) {
			t.form = false
		}
	case kTable:
		// Closes the innermost table and what is open in it, unless a
		// template is open inside that table.
		for d := t.depth; d > 0; d-- {
			switch t.frames[d].kind {
			case kTemplate:
				return
			case kTable:
				t.popTo(d)
				return
			}
		}
	case kTemplate:
		for d := t.depth; d > 0; d-- {
			if t.frames[d].kind == kTemplate {
				t.popTo(d)
				return
			}
		}
	case kSelect, kObject, kApplet, kMarquee:
		// In scope only when it is the innermost frame.
		if t.depth > 0 && f.kind == k {
			t.popTo(t.depth)
		}
	case kSvg, kMath, kFrameset, kBody, kFooter, kTd, kTh, kCaption:
		// Outside SVG/MathML an end tag for these changes nothing here
		// (</body> is the injector's business; the end of a cell does
		// not lift its fence).
	default:
		if f.open[k] > f.fence[k] {
			f.set(k, f.open[k]-1)
		}
	}
}

// fenceFormatting puts what f has open of the formatting elements behind
// a marker (the fence): a p or a button is not on the list, and a cell
// pops it from the stack.
func (f *frame) fenceFormatting() {
	copy(f.fence[:kP], f.open[:kP])
}

// set sets the count of kind k in f.
func (f *frame) set(k uint8, n uint8) {
	f.open[k] = n
}

// add counts one more element of kind k in f. Four identical formatting
// elements would let the browser forget one (the Noah's Ark clause), and
// its end tag would then no longer close what the model expects: the
// model gives up before.
func (t *tree) add(f *frame, k uint8) {
	if f.open[k] >= 3 {
		t.spoil()
		return
	}
	f.set(k, f.open[k]+1)
}

// push opens a frame of kind k.
func (t *tree) push(k uint8) {
	if t.depth == maxFrames-1 {
		t.spoil()
		return
	}
	t.depth++
	t.frames[t.depth] = frame{kind: k}
}

// popTo closes frame d and every frame inside it; what was left open in
// them is added to the frame around (elements a browser pops there may
// stay on its list of formatting elements).
//
// A marker can outlive the frames: a browser clears the list of
// formatting elements only up to the last marker when it closes a cell, a
// template or an object, so one closed with another element that puts a
// marker still open in it (a cell, a caption, an object), or a template
// (with a cell in it), leaves a marker behind, and what the outer frame
// has open can no longer be closed: it is fenced.
func (t *tree) popTo(d int) {
	outer := &t.frames[d-1]
	fence := d < t.depth || t.frames[d].kind == kTemplate
	for ; t.depth >= d; t.depth-- {
		in := &t.frames[t.depth]
		for k := range in.open {
			if n := in.open[k]; n > 0 {
				if int(outer.open[k])+int(n) > 3 {
					t.spoil()
				}
				outer.set(uint8(k), uint8(min(int(outer.open[k])+int(n), 255)))
			}
		}
	}
	if fence {
		outer.fenceFormatting()
	}
	t.foreign = false
	t.fdepth = 0
}

// The SVG and MathML tag names the model tells apart, by name hash: those
// that break out of foreign content back into HTML, and the integration
// points, whose content is HTML again.
var (
	breakoutNames = hashSet("b", "big", "blockquote", "body", "br", "center", "code", "dd", "div",
		"dl", "dt", "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li",
		"listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong",
		"strike", "sub", "sup", "table", "tt", "u", "ul", "var")
	integrationNames = hashSet("foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext",
		"annotation-xml")
	fontHash = nameHash("font")
)

// nameHash is the FNV-1a hash of a lower-case tag name, as step computes it
// byte by byte (hashName).
func nameHash(name string) uint64 {
	h := uint64(fnvOffset)
	for i := range len(name) {
		h = hashName(h, name[i])
	}
	return h
}

const fnvOffset = 14695981039346656037

// hashName adds a (lower-cased) tag name byte to an FNV-1a hash.
func hashName(h uint64, c byte) uint64 { return (h ^ uint64(c)) * 1099511628211 }

// hashSet returns the set of the names' hashes.
func hashSet(names ...string) nameSet {
	s := nameSet{hashes: make(map[uint64]bool, len(names))}
	for _, n := range names {
		h := nameHash(n)
		s.hashes[h] = true
		s.filter[h>>62] |= 1 << (h >> 56 & 63)
	}
	return s
}

// nameSet is a set of tag name hashes. Most names looked up are in no
// set (an SVG <path>, a <div> in a footer), and a filter on each hash's
// top byte turns those away without the map, which costs as much as
// reading the tag.
type nameSet struct {
	filter [4]uint64
	hashes map[uint64]bool
}

// has reports whether the name whose hash is h is in the set.
func (s *nameSet) has(h uint64) bool {
	return s.filter[h>>62]>>(h>>56&63)&1 != 0 && s.hashes[h]
}

// tag tells the model of a tag read by step: its kind (kNone for the
// others), name hash, and whether it is an end tag or self-closing. It
// reports whether a raw-text start tag may switch the tokenizer to raw
// text (not in SVG or MathML, where <style> and <script> hold markup).
func (t *tree) tag(k uint8, hash uint64, end, selfClosing bool) bool {
	if !t.watch.on {
		return t.modelTag(k, hash, end, selfClosing)
	}
	wasForeign := t.foreign
	raw := t.modelTag(k, hash, end, selfClosing)
	t.watch.tag(wasForeign, t.foreign, hash, end, selfClosing)
	return raw
}

// modelTag is tag for the model of the open elements.
func (t *tree) modelTag(k uint8, hash uint64, end, selfClosing bool) bool {
	if !t.foreign {
		switch {
		case end:
			t.end(k)
		case k == kSvg || k == kMath:
			if !selfClosing {
				t.push(k)
				if !t.spoiled {
					t.foreign = true
					t.fnames[0], t.fdepth = hash, 1
				}
			}
			// The body exists, but the frameset-ok flag stays: only the
			// text in SVG or MathML turns it off.
			if !t.inTemplate() {
				t.inBody = true
			}
			return false
		case k != kNone:
			t.start(k)
		}
		return true
	}
	if end {
		for d := t.fdepth - 1; d >= 0; d-- {
			if t.fnames[d] == hash {
				if t.fdepth = d; d == 0 {
					t.popTo(t.depth)
				}
				return true
			}
		}
		if !t.inIntegrationPoint() || k == kTemplate {
			t.spoil() // it would reach the HTML elements around
		}
		// Else the integration point is a scope boundary and a special
		// element: the browser ignores the end tag, or (</p>, </br>)
		// makes an empty element of it.
		return false
	}
	switch {
	case integrationNames.has(t.fnames[t.fdepth-1]), hash == fontHash:
		// HTML inside an integration point; a font that may break out
		// depending on its attributes.
		t.spoil()
		return false
	case breakoutNames.has(hash):
		t.popTo(t.depth)
		if k != kNone {
			t.start(k)
		}
		return true
	}
	if !selfClosing {
		if t.fdepth == maxForeign {
			t.spoil()
			return false
		}
		t.fnames[t.fdepth] = hash
		t.fdepth++
	}
	return false
}

// The site footer. By default (Injector.BeforeFooter) the snippet goes in
// front of the page's site footer - the first <footer> that is a child of
// <body> - where a customer sees it above the store's links and notices,
// not below them; a page without one gets it in front of </body> as
// before.
//
// Whether a <footer> is a child of <body> is known for certain only from
// what follows it, and the snippet must go in front of it. So, streaming:
//
//   - At a <footer> start tag where the snippet could go (the model allows
//     a place there: nothing it follows is open, see above), the
//     Injector starts holding the page back from the footer's '<'.
//   - From there every tag is read exactly (step), and the watch below
//     follows the elements opened after the footer. An end tag that
//     closes nothing opened since (the </div> of a wrapper around the
//     footer, the </article> of a product card's footer), or a start tag
//     that may close an element opened before it (a <li> beside a list
//     item holding the footer), shows that the footer was inside another
//     element: the held bytes go out and the scan goes on as before, in
//     front of </body> or a later footer.
//   - At the end of the document, with nothing seen that closes what was
//     open before the footer, the footer is the site footer: the snippet
//     goes in front of the held bytes. The </body> is not the end of the
//     question: "</body></div>" still closes a wrapper.
//
// The trade-offs: the footer and everything after it (its links, the
// scripts after it, </body></html>) reach the client together at the end
// of the page rather than as they come - on a store page a few KB that
// come at once anyway. At most footerHoldCap bytes are held: a longer
// tail (a large inline state script after the footer) gives up the footer
// and the snippet goes in front of </body>, as it would in a page without
// one. The held bytes come from a pool, so a page still allocates nothing.
// The rule sees only what follows the footer: an element opened before it
// and never closed (invalid HTML: "<div><footer>...</footer></body>" with
// no </div>) is not seen, and the snippet then goes in front of that
// footer, inside the element; that is still in the body with nothing
// moved. A page whose footer has an open <p> or other followed element in
// front of it (the snippet would land inside the p) keeps the </body> rule.

// footerHoldCap bounds the bytes held from a footer's '<'.
const footerHoldCap = 32 << 10

// maxWatched bounds the elements the watch follows at once; deeper
// nesting gives up the footer.
const maxWatched = 48

// footerWatch follows the elements opened after a candidate footer (the
// footer first), by name hash, as a browser's stack of open elements
// would hold them above the footer's parent. It may keep an element the
// browser has closed (an implied end it does not follow): that only makes
// a later end tag of that name look matched, and those names (p, li, td,
// headings...) cannot be open around a footer that had a place. It gives
// up (bad) as soon as a tag may reach below the footer.
type footerWatch struct {
	on     bool // a footer is watched
	opened bool // its start tag ended: the footer element exists
	bad    bool // the footer is not the site footer (or cannot be told)
	n      int
	names  [maxWatched]uint64
	// foreignAt is the index of the <svg> or <math> whose content the
	// model reads (-1 when none): the watch skips its content.
	foreignAt int
}

// footerCandidate reports whether a <footer> start tag here may be the
// site footer: the rule is on, no footer is watched, and the snippet
// could go in front of the tag.
func (t *tree) footerCandidate() bool {
	return t.footers && !t.watch.on && t.canPlace()
}

// watchFooter starts watching from a candidate footer's start tag, whose
// end step will tell the model (tag).
func (t *tree) watchFooter() {
	t.watch = footerWatch{on: true, foreignAt: -1}
}

// footerFits reports, at the end of the document, whether the snippet can
// go in front of the watched footer: it is the site footer, the page has
// content (so a later <frameset> could not have replaced the body
// without the snippet), and nothing spoiled the model.
func (t *tree) footerFits() bool {
	return t.watch.on && t.watch.opened && !t.watch.bad && t.hasContent && !t.spoiled
}

// footerLost reports whether the watched footer can no longer take the
// snippet.
func (t *tree) footerLost() bool { return t.watch.bad || t.spoiled }

// tag follows a tag the model was told of; wasForeign and foreign say
// whether SVG or MathML content was open before and after it.
func (w *footerWatch) tag(wasForeign, foreign bool, hash uint64, end, selfClosing bool) {
	switch {
	case wasForeign && foreign:
		return // inside SVG or MathML: the model follows it
	case wasForeign:
		// The SVG or MathML element closed, or an HTML tag broke out of
		// it (and is read as HTML below).
		if w.foreignAt >= 0 {
			w.n, w.foreignAt = w.foreignAt, -1
		}
		if end {
			return
		}
	case foreign:
		// An <svg> or <math> opened.
		w.foreignAt = w.n
		w.push(hash)
		return
	}
	if end {
		w.end(hash)
	} else {
		w.start(hash)
	}
	if hash == footerHash && !end {
		w.opened = true
	}
}

// start follows an HTML start tag.
func (w *footerWatch) start(hash uint64) {
	switch {
	case unwatchedStarts.has(hash):
		// Void, raw text (its end tag is read as text), or ignored in the
		// body: nothing stays open.
		return
	case hash == liHash:
		w.closeListItem(liHash, liHash)
	case hash == ddHash || hash == dtHash:
		w.closeListItem(ddHash, dtHash)
	case headingNames.has(hash):
		// A heading closes a heading that is the current node, which may
		// be one the footer is in.
		if w.n == 0 {
			w.bad = true
		} else if headingNames.has(w.names[w.n-1]) {
			w.n--
		}
	case hash == optionHash || hash == optgroupHash:
		if w.n == 0 {
			w.bad = true
		} else if w.names[w.n-1] == optionHash {
			w.n--
		}
	case rubyNames.has(hash):
		// Implied end tags, in a ruby opened after the footer only.
		if w.find(rubyHash) < 0 {
			w.bad = true
		}
		for w.n > 0 && impliedEndNames.has(w.names[w.n-1]) && (w.names[w.n-1] != rtcHash || hash == rbHash || hash == rtcHash) {
			w.n--
		}
	}
	w.push(hash)
}

// closeListItem follows the implied end of a list item (li, or dd and dt)
// that a new one brings: it closes the nearest one unless a special
// element other than address, div and p comes first; with neither among
// the watched elements it may close one around the footer.
func (w *footerWatch) closeListItem(a, b uint64) {
	for d := w.n - 1; d >= 0; d-- {
		switch name := w.names[d]; {
		case name == a || name == b:
			w.n = d
			return
		case specialNames.has(name) && name != addressHash && name != divHash && name != pHash:
			return
		}
	}
	w.bad = true
}

// end follows an HTML end tag: it closes the nearest watched element of
// its name; one that matches none may close an element the footer is in.
func (w *footerWatch) end(hash uint64) {
	switch {
	case hash == pHash:
		// No p is open around a footer that had a place; a </p> with no p
		// makes an empty one.
		if d := w.find(pHash); d >= 0 {
			w.n = d
		}
		return
	case hash == brHash || voidNames.has(hash) || hash == htmlHash:
		return // none closes anything
	case hash == formHash:
		// Removes the form alone; none is open around the footer.
		if d := w.find(formHash); d >= 0 {
			copy(w.names[d:], w.names[d+1:w.n])
			w.n--
		}
		return
	case headingNames.has(hash):
		// Closes the nearest heading, whichever its level.
		for d := w.n - 1; d >= 0; d-- {
			if headingNames.has(w.names[d]) {
				w.n = d
				return
			}
		}
		w.bad = true
		return
	}
	if d := w.find(hash); d >= 0 {
		w.n = d
		return
	}
	w.bad = true
}

// push follows an element that stays open.
func (w *footerWatch) push(hash uint64) {
	if w.n == maxWatched {
		w.bad = true
		return
	}
	w.names[w.n] = hash
	w.n++
}

// find returns the index of the innermost watched element named hash, or
// -1.
func (w *footerWatch) find(hash uint64) int {
	for d := w.n - 1; d >= 0; d-- {
		if w.names[d] == hash {
			return d
		}
	}
	return -1
}

// The names the watch tells apart, by name hash.
var (
	footerHash, liHash, ddHash, dtHash = nameHash("footer"), nameHash("li"), nameHash("dd"), nameHash("dt")
	pHash, brHash, htmlHash, formHash  = nameHash("p"), nameHash("br"), nameHash("html"), nameHash("form")
	optionHash, optgroupHash, rubyHash = nameHash("option"), nameHash("optgroup"), nameHash("ruby")
	addressHash, divHash               = nameHash("address"), nameHash("div")
	rbHash, rtcHash                    = nameHash("rb"), nameHash("rtc")

	voidNames = hashSet("area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr",
		"image", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr")
	// unwatchedStarts are the start tags after which nothing stays open:
	// the void elements, the raw-text elements (the scanner reads their
	// end tags as text), and the tags the body ignores.
	unwatchedStarts = hashSet("area", "base", "basefont", "bgsound", "br", "col", "embed", "frame",
		"hr", "image", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
		"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
		"plaintext", "html", "head", "body", "frameset")
	headingNames = hashSet("h1", "h2", "h3", "h4", "h5", "h6")
	rubyNames    = hashSet("rb", "rp", "rt", "rtc")
	// impliedEndNames are the elements the standard's "generate implied
	// end tags" closes.
	impliedEndNames = hashSet("dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc")
	specialNames    = hashSet("address", "applet", "area", "article", "aside", "base", "basefont",
		"bgsound", "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
		"details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer",
		"form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup",
		"hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main", "marquee",
		"menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param",
		"plaintext", "pre", "script", "search", "section", "select", "source", "style", "summary",
		"table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track",
		"ul", "wbr", "xmp")
)

// Holding the page back from a footer that may be the site footer, until
// the end of the document says whether it is (the site footer rule
// above gives its trade-offs).

// footerBuf holds the bytes from a footer's '<' on; at most footerHoldCap.
type footerBuf struct{ b []byte }

// footerBufs keeps the hold buffers between documents, so that holding a
// footer allocates nothing in steady state. A buffer starts small (most
// footers and what follows them take a few hundred bytes) and grows, up
// to footerHoldCap, for the pages that need it.
var footerBufs = sync.Pool{New: func() any { return &footerBuf{b: make([]byte, 0, 4<<10)} }}

// AtBodyEnd makes i put the snippet in front of </body> even when the page
// has a site footer (for a widget that moves itself to a place of the
// operator's choosing). Call it before the first Write.
func (i *Injector) AtBodyEnd() { i.sc.tree.footers = false }

// holdFooter starts holding the page at the candidate footer whose '<' is
// p[at] (at < done: it began in an earlier write, in the held-back bytes),
// and whose name ends at p[at+7]. p[done:at] is written first.
func (i *Injector) holdFooter(p []byte, done, at int, base int64) error {
	next := at + len("<footer") + 1
	i.held = footerBufs.Get().(*footerBuf)
	i.held.b = i.held.b[:0]
	i.footerAt = base + int64(at)
	i.bodyAt = -1
	if at < done {
		// The held-back bytes are exactly the tag's start.
		i.held.b = append(i.held.b, i.hold[:i.holdLen]...)
		i.holdLen = 0
		i.held.b = append(i.held.b, p[done:next]...)
	} else {
		if err := i.flushHold(); err != nil {
			return err
		}
		if _, err := i.writeDst(p[done:at]); err != nil {
			return err
		}
		i.held.b = append(i.held.b, p[at:next]...)
	}
	i.sc.tree.watchFooter()
	i.sc.resumeAfterFooter(p[next-1])
	return nil
}

// writeHeld scans q while a footer is held, holding its bytes, until q
// ends, the hold is full, or the watch shows the footer is not the site
// footer (then endHold writes the held bytes). It returns how many bytes
// of q it took.
func (i *Injector) writeHeld(q []byte) (int, error) {
	done := 0
	for done < len(q) {
		if i.sc.tree.footerLost() {
			return done, i.endHold(false)
		}
		room := footerHoldCap - len(i.held.b)
		if room == 0 {
			return done, i.endHold(false) // too long to hold: the </body> rule
		}
		piece := q[done : done+min(room, len(q)-done)]
		at, n := i.sc.scanHeld(piece)
		if at == noMatch {
			i.held.b = append(i.held.b, piece[:n]...)
			done += n
			continue
		}
		// A "</body": remember the first place in front of one, in case
		// the footer is not the one. The bytes from its '<' may be held
		// already (at < 0).
		next := at + len("</body") + 1
		if i.sc.tree.bodyEnd() && i.sc.tree.canPlace() && i.bodyAt < 0 {
			i.bodyAt = len(i.held.b) + at // the encoding is checked once, in endHold
		}
		i.sc.resumeAfterBody(piece[next-1])
		i.held.b = append(i.held.b, piece[:next]...)
		done += next
	}
	if i.sc.tree.footerLost() {
		return done, i.endHold(false)
	}
	return done, nil
}

// endHold ends a hold: the snippet goes in front of the footer (atFooter),
// else in front of the held "</body" that had a place, else nowhere yet
// (the held bytes go out, but for a possible "</body" prefix at their end,
// which goes back to the Injector's own hold, and the scan goes on).
func (i *Injector) endHold(atFooter bool) error {
	b := i.held.b
	i.sc.tree.watch.on = false
	at := -1
	switch {
	case atFooter:
		at = 0
	case i.bodyAt >= 0:
		at = i.bodyAt
	}
	if at >= 0 && i.foreignCharset() {
		at = -1 // no place in a document whose encoding the snippet's bytes do not fit
	}
	defer i.releaseHeld()
	if at < 0 {
		if i.sc.holding() {
			// The tag so far began -tagStart bytes before the next write.
			k := len(b) + i.sc.tagStart
			i.holdLen = copy(i.hold[:], b[k:])
			b = b[:k]
		}
		_, err := i.writeDst(b)
		return err
	}
	i.passing = true
	i.sc.releaseBlocks()
	i.insertedAt = i.footerAt + int64(at)
	if _, err := i.writeDst(b[:at]); err != nil {
		return err
	}
	if err := i.writeSnippet(); err != nil {
		return err
	}
	_, err := i.writeDst(b[at:])
	return err
}

// releaseHeld gives the hold buffer back to its pool.
func (i *Injector) releaseHeld() {
	if i.held != nil {
		footerBufs.Put(i.held)
		i.held = nil
	}
}
