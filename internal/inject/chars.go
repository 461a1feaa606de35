package inject

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Character classes used by the scanner, as bit flags in charClass.
const (
	// clsSpace: the whitespace of the HTML tokenizer. CR counts because the
	// input stream preprocessing turns it into LF before tokenizing.
	clsSpace = 1 << iota
	// clsAlpha: ASCII letters, which start a tag name.
	clsAlpha
	// clsNameEnd: bytes that end a tag name (whitespace, '/', '>').
	clsNameEnd
	// clsAttrNameEnd: bytes that end an attribute name (whitespace, '/', '=', '>').
	clsAttrNameEnd
	// clsUnquotedEnd: bytes that end an unquoted attribute value (whitespace, '>').
	clsUnquotedEnd
)

// charClass maps every byte to its clsXxx flags.
var charClass = func() (t [256]uint8) {
	for _, c := range []byte("\t\n\f\r ") {
		t[c] |= clsSpace | clsNameEnd | clsAttrNameEnd | clsUnquotedEnd
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= clsAlpha
		t[c-'a'+'A'] |= clsAlpha
	}
	t['/'] |= clsNameEnd | clsAttrNameEnd
	t['='] |= clsAttrNameEnd
	t['>'] |= clsNameEnd | clsAttrNameEnd | clsUnquotedEnd
	return t
}()

func isSpace(c byte) bool   { return charClass[c]&clsSpace != 0 }
func isAlpha(c byte) bool   { return charClass[c]&clsAlpha != 0 }
func isNameEnd(c byte) bool { return charClass[c]&clsNameEnd != 0 }

// lower folds an ASCII upper-case letter to lower case and leaves every other
// byte alone, as the tokenizer does for tag names.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether p starts with name, ignoring ASCII case.
// name must be lower-case letters only: for those, c|0x20 == letter holds
// exactly for the letter in either case and for no other byte.
func hasPrefixFold(p []byte, name string) bool {
	if len(p) < len(name) {
		return false
	}
	for k := 0; k < len(name); k++ {
		if p[k]|0x20 != name[k] {
			return false
		}
	}
	return true
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// The SWAR (SIMD within a register) helpers below test eight bytes at once.
// They set the high bit of each flagged byte; only the lowest flag is
// exact (a borrow can raise false flags above a true one), which is all a
// "first byte that..." search needs.

// load64 reads the eight bytes at p[i:] as a little-endian word.
func load64(p []byte, i int) uint64 { return binary.LittleEndian.Uint64(p[i:]) }

// eqBytes flags the bytes of w equal to c.
func eqBytes(w uint64, c byte) uint64 {
	x := w ^ (swarOnes * uint64(c))
	return (x - swarOnes) &^ x & swarHighs
}

// belowSpace flags the bytes of w below 0x21: whitespace and control bytes.
func belowSpace(w uint64) uint64 {
	return (w - swarOnes*0x21) &^ w & swarHighs
}

// firstFlag converts the lowest flag of t (non-zero) to a byte offset.
func firstFlag(t uint64) int { return bits.TrailingZeros64(t) >> 3 }

// opensComment reports whether w, the bytes after a '<' as a little-endian
// word, starts with "!--".
func opensComment(w uint64) bool { return uint32(w)&0xffffff == '!'|'-'<<8|'-'<<16 }

// indexByteFrom returns the index of the first c in p at or after i, or -1.
// In tag-dense HTML the next '<' or closing quote is usually a few bytes
// away, where the call and setup costs of bytes.IndexByte dominate; two
// words are probed in registers before handing long runs to the
// vectorised search.
func indexByteFrom(p []byte, i int, c byte) int {
	for end := i + 16; i+8 <= len(p) && i < end; i += 8 {
		if t := eqBytes(load64(p, i), c); t != 0 {
			return i + firstFlag(t)
		}
	}
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return -1
}

// nameStops flags the bytes of w that end an attribute name: '=', '/', '>'.
func nameStops(w uint64) uint64 { return eqBytes(w, '=') | eqBytes(w, '/') | eqBytes(w, '>') }

// nameEnds flags the bytes of w that may end a tag name: whitespace, '/',
// '>', and control bytes, which the caller must check with isNameEnd.
func nameEnds(w uint64) uint64 { return belowSpace(w) | eqBytes(w, '/') | eqBytes(w, '>') }

// indexNameStop returns the index of the first '=', '/' or '>' in p at or
// after i, or len(p): inside a tag, outside values, nothing else changes
// the tokenizer's state (see attrs).
func indexNameStop(p []byte, i int) int {
	for ; i+8 <= len(p); i += 8 {
		if t := nameStops(load64(p, i)); t != 0 {
			return i + firstFlag(t)
		}
	}
	for ; i < len(p); i++ {
		if c := p[i]; c == '=' || c == '/' || c == '>' {
			break
		}
	}
	return i
}

// indexNameEnd returns the index of the first byte at or after i that ends
// a tag name (whitespace, '/', '>'), or len(p).
func indexNameEnd(p []byte, i int) int {
	for i+8 <= len(p) {
		t := nameEnds(load64(p, i))
		if t == 0 {
			i += 8
			continue
		}
		i += firstFlag(t)
		if isNameEnd(p[i]) {
			return i
		}
		i++ // a control byte that is not whitespace belongs to the name
	}
	for i < len(p) && !isNameEnd(p[i]) {
		i++
	}
	return i
}

// bodyWord is "body" as a little-endian 32-bit word, for the case-insensitive
// four-byte compare in the end-tag fast path.
const bodyWord = 'b' | 'o'<<8 | 'd'<<16 | 'y'<<24
