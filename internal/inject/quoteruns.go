package inject

import "math/bits"

// quoteRuns works out a block's tags together with their quoted attribute
// values, for the whole block at once, where plainTags reads the quotes
// of one tag at a time (quotedTag, and for a tag that runs past its block,
// windows from its '<' and longTag). The walk calls it for a block whose
// last tag has a quote and runs on, and for each block such a tag runs
// into: long tags with quoted values, such as an <img> with a srcset, then
// cost no more than their bytes' marks.
//
// It takes tagRuns' starts, runs and carry for the block from bit off on
// (in is 1 when a tag runs on into it) and pairs the double quotes in the
// runs: the values are the bits from each opening quote up to, not
// including, its closing one. When a '>' hides in a value (or a value
// seems to reach into text), it pairs every double quote from off on and
// works the runs out again without the '<' and '>' in values, which holds
// when all of them are in tags. The pairs are the tokenizer's quoted
// values, and the runs its tags, when in every run (checked with masks,
// as quotedTag checks one tag):
//   - no single quote is outside the double-quoted values;
//   - every opening quote follows an '=', and every '=' outside the
//     values follows a byte of an attribute name;
//   - after an '=' outside the values that no quote follows (an unquoted
//     value), no quote comes before the tag's '>';
//   - every tag name ends at whitespace, '/' or '>', not at an '=', a
//     quote or a control byte, which the name would take in.
//
// If so it returns the runs and ok; else only ok false, and the block is
// read tag by tag. The runs of comments and other constructs flagged for
// a look are checked as if they were tags: the walk looks at each before
// anything after it, so what their runs say only ever sends a block to
// the tag-by-tag reading. What the next block needs to know of a tag that
// runs on past this one goes to it in next (the carried bits below),
// which that block's call takes as c; c is 0 when in is.
func quoteRuns(m *blockMarks, off uint, in, c, starts, runs, carry uint64) (_, _, _, next uint64, ok bool) {
	from := ^uint64(0) << off
	lt, gt := m[markLT]&from, m[markGT]&from
	dq := m[markDQ] & from
	quotes := m[markQuote] & from
	inValue := -(c >> carriedValue & 1)

	values := prefixXor(dq&runs) ^ inValue
	if gt&values != 0 || values&^runs != 0 {
		// A '>' in a value, or a value that reaches into text: pair
		// every double quote from off on, which holds when all are in
		// tags (an opening quote in text follows no '=' of a tag, so
		// the checks below turn such a pairing down too).
		values = prefixXor(dq) ^ inValue
		starts, runs, carry = tagRunsOf(lt&^values, gt&^values, from, in)
		if dq&^runs != 0 {
			return 0, 0, 0, 0, false
		}
	}
	gt &^= values
	eq := m[markEq] & runs &^ values
	nn := m[markNoName]
	opens := dq & values // bit 0 is an opening quote only if no value ran on into the block

	// The tail of an unquoted value: from an '=' that no quote follows to
	// its tag's '>' (an '=' in the last byte waits for the next block's
	// first). Adding the starts to the runs without their '>' carries each
	// through its tag, and flips the bits it passes.
	unquoted := eq &^ (quotes >> 1) &^ (1 << 63)
	unquoted |= c>>carriedTail&1 | c>>carriedEq&^quotes&1
	inTags := runs &^ gt
	tailSum, tail := bits.Add64(inTags, unquoted, 0)

	// The tag names: from the byte after each '<' (or after its '/'), up
	// to the first byte that can end one; it must be one that does.
	after := starts << 1
	ltLast := c >> carriedLT & 1
	nameStarts := after&^nn | (after&nn)<<1 | c>>carriedName&1 | ltLast&^nn | (ltLast&nn)<<1
	nameBytes := ^(nn | m[markEq] | m[markGT])
	nameSum, name := bits.Add64(nameBytes, nameStarts, 0)
	nameEnds := nameSum &^ nameBytes

	bad := quotes&^dq&runs&^values | // a single quote outside the values
		opens&^(eq<<1|c>>carriedEq&1) | // an opening quote after no '='
		eq&(nn<<1|c>>carriedNoName&1) | // an '=' after no attribute name
		(tailSum^inTags)&quotes | // a quote after an unquoted value
		nameEnds&(m[markEq]|m[markQuote]|m[markCtl]) // a name that runs on
	if bad != 0 {
		return 0, 0, 0, 0, false
	}
	if carry != 0 {
		next = values>>63<<carriedValue | eq>>63<<carriedEq | nn>>63<<carriedNoName | tail<<carriedTail |
			(name|(after&nn)>>63)<<carriedName | // after "</" at the end, the name starts the next block
			starts>>63<<carriedLT
	}
	return starts, runs, carry, next, true
}

// The bits of quoteRuns' next, about the tag that runs on past the
// block's end: whether the
// block's last byte is in a quoted value (carriedValue), an '=' outside
// the values (carriedEq), or a byte that cannot end an attribute name
// (carriedNoName); whether an unquoted value runs on, so that no quote may
// come before the tag ends (carriedTail); whether the tag name runs on,
// or starts at the next block's first byte (carriedName); whether the
// block's last byte is a tag's '<' (carriedLT).
const (
	carriedValue = iota
	carriedEq
	carriedNoName
	carriedTail
	carriedName
	carriedLT
)

// tagRunsOf is tagRuns on the '<' and '>' marks lt and gt, both within
// from (those of a block from the walk's offset on, less any in quoted
// values).
func tagRunsOf(lt, gt, from, in uint64) (starts, runs, carry uint64) {
	free := (lt | ^(lt | gt)) & from
	sum, carry := bits.Add64(lt, free, in)
	runs = free ^ sum | lt
	return lt &^ (runs&^gt<<1 | in), runs, carry
}
