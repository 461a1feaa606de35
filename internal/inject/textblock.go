package inject

import (
	"encoding/binary"
	"math/bits"
)

// textBlock marks, one bit per byte, the bytes of a 64-byte window of the
// buffer that matter in text and in tags without quoted values: '<' and
// '>' in marks, the two quotes in quotes. Windows start anywhere (a tag
// that runs past one is read again in a window that starts at its '<');
// each is cut from the marks of the aligned 64-byte blocks that markBlocks
// computes, up to chunkBlocks of them at a time, so marking costs a few
// vector instructions per block however often the window moves.
type textBlock struct {
	base   int // index in the buffer of the window's first byte
	marks  uint64
	quotes uint64

	first  int // index in the buffer of blocks[0]
	count  int // blocks marked from first on
	blocks [chunkBlocks]blockMarks
}

// blockMarks are the marks of one 64-byte block: bit k is byte k.
type blockMarks struct{ marks, quotes uint64 }

// chunkBlocks is how many blocks are marked at a time (2 KB of input).
const chunkBlocks = 32

// blockLookahead is how many bytes from a window's start plainTags needs:
// the window and the fastLookahead bytes the tag tests read past its end.
const blockLookahead = 64 + fastLookahead

// noBlock is a textBlock base that no index lies in the window of.
const noBlock = -64

// load sets the window to the 64 bytes at p[base:]; p must hold them.
func (t *textBlock) load(p []byte, base int) {
	off := base - t.first
	k, s := off>>6, uint(off&63)
	if off < 0 || k >= t.count || s != 0 && k+1 >= t.count {
		t.first = base
		t.count = min(chunkBlocks, (len(p)-base)>>6)
		markBlocks(p[base:base+t.count<<6], t.blocks[:t.count])
		k, s = 0, 0
	}
	t.base = base
	b := &t.blocks[k]
	t.marks, t.quotes = b.marks, b.quotes
	if s != 0 {
		next := &t.blocks[k+1]
		t.marks = t.marks>>s | next.marks<<(64-s)
		t.quotes = t.quotes>>s | next.quotes<<(64-s)
	}
}

// markBlocksGeneric is markBlocks in portable Go: eight bytes at a time,
// with marks8.
func markBlocksGeneric(p []byte, out []blockMarks) {
	for k := range out {
		w := p[k<<6 : k<<6+64 : k<<6+64]
		var m, q uint64
		for i := 0; i < 8; i++ {
			mi, qi := marks8(binary.LittleEndian.Uint64(w[8*i:]))
			m |= mi << (8 * i)
			q |= qi << (8 * i)
		}
		out[k] = blockMarks{marks: m, quotes: q}
	}
}

// marks8 returns a bit for each of the eight bytes of x that is '<' or
// '>', and one for each that is a double or single quote.
func marks8(x uint64) (uint64, uint64) {
	return gather(zeroBytes(x^swarOnes*'<') | zeroBytes(x^swarOnes*'>')),
		gather(zeroBytes(x^swarOnes*'"') | zeroBytes(x^swarOnes*'\''))
}

// zeroBytes flags, exactly, the zero bytes of x: adding 0x7f to the low
// seven bits of a byte sets its bit 7 unless they are all zero, with no
// carry into the next byte, and or-ing x back in rules out bytes with bit
// 7 set.
func zeroBytes(x uint64) uint64 {
	return ^((x&(swarOnes*0x7f) + swarOnes*0x7f) | x) & swarHighs
}

// gather packs bit 7 of each byte of x into bits 0 to 7, byte order kept.
// The multiplier's terms are 2^(7m) for m = 0..7, so bit 7 of byte k
// reaches bit 56+k exactly when k+m = 7; no two terms meet, so nothing
// carries.
func gather(x uint64) uint64 { return (x & swarHighs) * 0x0002040810204081 >> 56 }

