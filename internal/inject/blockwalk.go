package inject

import "math/bits"

// plainTags runs through text and tags from index i in the data state, a
// 64-byte block of marks (markBlocks, below) at a time, and returns the index of
// the first '<' that the exact path must read, or, near the end of p, an
// index in the data state at which it stopped.
//
// Why this is exact: in text only '<' changes the state. A start or end
// tag ends at the first '>' after its '<' unless a quote comes first:
// only a quoted attribute value can hide a '>', and every other attribute
// state ends the tag at '>'. So, but for quotes, a block's tags are the
// runs from a '<' in text to the next '>', and they are found for the
// whole block at once (tagRuns). Of those tags, only the ones markLook
// flags (comments, raw-text elements, "</bo", a '<' that starts no tag)
// and the ones with a quote need a look; the others are passed over
// without one. passLook passes comments and raw-text elements on the
// marks; quotedTag finds the real end of a tag with quotes, from which the
// runs are worked out again if a value hid a '>'. Where the block's last
// tag has a quote and runs on past it, quoteRuns pairs the quotes of the
// whole block at once, and of each block that tag runs into; a block it
// turns down is read tag by tag (and a tag it carried into that block,
// from its '<'). What none of them takes
// ("</body", DOCTYPEs, scripts with "<!--", tags of other shapes) goes to
// the exact path. A '>' in text is text.
//
// told reports whether the tree has heard of the tag at the returned '<'
// already: a tag the walk looked at and told the tree of, whose quoted
// values it then could not follow to the end. The exact path reads it
// again and must not tell the tree twice (a formatting element would
// count as open twice).
func plainTags(p []byte, i int, t *markedBlocks, tr *tree) (j int, told bool) {
	open := -1      // the '<' of a tag that runs on from the previous block
	lastTold := -1  // the '<' of the last tag told to the tree here
	var qc uint64   // what quoteRuns passed on from the block before (when paired)
	paired := false // the tag at open was read with its quotes paired on the marks (quoteRuns)
	for {
		m, base := t.block(p, i)
		if m == nil {
			if open >= 0 {
				return open, open == lastTold
			}
			return i, false
		}
		var in uint64
		if open >= 0 {
			in = 1
		} else {
			paired = false
		}
		starts, runs, carry := tagRuns(m, uint(i-base), in)
		quoted := m[markQuote] & runs
		// Pair the block's quotes on the marks where it pays: its last tag
		// has a quote and runs on, which the tag-by-tag reading would
		// read from windows (a block whose quoted tags all end in it
		// reads them as cheaply one by one).
		if in == 0 && carry != 0 && quoted>>(bits.Len64(starts)-1) != 0 || paired {
			if !paired {
				qc = 0
			}
			s, r, c, next, ok := quoteRuns(m, uint(i-base), in, qc, starts, runs, carry)
			switch {
			case ok:
				starts, runs, carry, quoted, qc = s, r, c, 0, next
			case paired:
				// The tag that runs on into this block had its quotes
				// paired on the marks: read it from its '<', as the
				// tag-by-tag reading would have. (Both readings are
				// exact, so it ends in this block or after; if they
				// ever disagreed, the exact path reads it.)
				g := tagEndAt(p, t, open)
				if g < base {
					return open, open == lastTold
				}
				i = g + 1
				open = -1
				continue
			}
			paired = ok
		}
		look := m[markLook] & starts
		if tr.needText() {
			noteText(m, uint(i-base), runs, look|quoted, tr)
		}

		for {
			h, q := bits.TrailingZeros64(look), bits.TrailingZeros64(quoted)
			if h < q { // a tag to look at comes first
				j := base + h
				// Tell the tree of a tag whose name the word after the
				// '<' holds, when the name alone says what it does: the
				// tags the tree hears of most (b, i, em, p, a, form,
				// button...), and none of them raw text. This is inline,
				// not a call, because a call costs the walk a spill and
				// reload of its registers (Go saves none across calls),
				// which cost as much as the tag. Others go to passLook.
				u := load64(p, j+1)
				end := byte(u) == '/'
				if end {
					u >>= 8
				}
				k := uint8(0xff) // the tag's kind, if told here
				switch {
				case byte(u>>8) == '>' && (end || isAlpha(byte(u))):
					// "<0>" is text, which the tree may be waiting for;
					// "</0>" is a bogus comment, which changes nothing.
					k = letterKinds[byte(u)]
				case byte(u>>16) == '>' && isAlpha(byte(u>>8)) && isAlpha(byte(u)):
					k = kindOfWord(u, 2)
				case isAlpha(byte(u)) && (end || !rawInitial[byte(u)] || isSpace(byte(u>>8)) || isSpace(byte(u>>16))):
					// A longer name, or one with attributes after it; a
					// start tag whose initial is a raw-text element's only
					// with a name of one or two letters, which none has
					// ("<p class=...>", "<i class=...>", "<td class=...>").
					// The name of an end tag is one byte up in the word:
					// a delimiter past it is read from the page.
					n := firstFlag(nameEnds(u))
					delim := byte(u >> (8 * n))
					if end && n == 7 {
						delim = p[j+9]
					}
					if n < 8 && isNameEnd(delim) {
						if k = kindOfWord(u, n); k >= kSvg {
							k = 0xff // passLook: SVG, MathML, a footer, </body...
						}
					}
				}
				if k != 0xff {
					f := &tr.frames[tr.depth&(maxFrames-1)]
					switch {
					case k == kNone:
					case k < kNobr && !end: // a formatting element opens
						if f.open[k] >= 3 {
							tr.spoil()
						}
						f.open[k]++
					case k < kNobr && f.open[k] > f.fence[k]: // one closes
						f.open[k]--
					case k == kA || k == kButton || k == kP && f.open[kButton] == 0:
						// A second one closes the first; a p closes a p in
						// button scope. No a reaches behind a cell's marker
						// (the fence, zero for p and button).
						n := f.fence[k] + 1
						if end {
							n--
						} else if k == kButton {
							tr.hasContent = true
						}
						f.open[k] = n
					case k == kForm && tr.depth == 0: // no template is open
						tr.form = !end
					case end:
						tr.end(k)
					default:
						tr.start(k)
					}
					lastTold = j
					look &= look - 1
					if tr.needText() {
						noteText(m, uint(h+1), runs, look|quoted, tr)
					}
					continue
				}
				switch i = passLook(p, t, j, tr); {
				case i == j: // a plain tag after all
					lastTold = j
					look &= look - 1
					if tr.needText() {
						noteText(m, uint(h+1), runs, look|quoted, tr)
					}
					continue
				case i < 0:
					return j, false // the exact path reads it (the tree has not heard of it)
				}
				open = -1
				goto next // on after the comment or element
			}
			if q == 64 {
				break // nothing else in the block needs a look
			}
			// The quote's tag starts at the highest '<' at or below it,
			// or came from the previous block. This is tagEnd with the
			// block already at hand (calling tagEnd here costs 6-15% on
			// pages of quoted tags).
			j, g := open, otherShape
			if b := bits.Len64(starts&(2<<q-1)) - 1; b >= 0 {
				if j = base + b; m[markGT]>>b != 0 { // it may end in this block
					g = quotedTag(p, m, base, b)
				}
			}
			if g < 0 { // not within the block: from a window at the tag's '<'
				if g = tagEndAt(p, t, j); g < 0 {
					return j, j == lastTold // the exact path reads it
				}
				g -= base
			}
			open = -1
			end := g // the tag's real '>', as a bit of this block (or past it)
			if end < 64 && end == bits.TrailingZeros64(m[markGT]&^(1<<max(j-base, 0)-1)) {
				quoted &^= 2<<end - 1 // no '>' in the values: the runs still hold
				if tr.needText() {
					noteText(m, uint(end+1), runs, look|quoted, tr)
				}
				continue
			}
			i = base + end + 1 // on after it, with the runs worked out again
			goto next
		}
		if carry == 0 {
			open = -1
		} else if starts != 0 {
			open = base + bits.Len64(starts) - 1
		}
		i = base + 64
	next:
	}
}

