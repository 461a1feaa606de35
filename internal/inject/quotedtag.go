package inject

import "math/bits"

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
