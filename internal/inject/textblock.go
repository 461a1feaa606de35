package inject

import "math/bits"

// plainTags runs through text and tags from index i in the data state,
// a 64-byte window at a time, and returns the index of the first '<' that
// needs a closer look (plainTag, or the exact path), or, near the end of
// p, an index in the data state at which it stopped.
//
// Why this is exact: in text only '<' changes the state. A start or end
// tag ends at the first '>' after its '<' unless a quote comes first:
// only a quoted attribute value can hide a '>', and every other attribute
// state ends the tag at '>'. So, but for quotes, a window's tags are the
// runs from a '<' in text to the next '>', and they are found for the
// whole window at once: adding the '<' bits to the mask of the bytes that
// are neither '<' nor '>' carries each '<' up to the next '>' (see
// tagRuns). Of the tags, only those whose first two bytes are flagged in
// closerLook (comments, raw-text elements, "</b", '<' that starts no tag)
// and those with a quote need a look; the others are passed over without
// one. A tag with quotes is read by quotedTag, which finds its real end
// (the runs of that window are worked out again from there); comments,
// raw-text elements and the tags quotedTag does not take go to the exact
// path. A '>' in text is text.
func plainTags(p []byte, i int, t *textBlock) int {
	n := len(p)
	for {
		if uint(i-t.base) >= 64 {
			if n-i < blockLookahead {
				return i
			}
			t.load(p, i)
		}
		off := uint(i - t.base)
		starts, runs, open := tagRuns(&t.m, off)
		look := closerLooks(p, t.base, starts)
		quoted := t.m[markQuote] & runs

		for {
			h, q := bits.TrailingZeros64(look), bits.TrailingZeros64(quoted)
			if h < q { // a tag to look at comes first
				if j := t.base + h; !plainTag(p, j) {
					return j
				}
				look &= look - 1
				continue
			}
			if q == 64 {
				break // nothing else in the window needs a look
			}
			// The quote's tag starts at the highest '<' at or below it.
			b := bits.Len64(starts&(2<<q-1)) - 1
			g := quotedTag(p, t, b)
			if g == pastWindow && b != 0 && n-(t.base+b) >= blockLookahead {
				t.load(p, t.base+b) // try again in a window that starts at the tag
				i = t.base
				goto next
			}
			if g < 0 {
				return t.base + b
			}
			if runEnd := bits.TrailingZeros64(t.m[markGT] >> b << b); g == runEnd {
				quoted &^= 2<<g - 1 // no '>' in the values: the runs still hold
				continue
			}
			i = t.base + g + 1 // on after the tag's real '>', in runs worked out again
			goto next
		}
		if open {
			// The last tag runs past the window: read it in one that
			// starts at its '<', unless this one did.
			b := bits.Len64(starts) - 1
			if b == 0 || n-(t.base+b) < blockLookahead {
				return t.base + b
			}
			t.load(p, t.base+b)
			i = t.base
			continue
		}
		i = t.base + 64
	next:
	}
}

// tagRuns finds the tags of window m from bit off on, off being in the
// data state: the bits of their first '<' (starts), the bits from each
// such '<' to the next '>' inclusive (runs), and whether the last run
// reaches past the window (open). It does not know about quotes.
//
// Adding the starts to the mask of the bytes that are neither '<' nor
// '>' (plus the starts) carries each '<' through the bytes up to the next
// '>', turning them to zero and that '>' to one, and leaves all else
// alone; xor with the mask recovers the run. A '<' inside a run is
// carried over like any other byte.
func tagRuns(m *blockMarks, off uint) (starts, runs uint64, open bool) {
	from := ^uint64(0) << off
	lt := m[markLT] & from
	free := (lt | ^(m[markLT] | m[markGT])) & from
	sum, carry := bits.Add64(lt, free, 0)
	runs = (free ^ sum) | lt
	starts = lt &^ (runs &^ m[markGT] << 1)
	return starts, runs, carry != 0
}

// closerLooks returns the bits of the starts of window base whose two
// bytes after the '<' are flagged in closerLook.
func closerLooks(p []byte, base int, starts uint64) uint64 {
	var look uint64
	for s := starts; s != 0; s &= s - 1 {
		b := bits.TrailingZeros64(s)
		pair := uint16(p[base+b+1]) | uint16(p[base+b+2])<<8
		look |= closerLook.bit(pair) << b
	}
	return look
}

// closerLook flags the pairs of bytes after a '<' (read as a little-endian
// uint16) that may begin something other than a plain tag: anything but
// a letter or '/' and a letter, the first two letters of a raw-text tag
// name, and "/b" (which may be "</body"), in any case. A tag whose pair is
// not flagged needs nothing but its end found; plainTag sorts the others.
var closerLook = func() (t bitTable) {
	for pair := 0; pair < 1<<16; pair++ {
		c1, c2 := byte(pair), byte(pair>>8)
		switch {
		case isAlpha(c1):
			for _, name := range rawNames[1:] {
				if lower(c1) == name[0] && lower(c2) == name[1] {
					t.set(uint16(pair))
				}
			}
		case c1 == '/' && isAlpha(c2):
			if lower(c2) == 'b' {
				t.set(uint16(pair))
			}
		default:
			t.set(uint16(pair))
		}
	}
	return t
}()

// bitTable is a set of uint16 values, one bit each (8 KB).
type bitTable [1 << 10]uint64

func (t *bitTable) set(v uint16)        { t[v>>6] |= 1 << (v & 63) }
func (t *bitTable) bit(v uint16) uint64 { return t[v>>6] >> (v & 63) & 1 }

// plainTag reports whether the tag at the '<' p[j] (with fastLookahead
// bytes after it) is a start tag that is not a raw-text element or an
// end tag that is not "</body": a tag that changes nothing once it ends.
func plainTag(p []byte, j int) bool {
	u := load64(p, j+1)
	c := byte(u)
	if c == '/' {
		return isAlpha(byte(u>>8)) && uint32(u>>8)|0x20202020 != bodyWord
	}
	if !isAlpha(c) {
		return false
	}
	if !rawInitial[c] {
		return true
	}
	f := nameEnds(u)
	if f == 0 {
		return false // a long name: the exact path reads it
	}
	k := firstFlag(f)
	return isNameEnd(byte(u>>(8*k))) && (rawNameLens>>k&1 == 0 || rawKindOf(p[j+1:j+1+k]) == rawNone)
}