// tagRuns finds the tags of block m from bit off on: the bits of their
// first '<' (starts), the bits from each such '<' to the next '>'
// inclusive (runs), and whether the last run reaches past the block
// (carry, 1 or 0). Bit off is in the data state, or, when in is 1 (off is
// then 0), inside a tag that began in an earlier block, whose run goes on
// to the block's first '>'. It does not know about quotes.
//
// Adding the starts to the mask of the bytes that are neither '<' nor
// '>' (plus the starts) carries each '<' through the bytes up to the next
// '>', turning them to zero and that '>' to one, and leaves all else
// alone; xor with the mask recovers the run. A '<' inside a run is
// carried over like any other byte; the carry in continues the earlier
// block's tag.
func tagRuns(m *blockMarks, off uint, in uint64) (starts, runs, carry uint64) {
	from := ^uint64(0) << off
	return tagRunsOf(m[markLT]&from, m[markGT]&from, from, in)
}

// passLook passes, on the marks, what starts at the '<' p[j] that
// markLook flags: it returns j for a plain tag (a start tag that is not a
// raw-text element, an end tag that is not "</body"; markLook flags a few
// of those), and the index after a comment, or after a raw-text element's
// start tag, text and end tag, in the data state. It returns -1 when the
// exact path must read it: "</body", "<!" and "<?" constructs other than
// comments, plaintext, a script with "<!--" (its escaped states), a tag
// quotedTag does not read, or anything that runs past the marked blocks.
func passLook(p []byte, t *markedBlocks, j int, tr *tree) int {
	u := load64(p, j+1)
	switch c := byte(u); {
	case c == '/':
		c2 := byte(u >> 8)
		if !isAlpha(c2) || uint32(u>>8)|0x20202020 == bodyWord {
			return -1
		}
		if trigInitial[c2] {
			k := j + 10 // ends the tag name, if it is no longer than eight bytes
			if f := nameEnds(u >> 8); f != 0 {
				k = j + 2 + firstFlag(f)
			}
			if !isNameEnd(p[k]) {
				return -1 // a control byte in the name, or a long name
			}
			tr.endWord(u>>8, k-j-2)
		}
		return j
	case opensComment(u):
		return passComment(p, t, j+4)
	case !isAlpha(c):
		return -1
	case !rawInitial[c] && !trigInitial[c]:
		return j
	}
	k := j + 9 // ends the tag name, if it is no longer than a raw-text name but plaintext
	if f := nameEnds(u); f != 0 {
		k = j + 1 + firstFlag(f)
	}
	if !isNameEnd(p[k]) {
		return -1 // a control byte in the name, or a long name
	}
	kind := rawNone
	if rawInitial[byte(u)] {
		kind = rawKindOfWord(u, k-j-1)
	}
	switch kind {
	case rawNone:
		if !tr.startWord(u, k-j-1) {
			return -1 // SVG or MathML: step reads it
		}
		return j
	case rawPlaintext:
		return -1
	}
	end := k // the start tag's '>'
	if p[k] != '>' {
		if end = tagEnd(p, t, j); end < 0 {
			return -1
		}
	}
	for i := end + 1; ; {
		m, base := t.block(p, i)
		if m == nil {
			return -1
		}
		for lts := m[markLT] >> uint(i-base) << uint(i-base); lts != 0; lts &= lts - 1 {
			lt := base + bits.TrailingZeros64(lts)
			if kind == rawScript && opensComment(load64(p, lt+1)) {
				return -1
			}
			if !isRawEndTag(p, lt, kind) {
				continue
			}
			if d := lt + 2 + len(rawNames[kind]); p[d] == '>' {
				return d + 1
			}
			if end = tagEnd(p, t, lt); end < 0 {
				return -1
			}
			return end + 1
		}
		i = base + 64
	}
}