// plainTags runs through text and the tags that need nothing but their
// end found, from index i in the data state. It returns the index of the
// first '<' that needs a closer look, or, near the end of p, an index in
// the data state at which it stopped.
//
// Why this is exact: in text only '<' changes the state. A start or end
// tag ends at the first '>' after its '<' unless a quote comes first:
// only a quoted attribute value can hide a '>', and every other attribute
// state ends the tag at '>'. So a tag with no quote between its '<' and
// the next '>' is over at that '>', and it matters only if it is a
// raw-text start tag or "</body" (plainTag). Comments, "<!" and "<?"
// constructs, '<' that starts no tag, and tags with a quote go to the
// exact path. A '>' in text is text.
//
// The marks of a window are computed once, so the walk from one tag to
// the next is a few bit operations on a word in a register, rather than
// a search that must wait for the previous tag's end to be known.
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
		m := t.marks >> off << off
		for {
			if m == 0 {
				i = t.base + 64
				break
			}
			b := bits.TrailingZeros64(m)
			m &= m - 1
			j := t.base + b
			u := load64(p, j)
			if byte(u) != '<' {
				continue // a '>' in text
			}
			if m == 0 { // the tag runs past the window: start one at its '<'
				if b == 0 || n-j < blockLookahead {
					return j
				}
				t.load(p, j)
				m = t.marks
				continue
			}
			e := bits.TrailingZeros64(m)
			m &= m - 1
			if p[t.base+e] != '>' || t.quotes&(1<<e-1)>>b != 0 {
				g := quotedTag(p, t, j)
				if g == pastWindow && b != 0 && n-j >= blockLookahead {
					t.load(p, j) // try again in a window that starts at the tag
					b, g = 0, quotedTag(p, t, j)
				}
				if g < 0 {
					return j
				}
				m = t.marks >> g >> 1 << g << 1 // on after the tag's '>' at bit g
				continue
			}
			if closerLook.has(uint16(u>>8)) && !plainTag(p, j) {
				return j
			}
		}
	}
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

func (t *bitTable) set(v uint16)      { t[v>>6] |= 1 << (v & 63) }
func (t *bitTable) has(v uint16) bool { return t[v>>6]>>(v&63)&1 != 0 }

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

// quotedTag reads the start tag at the '<' p[j] of window t when it has
// the common shape with quoted values, such as <a href="/p/1" title='x'>:
// a name that is no raw-text name, and attributes each written as one
// whitespace byte, a name of at most eight bytes, '=' and a quoted value;
// after the last one, anything without quotes up to the first '>'. It
// returns the window bit of the tag's '>', pastWindow when it does not end
// within the window, or otherShape: the exact path reads those.
//
// Why the shape is exact: after the tag name, or after a quoted value,
// whitespace leads to the before-attribute-name state; a byte that is not
// whitespace, '/', '=' or '>' starts a name and the name states run to
// '='; a quote right after that '=' opens a value that only the same
// quote closes (the window marks every quote, so the closing one is the
// next mark that is the same byte). After the closing quote, with no
// quote before the next '>', that '>' ends the tag whatever the states in
// between, as for a tag without quotes.
func quotedTag(p []byte, t *textBlock, j int) int {
	u := load64(p, j+1)
	if closerLook.has(uint16(u)) {
		return otherShape
	}
	f := nameEnds(u)
	if f == 0 {
		return otherShape
	}
	a := j + 1 + firstFlag(f) - t.base // window index of the whitespace before an attribute
	for a < 63 && isSpace(p[t.base+a]) {
		above := ^uint64(0) << a << 1
		q := t.quotes & above
		if q == 0 { // no quote before the '>'
			g := t.marks & above
			if g == 0 {
				return pastWindow
			}
			if p[t.base+bits.TrailingZeros64(g)] != '>' {
				return otherShape
			}
			return bits.TrailingZeros64(g) // no quote before this '>'
		}
		o := bits.TrailingZeros64(q) // the opening quote
		name := o - a - 2
		if name < 1 || firstFlag(attrNameStops(load64(p, t.base+a+1))) != name {
			return otherShape // not whitespace, a name, '=' and the quote
		}
		c := p[t.base+o]
		if c != '"' && c != '\'' || p[t.base+o-1] != '=' {
			return otherShape
		}
		q &= q - 1
		for q != 0 && p[t.base+bits.TrailingZeros64(q)] != c {
			q &= q - 1
		}
		if q == 0 {
			return pastWindow // the value runs past the window
		}
		a = bits.TrailingZeros64(q) + 1 // after the closing quote
		switch p[t.base+a] {
		case '>':
			return a
		case '/':
			if p[t.base+a+1] == '>' && a < 63 {
				return a + 1
			}
			return otherShape
		}
	}
	return otherShape
}

// quotedTag results other than a window bit.
const (
	otherShape = -1
	pastWindow = -2
)

// attrNameStops flags the bytes of w that end an attribute name or are
// whitespace or control bytes: '=', '/', '>' and bytes below 0x21.
func attrNameStops(w uint64) uint64 { return nameStops(w) | belowSpace(w) }
