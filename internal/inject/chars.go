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

// indexByteFrom returns the index of the first c in p at or after i, or -1.
// Tag-dense HTML has its next '<' or closing quote a few bytes away, where
// the call and setup costs of bytes.IndexByte dominate; one 8-byte word is
// probed in registers first (a SWAR zero-byte test; the lowest flagged byte
// is always exact) before handing long runs to the vectorised search.
func indexByteFrom(p []byte, i int, c byte) int {
	if len(p)-i >= 8 {
		x := binary.LittleEndian.Uint64(p[i:]) ^ (swarOnes * uint64(c))
		if t := (x - swarOnes) &^ x & swarHighs; t != 0 {
			return i + bits.TrailingZeros64(t)>>3
		}
		i += 8
	}
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return -1
}

// bodyWord is "body" as a little-endian 32-bit word, for the case-insensitive
// four-byte compare in the end-tag fast path.
const bodyWord = 'b' | 'o'<<8 | 'd'<<16 | 'y'<<24

// isBodyName reports whether p (at least 5 bytes) starts with the tag name
// "body" in any case, followed by a byte that ends a tag name.
func isBodyName(p []byte) bool {
	return binary.LittleEndian.Uint32(p)|0x20202020 == bodyWord && isNameEnd(p[4])
}