// passComment passes the comment whose text starts at p[i], after "<!--":
// it ends at the first '>' after two dashes ("-->", any number of dashes
// before), or after "--!" ("--!>"), or at once for "<!-->" and "<!--->".
// It returns the index after it, or -1 when that is past the marked
// blocks.
func passComment(p []byte, t *markedBlocks, i int) int {
	switch {
	case p[i] == '>':
		return i + 1
	case p[i] == '-' && p[i+1] == '>':
		return i + 2
	}
	for from := i; ; {
		m, base := t.block(p, from)
		if m == nil {
			return -1
		}
		for gts := m[markGT] >> uint(from-base) << uint(from-base); gts != 0; gts &= gts - 1 {
			g := base + bits.TrailingZeros64(gts)
			if g-2 >= i && p[g-1] == '-' && p[g-2] == '-' ||
				g-3 >= i && p[g-1] == '!' && p[g-2] == '-' && p[g-3] == '-' {
				return g + 1
			}
		}
		from = base + 64
	}
}

// tagEnd returns the index of the '>' that ends the start or end tag at
// the '<' p[j]: the first '>' when no quote comes before it, else the one
// quotedTag finds, or -1 when there is none it can tell. It reads the tag
// in the block that holds it when a '>' follows there, else from a window
// that starts at the '<' (tagEndAt).
func tagEnd(p []byte, t *markedBlocks, j int) int {
	if m, base := t.block(p, j); m != nil {
		b := j - base
		if g := bits.TrailingZeros64(m[markGT] >> b << b); g < 64 {
			if m[markQuote]&(uint64(1)<<g-1)>>b == 0 {
				return base + g
			}
			if g = quotedTag(p, m, base, b); g >= 0 {
				return base + g
			}
		}
	}
	return tagEndAt(p, t, j)
}

