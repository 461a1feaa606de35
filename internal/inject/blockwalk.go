package inject

import "math/bits"

// plainTags runs through text and tags from index i in the data state, a
// 64-byte block of marks (marks.go) at a time, and returns the index of
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
// runs are worked out again if a value hid a '>'. What neither takes
// ("</body", DOCTYPEs, scripts with "<!--", tags of other shapes) goes to
// the exact path. A '>' in text is text.
//
// told reports whether the tree has heard of the tag at the returned '<'
// already: a tag the walk looked at and told the tree of, whose quoted
// values it then could not follow to the end. The exact path reads it
// again and must not tell the tree twice (a formatting element would
// count as open twice).
func plainTags(p []byte, i int, t *markedBlocks, tr *tree) (j int, told bool) {
	open := -1     // the '<' of a tag that runs on from the previous block
	lastTold := -1 // the '<' of the last tag told to the tree here
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
		}
		starts, runs, carry := tagRuns(m, uint(i-base), in)
		look := m[markLook] & starts
		quoted := m[markQuote] & runs
		if tr.needText() {
			noteText(m, uint(i-base), runs, look|quoted, tr)
		}

		for {
			h, q := bits.TrailingZeros64(look), bits.TrailingZeros64(quoted)
			if h < q { // a tag to look at comes first
				j := base + h
				if shortTag(load64(p, j+1), tr) {
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
	lt := m[markLT] & from
	free := (lt | ^(m[markLT] | m[markGT])) & from
	sum, carry := bits.Add64(lt, free, in)
	runs = free ^ sum | lt
	return lt &^ (runs&^m[markGT]<<1 | in), runs, carry
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

// shortTag tells the tree of a start or end tag of one or two letters
// and no attributes ("<b>", "</i>", "<em>"), the bytes after whose '<'
// are u, and reports whether it was one: the tags the tree model hears
// of most, and none of them raw text.
func shortTag(u uint64, tr *tree) bool {
	end := byte(u) == '/'
	if end {
		u >>= 8
	}
	var k uint8
	switch {
	case byte(u>>8) == '>' && (end || isAlpha(byte(u))):
		// "<0>" is text, which the tree may be waiting for; "</0>" is a
		// bogus comment, which changes nothing.
		k = letterKinds[byte(u)]
	case byte(u>>16) == '>' && isAlpha(byte(u>>8)) && isAlpha(byte(u)):
		k = kindOfWord(u, 2)
	default:
		return false
	}
	switch {
	case k == kNone:
	case k < kNobr && !end: // a formatting element opens
		f := &tr.frames[tr.depth]
		if f.open[k] >= 3 {
			tr.spoil()
		}
		f.open[k]++
		f.sum++
	case k < kNobr && tr.frames[tr.depth].open[k] > 0: // one closes
		f := &tr.frames[tr.depth]
		f.open[k]--
		f.sum--
	case end:
		tr.end(k)
	default:
		tr.start(k)
	}
	return true
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
