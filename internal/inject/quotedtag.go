package inject

import "math/bits"

// quotedTag reads the tag whose '<' is bit b of window t when it has the
// common shape with quoted values, such as <a href="/p/1" title='x>y'>,
// and returns the window bit of the '>' that really ends it, pastWindow
// when that is not within the window, or otherShape for the exact path.
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
func quotedTag(p []byte, t *textBlock, b int) int {
	m := &t.m
	var pairs, opens uint64
	k := uint(b + 1)
	for {
		rest := ^uint64(0) << k
		e := bits.TrailingZeros64((m[markLT] | m[markGT]) & rest)
		q := bits.TrailingZeros64(m[markQuote] & rest)
		if q < e {
			same := m[markDQ]
			if same>>q&1 == 0 {
				same = m[markQuote] &^ m[markDQ]
			}
			c := bits.TrailingZeros64(same & (^uint64(0) << q << 1))
			if c >= 63 {
				return pastWindow // the value, or the tag, runs past the window
			}
			pairs |= (uint64(2)<<c - 1) &^ (uint64(1)<<q - 1)
			opens |= 1 << q
			k = uint(c + 1)
			continue
		}
		if e == 64 {
			return pastWindow
		}
		if m[markGT]>>e&1 == 0 {
			return otherShape // a '<' in the tag
		}
		inside := (uint64(1)<<e - 1) &^ (uint64(2)<<b - 1) // after the '<', before the '>'
		name := b + 1
		if p[t.base+name] == '/' {
			name++ // an end tag: attributes read the same way
		}
		eq := m[markEq] & inside &^ pairs
		nameEnd := bits.TrailingZeros64((m[markNoName]|m[markEq])&inside&(^uint64(0)<<name) | uint64(1)<<e)
		if (m[markEq]|m[markQuote])>>nameEnd&1 != 0 ||
			p[t.base+nameEnd] < 0x21 && !isSpace(p[t.base+nameEnd]) || // a control byte, part of the name
			opens>>1&^m[markEq] != 0 ||
			eq<<1&^opens != 0 ||
			eq>>1&m[markNoName] != 0 {
			return otherShape
		}
		return e
	}
}

// quotedTag results other than a window bit.
const (
	otherShape = -1
	pastWindow = -2
)