// tagEndAt is tagEnd in a window that starts at the '<' p[j], and, for a
// tag that runs past it, with longTag.
func tagEndAt(p []byte, t *markedBlocks, j int) int {
	w := t.windowAt(p, j)
	if w == nil {
		return -1
	}
	g := bits.TrailingZeros64(w[markGT])
	if g == 64 || w[markQuote]&(uint64(1)<<g-1) != 0 {
		if g = quotedTag(p, w, j, 0); g == runsPast {
			g = longTag(p, t, j)
		}
	}
	if g < 0 {
		return -1
	}
	return j + g
}

// noteText tells the tree when block m holds text that is not whitespace
// between bit off and the first bit of stop (the tags to look at and the
// quotes): up to there the runs are exactly the tags, and a byte outside
// them, from 0x21 on and no '<', '/' or quote, is a character of text.
func noteText(m *blockMarks, off uint, runs, stop uint64, tr *tree) {
	upTo := uint64(1)<<bits.TrailingZeros64(stop) - 1
	if stop == 0 {
		upTo = ^uint64(0)
	}
	if ^runs&^m[markNoName]&^m[markLT]&(^uint64(0)<<off)&upTo != 0 {
		tr.text()
	}
}

// letterKinds is the kind of each one-letter tag name, by its letter in
// either case (kNone for the letters no kind is named by, and for other
// bytes).
var letterKinds = func() (t [256]uint8) {
	for k, name := range kindNames {
		if len(name) == 1 {
			t[name[0]] = uint8(k)
			t[name[0]-'a'+'A'] = uint8(k)
		}
	}
	return t
}()

