package inject

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
//     a place there: nothing it follows is open, see placement.go), the
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
	case unwatchedStarts[hash]:
		// Void, raw text (its end tag is read as text), or ignored in the
		// body: nothing stays open.
		return
	case hash == liHash:
		w.closeListItem(liHash, liHash)
	case hash == ddHash || hash == dtHash:
		w.closeListItem(ddHash, dtHash)
	case headingNames[hash]:
		// A heading closes a heading that is the current node, which may
		// be one the footer is in.
		if w.n == 0 {
			w.bad = true
		} else if headingNames[w.names[w.n-1]] {
			w.n--
		}
	case hash == optionHash || hash == optgroupHash:
		if w.n == 0 {
			w.bad = true
		} else if w.names[w.n-1] == optionHash {
			w.n--
		}
	case rubyNames[hash]:
		// Implied end tags, in a ruby opened after the footer only.
		if w.find(rubyHash) < 0 {
			w.bad = true
		}
		for w.n > 0 && impliedEndNames[w.names[w.n-1]] && (w.names[w.n-1] != rtcHash || hash == rbHash || hash == rtcHash) {
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
		case specialNames[name] && name != addressHash && name != divHash && name != pHash:
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
	case hash == brHash || voidNames[hash] || hash == htmlHash:
		return // none closes anything
	case hash == formHash:
		// Removes the form alone; none is open around the footer.
		if d := w.find(formHash); d >= 0 {
			copy(w.names[d:], w.names[d+1:w.n])
			w.n--
		}
		return
	case headingNames[hash]:
		// Closes the nearest heading, whichever its level.
		for d := w.n - 1; d >= 0; d-- {
			if headingNames[w.names[d]] {
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
