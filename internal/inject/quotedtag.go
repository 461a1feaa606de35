package inject

import "math/bits"

// quotedTag reads the tag whose '<' is bit b of the marks w of the 64
// bytes at p[base:], when it has the common shape with quoted values,
// such as <a href="/p/1" title='x>y'>, and ends within those bytes. It
// returns the bit of the '>' that really ends it, or otherShape.
//
// It pairs each quote, from the tag's '<' on, with the next quote of the
// same kind, until a '>' or '<' comes outside the pairs. The pairs are
// quoted values, and that '>' the tag's end, when four things hold:
//   - the tag name (from the first letter to whitespace, '/' or '>') has
//     no '=' or quote;
//   - every opening quote follows an '=';
//   - every '=' outside the pairs is followed by an opening quote, so no
//     value is unquoted, and the values are exactly the pairs;
//   - every '=' outside the pairs follows a byte that can end an attribute
//     name (not whitespace, '/' or a quote), so the '=' is the one between
//     a name and its value, and a quote after it opens the value.
//
// The tokenizer then reads the tag the same way: after the name, in the
// attribute states, a quote opens a value only right after such an '='
// (and its value runs to the next quote of its kind), and once outside
// the values the first '>' ends the tag. A '<' outside the pairs is left
// to the exact path, as is a control byte in the tag name; before an
// '=', any byte below 0x21 counts as whitespace, which only sends a few
// more tags there.
func quotedTag(p []byte, w *blockMarks, base, b int) int {
	var pairs, opens uint64
	k := uint(b + 1)
	for {
		rest := ^uint64(0) << k
		e := bits.TrailingZeros64((w[markLT] | w[markGT]) & rest)
		q := bits.TrailingZeros64(w[markQuote] & rest)
		if q < e {
			same := w[markDQ]
			if same>>q&1 == 0 {
				same = w[markQuote] &^ w[markDQ]
			}
			c := bits.TrailingZeros64(same & (^uint64(0) << q << 1))
			if c >= 63 {
				return otherShape // the value, or the tag, runs past the window
			}
			pairs |= (uint64(2)<<c - 1) &^ (uint64(1)<<q - 1)
			opens |= 1 << q
			k = uint(c + 1)
			continue
		}
		if e == 64 || w[markGT]>>e&1 == 0 {
			return otherShape // a long tag, or a '<' in the tag
		}
		inside := (uint64(1)<<e - 1) &^ (uint64(2)<<b - 1) // after the '<', before the '>'
		name := b + 1
		if p[base+name] == '/' {
			name++ // an end tag: attributes read the same way
		}
		eq := w[markEq] & inside &^ pairs
		nameEnd := bits.TrailingZeros64((w[markNoName]|w[markEq])&inside&(^uint64(0)<<name) | uint64(1)<<e)
		if (w[markEq]|w[markQuote])>>nameEnd&1 != 0 ||
			p[base+nameEnd] < 0x21 && !isSpace(p[base+nameEnd]) || // a control byte, part of the name
			opens>>1&^w[markEq] != 0 ||
			eq<<1&^opens != 0 ||
			eq>>1&w[markNoName] != 0 {
			return otherShape
		}
		return e
	}
}

// otherShape is what quotedTag returns for a tag it does not read.
const otherShape = -1