// quotedTag reads the tag whose '<' is bit b of the marks w of the 64
// bytes at p[base:], when it has the common shape with quoted values,
// such as <a href="/p/1" title='x>y'>, and ends within those bytes. It
// returns the bit of the '>' that really ends it, runsPast when no '<' or
// '>' outside its values comes before the end of the window (longTag
// reads such tags), or otherShape.
//
// It pairs the quotes of one kind after the tag's '<' (the other kind may
// only appear inside the pairs), and takes the first '>' or '<' outside
// the pairs. The pairs are quoted values, and that '>' the tag's end, when
// four things hold:
//   - the tag name (from the first letter to whitespace, '/' or '>') has
//     no '=' or quote;
//   - every opening quote follows an '=';
//   - every '=' outside the pairs is followed by an opening quote, so no
//     value is unquoted, and the values are exactly the pairs;
//   - every '=' outside the pairs follows a byte of an attribute name (not
//     whitespace, '/' or a quote), so the '=' is the one between a name
//     and its value, and a quote after it opens the value.
//
// The tokenizer then reads the tag the same way: after the name, in the
// attribute states, a quote opens a value only right after such an '='
// (and its value runs to the next quote of its kind), and once outside
// the values the first '>' ends the tag. A '<' outside the pairs is left
// to the exact path, as is a control byte in the tag name; before an
// '=', any byte below 0x21 counts as whitespace, which only sends a few
// more tags there.
func quotedTag(p []byte, w *blockMarks, base, b int) int {
	after := ^uint64(0) << b << 1 // the bits after the '<'
	dq := w[markDQ] & after
	sq := w[markQuote] &^ w[markDQ] & after
	marks := (w[markLT] | w[markGT]) & after

	// Pair the double quotes: the values are then the bits from each
	// opening quote up to its closing one, and the tag's end is the first
	// '<' or '>' outside them. Single quotes may appear inside the values
	// only; if one is outside, pair the single quotes instead.
	values := prefixXor(dq)
	e := bits.TrailingZeros64(marks &^ values)
	primary := dq
	if sq&^values&(uint64(1)<<e-1) != 0 {
		values = prefixXor(sq)
		e = bits.TrailingZeros64(marks &^ values)
		primary = sq
		if dq&^values&(uint64(1)<<e-1) != 0 {
			return otherShape // values in both kinds of quotes
		}
	}
	if e == 64 {
		return runsPast
	}
	if w[markGT]>>e&1 == 0 {
		return otherShape // a '<' in the tag
	}
	inside := after & (uint64(1)<<e - 1) // after the '<', before the '>'
	if _, _, ok := valueRules(w, inside, primary, values); !ok ||
		tagNameEnd(p, w, base, inside&(^uint64(0)<<(b+nameStart(p, base+b))), e) < 0 {
		return otherShape
	}
	return e
}

// valueRules checks, within window w, the rules that make the pairs of a
// tag's quotes (primary, with values their bits from opening quote up to
// the closing one) its quoted values, over the bits the tag covers in the
// window (inside): every opening quote follows an '=', every '=' outside
// the values is followed by an opening quote and follows a byte of an
// attribute name. It also returns the opening quotes and the '=' outside
// the values, for a window that follows to check across the boundary.
func valueRules(w *blockMarks, inside, primary, values uint64) (opens, eq uint64, ok bool) {
	quotes := primary & inside
	opens = quotes & values
	eq = w[markEq] & inside &^ (values | quotes)
	ok = opens>>1&^w[markEq] == 0 && eq<<1&^opens == 0 && eq>>1&w[markNoName] == 0
	return opens, eq, ok
}

// nameStart is the offset from the '<' p[j] of the tag's name: 1, or 2
// for an end tag (its attributes read the same way).
func nameStart(p []byte, j int) int {
	if p[j+1] == '/' {
		return 2
	}
	return 1
}

// tagNameEnd returns the bit of window w (at base) where the tag name
// ends, its bits being those of from: the first whitespace or '/', or the
// tag's end at bit e; 64 when the name runs past the window; or -1 when
// an '=', a quote or a control byte comes first, which would belong to
// the name.
func tagNameEnd(p []byte, w *blockMarks, base int, from uint64, e int) int {
	end := bits.TrailingZeros64((w[markNoName]|w[markEq])&from | uint64(1)<<e)
	if end < 64 {
		if c := p[base+end]; (w[markEq]|w[markQuote])>>end&1 != 0 || c < 0x21 && !isSpace(c) {
			return -1
		}
	}
	return end
}

// prefixXor sets each bit of x to the parity of the bits of x at or
// below it: for the bits of quotes, the bits from each opening quote up
// to (not including) the closing one.
func prefixXor(x uint64) uint64 {
	x ^= x << 1
	x ^= x << 2
	x ^= x << 4
	x ^= x << 8
	x ^= x << 16
	x ^= x << 32
	return x
}

// quotedTag results other than a window bit.
const (
	otherShape = -1
	runsPast   = -2
)

// longTag is quotedTag for a tag that runs past the window that starts at
// its '<' p[j]: it reads the tag window by window, up to maxTagWindows,
// with quotedTag's checks, carrying what they need of each window's last
// byte into the next: whether it is inside a value, an '=', a byte of
// markNoName, or an '=' outside the values (which needs an opening quote
// next). The quotes paired are those of the kind of the tag's first
// quote. It returns the offset from j of the tag's '>', or otherShape.
func longTag(p []byte, t *markedBlocks, j int) int {
	var (
		decided, double                       bool
		inValue, lastEq, lastNoName, needOpen uint64
	)
	after := ^uint64(1) // the bits after the '<'; in later windows, all
	nameFrom, inName := ^uint64(0)<<nameStart(p, j), true
	for base := j; base < j+maxTagWindows*64; base += 64 {
		w := t.windowAt(p, base)
		if w == nil {
			return otherShape
		}
		dq := w[markDQ] & after
		sq := w[markQuote] &^ w[markDQ] & after
		if q := dq | sq; !decided && q != 0 {
			decided, double = true, dq>>bits.TrailingZeros64(q)&1 != 0
		}
		primary, other := sq, dq
		if double {
			primary, other = dq, sq
		}
		values := prefixXor(primary) ^ -inValue
		e := bits.TrailingZeros64((w[markLT] | w[markGT]) & after &^ values)
		inside := after & (uint64(1)<<e - 1) // before the '>', or all of the window
		opens, eq, ok := valueRules(w, inside, primary, values)
		if !ok || other&^values&inside != 0 || // values in both kinds of quotes
			opens&1&^lastEq != 0 || needOpen&^opens != 0 || eq&lastNoName != 0 { // across the boundary
			return otherShape
		}
		if inName {
			switch end := tagNameEnd(p, w, base, inside&nameFrom, e); {
			case end < 0:
				return otherShape
			case end < 64:
				inName = false
			}
		}
		if e < 64 {
			if w[markGT]>>e&1 == 0 {
				return otherShape // a '<' in the tag
			}
			return base + e - j
		}
		inValue, lastEq, lastNoName, needOpen = values>>63, w[markEq]>>63, w[markNoName]>>63, eq>>63
		after, nameFrom = ^uint64(0), ^uint64(0)
	}
	return otherShape
}

// maxTagWindows bounds how far longTag reads a tag: 256 bytes; longer
// tags go to the exact path.
const maxTagWindows = 4

// The bytes that matter to the text walk (plainTags) and the quoted-tag
// check (quotedTag), one bit per byte. A mark's index in blockMarks.
const (
	markLT     = iota // '<'
	markGT            // '>'
	markQuote         // '"' or '\''
	markDQ            // '"'
	markEq            // '='
	markNoName        // a byte below 0x21, '/' or a quote: none can end an attribute name that '=' follows
	markLook          // a '<' whose next bytes may start something other than a plain tag (lookAt)
	markCtl           // a byte below 0x21 that is not whitespace: a control byte, which a tag name takes in
	markKinds
)

// blockMarks are the marks of one 64-byte block: bit k of each word is
// byte k of the block.
type blockMarks [markKinds]uint64

// markReach is how many bytes past a block markBlocks reads: markLook
// looks at the three bytes after a '<'.
const markReach = 3

// lookAt reports whether the bytes c1, c2, c3 after a '<' may start
// something other than a plain tag (one that changes nothing once it
// ends, and that the tree model does not need to hear of): they do unless
// c1 is a letter or '/', and they do when c1, c2 are the first two
// letters of a raw-text tag name ("sc", "st", "ti", "te", "no", "xm",
// "if", "pl") or of an element the tree model follows (lookPairs), or '/'
// and a byte that is not a letter or one such element's initial, or
// "/bo" (maybe "</body"), in any case. Other pairs are flagged too ("<ss",
// "<tx", "<hr", "</span"...): passLook sorts them, at the cost of a look.
//
// The pair test is two nibble lookups per byte, which the vector versions
// of markBlocks do with VPSHUFB: bit k of lookFirst(c1) & lookSecond(c2)
// is set when c1 is in the k-th set of first bytes and c2 in the k-th set
// of second bytes.
func lookAt(c1, c2, c3 byte) bool {
	return !isAlpha(c1) && c1 != '/' || lookFirst(c1)&lookSecond(c2) != 0 ||
		c1 == '/' && c2|0x20 == 'b' && c3|0x20 == 'o'
}

func lookFirst(c byte) byte  { return lookTables[0][c>>4] & lookTables[1][c&15] }
func lookSecond(c byte) byte { return lookTables[2][c>>4] & lookTables[3][c&15] }

// lookPairs are the eight sets of pairs lookAt flags, one per bit. A set
// is every pair of a first byte and a second byte drawn from its two byte
// sets; as the tables are indexed by nibble, each byte set grows to every
// byte whose high nibble and low nibble both occur in it (so "bs" also
// holds 'c' and 'r'). Letters count in either case.
var lookPairs = [8]struct{ first, second string }{
	{"bs", "ctemviuo"},        // script, style, select, small, strike, strong, svg, big, button, body
	{"t", "ieath"},            // title, textarea, table, template, tt, td, th
	{"nxecfm", "omar"},        // noscript, noembed, noframes, nobr, xmp, em, code, font, form, frameset, math, marquee
	{"ipoa", "flbp"},          // iframe, plaintext, object, applet
	{"/", lookBelowAt},        // an end tag with '/' then a byte that is no letter,
	{"/", "abcefimno@`"},      // or an initial of a followed element, a to o,
	{"/", "pstu{|}~\x7f"},     // or p to z
	{"abipsu", "\t\n\f\r />"}, // a, b, i, p, s, u
}

// lookBelowAt holds every byte below '@' and from 0x80 on: with their
// high nibbles, the bytes that are not letters.
var lookBelowAt = func() string {
	var b []byte
	for c := 0; c < 256; c++ {
		if c < '@' || c >= 0x80 {
			b = append(b, byte(c))
		}
	}
	return string(b)
}()

// lookTables are the nibble tables of lookAt, built from lookPairs: the
// sets of first bytes by high and low nibble, then those of second bytes.
// No first byte from 0x80 on is in a set, so the vector versions may look
// its low nibble up without masking the byte (VPSHUFB gives zero for it).
var lookTables = func() (t [4][16]byte) {
	for k, pair := range lookPairs {
		for i, set := range []string{pair.first, pair.second} {
			for _, c := range []byte(set) {
				for _, c := range []byte{c, lower(c), upper(c)} {
					t[2*i][c>>4] |= 1 << k
					t[2*i+1][c&15] |= 1 << k
				}
			}
		}
	}
	return t
}()

// upper folds an ASCII lower-case letter to upper case.
func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// blockLookahead is how many bytes from i plainTags needs to start: a
// block and the fastLookahead bytes the tag tests read past its end.
const blockLookahead = 64 + fastLookahead

// chunkBlocks is how many blocks are marked at a time (2 KB of input).
const chunkBlocks = 32

// markedBlocks holds the marks of up to chunkBlocks consecutive 64-byte
// blocks of the buffer, from index first on, and a window: the marks of
// 64 bytes that start at any index, cut from two blocks.
type markedBlocks struct {
	first  int // index in the buffer of blocks[0]
	count  int // blocks marked from first on
	blocks [chunkBlocks]blockMarks
	window blockMarks
}

// block returns the marks of the block that holds index i and the index
// the block starts at, marking up to chunkBlocks blocks from i on when i
// is not in one. Blocks end fastLookahead bytes before the end of p at
// the latest (the tag tests read that far past a '<'); nil means i is
// closer to the end than that.
func (t *markedBlocks) block(p []byte, i int) (*blockMarks, int) {
	if off := uint(i - t.first); off < uint(t.count)<<6 {
		return &t.blocks[off>>6&(chunkBlocks-1)], i - int(off&63)
	}
	return t.markFrom(p, i)
}

// markFrom marks up to chunkBlocks blocks from i on, and returns the
// first as block does.
func (t *markedBlocks) markFrom(p []byte, i int) (*blockMarks, int) {
	t.first = i
	t.count = min(chunkBlocks, (len(p)-i-fastLookahead)>>6)
	if t.count <= 0 {
		t.count = 0
		return nil, i
	}
	markBlocks(p[i:i+t.count<<6+markReach], t.blocks[:t.count])
	return &t.blocks[0], i
}

// windowAt returns the marks of the 64 bytes at p[j:], cut from the
// blocks when they hold them (else marked afresh), or nil when fewer than
// 64+fastLookahead bytes are left. A window cut from the blocks has no
// markLook, which quotedTag does not read.
func (t *markedBlocks) windowAt(p []byte, j int) *blockMarks {
	off := j - t.first
	k, s := off>>6, uint(off&63)
	switch {
	case off >= 0 && s == 0 && k < t.count:
		return &t.blocks[k]
	case off >= 0 && k+1 < t.count:
		b, next, w := &t.blocks[k], &t.blocks[k+1], &t.window
		w[markLT] = b[markLT]>>s | next[markLT]<<(64-s)
		w[markGT] = b[markGT]>>s | next[markGT]<<(64-s)
		w[markQuote] = b[markQuote]>>s | next[markQuote]<<(64-s)
		w[markDQ] = b[markDQ]>>s | next[markDQ]<<(64-s)
		w[markEq] = b[markEq]>>s | next[markEq]<<(64-s)
		w[markNoName] = b[markNoName]>>s | next[markNoName]<<(64-s)
	case len(p)-j >= 64+fastLookahead:
		var one [1]blockMarks
		markBlocks(p[j:j+64+markReach], one[:])
		t.window = one[0]
	default:
		return nil
	}
	return &t.window
}

// markBlocks sets out[k] to the marks of the 64-byte block p[64k:64k+64];
// p holds len(out) blocks and markReach bytes more.
func markBlocks(p []byte, out []blockMarks) {
	if len(out) == 0 {
		return
	}
	_ = p[len(out)<<6+markReach-1]
	markBlocksVector(p, out)
}

// markBlocksBytes is markBlocks a byte at a time, straight from the
// definitions of the marks: the version for machines without a vector
// one, and the reference the vector versions are tested against.
func markBlocksBytes(p []byte, out []blockMarks) {
	for k := range out {
		block := p[k<<6 : k<<6+64+markReach]
		var m blockMarks
		for i, c := range block[:64] {
			bit := uint64(1) << i
			switch c {
			case '<':
				m[markLT] |= bit
				if lookAt(block[i+1], block[i+2], block[i+3]) {
					m[markLook] |= bit
				}
			case '>':
				m[markGT] |= bit
			case '"':
				m[markQuote] |= bit
				m[markDQ] |= bit
			case '\'':
				m[markQuote] |= bit
			case '=':
				m[markEq] |= bit
			}
			if c < 0x21 || c == '/' || c == '"' || c == '\'' {
				m[markNoName] |= bit
			}
			if c < 0x21 && !isSpace(c) {
				m[markCtl] |= bit
			}
		}
		out[k] = m
	}
}
