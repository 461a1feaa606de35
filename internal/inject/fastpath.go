package inject

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// The fast paths move the scanner over many bytes at a time. Each starts in
// the scanner's current state at index i and returns where it stopped, with
// the state there stored in the scanner. Returning i itself (no progress)
// hands that byte to step; they do so when a decision needs bytes beyond
// the end of the buffer.

// fastLookahead is how many bytes from a '<' the data fast path needs in
// the buffer to classify it with two word loads. Closer to the end, step
// reads the tag byte by byte and the state carries over to the next write.
const fastLookahead = 16

// rawInitial marks the letters raw-text tag names start with, in either
// case: only start tags beginning with one need their name read.
var rawInitial = func() (t [256]bool) {
	for _, name := range rawNames[1:] {
		t[name[0]] = true
		t[name[0]-'a'+'A'] = true
	}
	return t
}()

// rawNameLens has bit L set when some raw-text tag name is L bytes long,
// so most start tags skip rawKindOf.
const rawNameLens = 1<<3 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9

// fast runs the fast path for the current state, if there is one. It
// returns the next index and the index of the '<' of "</body" (or noMatch).
func (s *scanner) fast(p []byte, i int) (int, int) {
	switch s.state {
	case sData:
		return s.data(p, i)
	case sBeforeAttrName, sAttrName, sAfterAttrName, sBeforeAttrValue, sAttrValueDQ,
		sAttrValueSQ, sAttrValueUnquoted, sAfterAttrValueQuoted, sSelfClosing:
		next, ended := s.attrs(p, i, s.state)
		if ended {
			s.tagEnded()
		}
		return next, noMatch
	case sComment:
		return s.comment(p, i), noMatch
	case sBogusComment:
		return s.bogus(p, i), noMatch
	case sRawText:
		return s.rawText(p, i), noMatch
	case sScript:
		return s.script(p, i), noMatch
	case sScriptEscaped, sScriptDoubleEscaped:
		// Only '-' and '<' change these states.
		for i < len(p) && p[i] != '-' && p[i] != '<' {
			i++
		}
		return i, noMatch
	case sPlaintext:
		return len(p), noMatch
	}
	return i, noMatch
}

// data is the hot loop: text and ordinary tags. Where the machine marks
// blocks with vectors, the block walk (plainTags) takes the text and tags
// whenever 80 bytes are left, and hands this loop only what it does not
// read; elsewhere, and near the end of p, the loop hops from '<' to '<'.
// It stays in the loop for start tags, end tags, comments, bogus comments
// and raw-text elements that end within p, and returns when the body's end
// tag is found, a state must carry over to the next write, or p runs out.
// Runs of short tags go through quickTags; the others read their name and
// then the exact attribute states (attrs).
func (s *scanner) data(p []byte, i int) (int, int) {
	n := len(p)
	var j, k int // the current '<'; the byte that ends its tag name
	var w uint64
	told := false // the tree has heard of the tag at j (see plainTags)

search: // for the next '<' from i
	told = false
	if s.tree.needText() {
		s.textFrom(p, i)
	}
	if blockWalk && n-i >= blockLookahead {
		if j, told = plainTags(p, i, s.markedBlocks(), &s.tree); p[j] == '<' && n-j >= fastLookahead {
			goto exact
		}
		// In the data state; a '<' there is read below. The walk notes
		// text only in the blocks it marked: the tail after them is
		// read here.
		if i = j; s.tree.needText() {
			s.textFrom(p, i)
		}
	}
	if i+8 <= n {
		if t := eqBytes(load64(p, i), '<'); t != 0 {
			j = i + firstFlag(t)
			goto tag
		}
		i += 8
	}
	if j = indexByteFrom(p, i, '<'); j < 0 {
		return n, noMatch
	}

tag: // p[j] is a '<' in the data state
	if n-j < fastLookahead {
		s.state = sTagOpen
		s.tagStart = j
		return j + 1, noMatch
	}
	if pos, code := quickTags(p, j, &s.tree); code != quickExact {
		switch code {
		case quickSearch:
			i = pos
			goto search
		case quickBody:
			s.tagStart = pos
			return pos, pos
		}
		s.isEnd = false
		s.pending = code - quickRaw
		i = pos
		goto raw
	} else if j = pos; n-j < fastLookahead {
		goto tag
	}

exact: // p[j] is a '<' with fastLookahead bytes after it
	w = load64(p, j+1)

	// The exact path: read the tag name, then the attribute states.
	if c := byte(w); isAlpha(c) {
		// Start tag. Byte 0 of w is a letter, so a flag is at 1 or later.
		if t := nameEnds(w); t != 0 {
			k = j + 1 + firstFlag(t)
		} else {
			k = j + 9
		}
		if !isNameEnd(p[k]) {
			if k = indexNameEnd(p, k); k == n {
				s.state = sTagOpen
				s.tagStart = j
				return j + 1, noMatch
			}
		}
		s.isEnd = false
		s.pending = rawNone
		if rawNameLens>>(k-j-1)&1 != 0 {
			s.pending = rawKindOf(p[j+1 : k])
		}
		if trigInitial[c] && !told && !s.tree.startWord(w, k-j-1) {
			// SVG or MathML (foreign.go reads it and what follows), or
			// a possible site footer: else step reads the tag.
			if kind := kindOfWord(w, k-j-1); blockWalk && (kind == kSvg || kind == kMath) {
				if after := s.plainTag(p, j); after >= 0 {
					return after, noMatch
				}
			}
			s.state = sTagOpen
			s.tagStart = j
			return j + 1, noMatch
		}
	} else if c == '/' {
		w = load64(p, j+2)
		if !isAlpha(byte(w)) {
			if byte(w) == '>' { // "</>" is dropped
				i = j + 3
			} else if i = s.bogus(p, j+2); s.state != sData {
				return i, noMatch
			}
			goto search
		}
		if uint32(w)|0x20202020 == bodyWord && isNameEnd(byte(w>>32)) {
			s.tagStart = j
			return j, j
		}
		if t := nameEnds(w); t != 0 {
			k = j + 2 + firstFlag(t)
		} else {
			k = j + 10
		}
		if !isNameEnd(p[k]) {
			if k = indexNameEnd(p, k); k == n {
				s.state = sTagOpen
				s.tagStart = j
				return j + 1, noMatch
			}
		}
		s.isEnd = true
		s.pending = rawNone
		if trigInitial[byte(w)] && !told {
			s.tree.endWord(w, k-j-2)
		}
	} else {
		switch {
		case opensComment(w):
			i = s.commentStart(p, j+4)
		case c == '!':
			i = s.bogus(p, j+2)
		case c == '?':
			i = s.bogus(p, j+1)
		default: // a '<' that starts nothing is text
			i = j + 1
			goto search
		}
		if s.state != sData {
			return i, noMatch
		}
		goto search
	}

	// p[k] ends the tag name.
	{
		ended := true
		switch p[k] {
		case '>':
			i = k + 1
		case '/':
			i, ended = s.attrs(p, k+1, sSelfClosing)
		default:
			i, ended = s.attrs(p, k+1, sBeforeAttrName)
		}
		if !ended {
			return i, noMatch
		}
	}
	if s.pending != rawNone {
		goto raw
	}
	goto search

raw: // a raw-text start tag (kind s.pending) ended before i: its content, inline
	s.tagEnded()
	switch s.state {
	case sScript:
		i = s.script(p, i)
	case sRawText:
		i = s.rawText(p, i)
	default: // plaintext
		return i, noMatch
	}
	if s.state != sData {
		return i, noMatch
	}
	goto search
}

// quickTags results: where it stopped and why. Codes from quickRaw on
// carry the raw-text kind of a start tag that just ended.
const (
	quickExact  uint8 = iota // pos is a '<' for the exact path
	quickSearch              // no '<' up to pos: search from there
	quickBody                // pos is the '<' of "</body"
	quickRaw                 // quickRaw+kind: a raw-text start tag ended before pos
)

// quickTags runs over the tags from the '<' at j that close within the
// eight bytes after their '<' with no quote or '<' before the '>'
// ("<li>", "</a>", "<b>", "<br/>"). Without a quote, the first '>' ends a
// tag whatever the attribute states in between: only quoted values hide
// a '>'. When such a word also shows the next '<', the loop moves on
// without another search or load, so runs of short tags go at the speed
// of one word test each. It is kept small so its state stays in
// registers.
func quickTags(p []byte, j int, tr *tree) (int, uint8) {
	for len(p)-j >= fastLookahead {
		w := load64(p, j+1)
		gt := eqBytes(w, '>')
		lt := eqBytes(w, '<')
		first := gt & -gt
		if first == 0 {
			break
		}
		// Quotes, '<' or (harmless false alarms) '#' and '&' before the
		// '>': the exact path. Flags below the lowest true one are exact.
		if (eqBytes(w&^(swarOnes*5), '"')|lt)&(first-1) != 0 { // '"' '#' '&' '\''
			break
		}
		c := byte(w)
		switch {
		case (c|0x20)-'a' < 26: // a start tag
			if trigInitial[c] {
				return j, quickExact // the tree may want it
			}
			if rawInitial[c] {
				// script, title...? The name ends at or before the '>'.
				k := firstFlag(nameEnds(w))
				if !isNameEnd(byte(w >> (8 * k))) {
					return j, quickExact // a control byte in the name
				}
				if rawNameLens>>k&1 == 0 {
					// No raw-text name is k bytes long ("<i>", "<span>").
				} else if kind := rawKindOf(p[j+1 : j+1+k]); kind != rawNone {
					return j + 2 + firstFlag(first), quickRaw + kind
				}
			}
		case c == '/' && (byte(w>>8)|0x20)-'a' < 26: // an end tag
			if uint32(w>>8)|0x20202020 == bodyWord && isNameEnd(byte(w>>40)) {
				return j, quickBody
			}
			if trigInitial[byte(w>>8)] {
				return j, quickExact // the tree may want it
			}
		default:
			return j, quickExact
		}
		next := j + 9 // after the '>', w held no '<'
		if lt != 0 {
			next = j + 1 + firstFlag(lt) // the lowest '<' is past the '>'
		}
		if tr.needText() {
			tr.textIn(p[j+2+firstFlag(first) : next])
		}
		if lt == 0 {
			return next, quickSearch
		}
		j = next
	}
	return j, quickExact
}

// attrs runs the attribute states of a tag from state st at index i, until
// the tag's '>' (it returns the index after it and true; the caller moves
// to the state after the tag) or the end of p (it stores the state there
// and returns len(p) and false). Every state resumes at any byte, so a tag
// split across writes needs no buffering.
//
// The rules are the standard's, with one observation that makes them fast:
// in the attribute-name and after-attribute-name states only '=', '/' and
// '>' lead anywhere else (whitespace and other bytes keep to those two
// states), so names are skipped eight bytes at a time. A quote opens a
// value only right after '=' (and whitespace), which is what keeps a '>'
// or "</body>" inside a quoted value from counting.
func (s *scanner) attrs(p []byte, i int, st uint8) (int, bool) {
	n := len(p)
	var c byte
	var q int
	switch st {
	case sBeforeAttrName:
		goto beforeName
	case sAttrName, sAfterAttrName:
		goto attrName
	case sBeforeAttrValue:
		goto beforeValue
	case sAttrValueDQ:
		c = '"'
		goto quoted
	case sAttrValueSQ:
		c = '\''
		goto quoted
	case sAttrValueUnquoted:
		goto unquoted
	case sAfterAttrValueQuoted:
		goto afterQuoted
	default:
		goto selfClosing
	}

beforeName:
	for i < n && isSpace(p[i]) {
		i++
	}
	if i == n {
		s.state = sBeforeAttrName
		return n, false
	}
	switch p[i] {
	case '/':
		i++
		goto selfClosing
	case '>':
		return i + 1, true
	}
	i++ // the name's first byte, whatever it is ('=' and quotes too)

attrName:
	if i+8 <= n {
		if t := nameStops(load64(p, i)); t != 0 {
			i += firstFlag(t)
		} else {
			i = indexNameStop(p, i+8)
		}
	} else {
		i = indexNameStop(p, i)
	}
	if i == n {
		s.state = sAttrName
		return n, false
	}
	c = p[i]
	i++
	switch c {
	case '=':
		goto beforeValue
	case '/':
		goto selfClosing
	}
	return i, true // '>'

beforeValue:
	for i < n && isSpace(p[i]) {
		i++
	}
	if i == n {
		s.state = sBeforeAttrValue
		return n, false
	}
	c = p[i]
	i++
	switch c {
	case '"', '\'':
		goto quoted
	case '>':
		return i, true
	}

unquoted:
	for i < n && charClass[p[i]]&clsUnquotedEnd == 0 {
		i++
	}
	if i == n {
		s.state = sAttrValueUnquoted
		return n, false
	}
	c = p[i]
	i++
	if c == '>' {
		return i, true
	}
	goto beforeName

quoted: // c is the quote
	if i+8 <= n {
		if t := eqBytes(load64(p, i), c); t != 0 {
			q = i + firstFlag(t)
		} else {
			q = indexByteFrom(p, i+8, c)
		}
	} else {
		q = indexByteFrom(p, i, c)
	}
	if q < 0 {
		s.state = sAttrValueDQ
		if c == '\'' {
			s.state = sAttrValueSQ
		}
		return n, false
	}
	i = q + 1

afterQuoted:
	if i == n {
		s.state = sAfterAttrValueQuoted
		return n, false
	}
	c = p[i]
	i++
	switch {
	case isSpace(c):
		goto beforeName
	case c == '/':
		goto selfClosing
	case c == '>':
		return i, true
	}
	goto attrName // c starts the next attribute's name

selfClosing:
	if i == n {
		s.state = sSelfClosing
		return n, false
	}
	if p[i] == '>' {
		return i + 1, true
	}
	goto beforeName
}

// Fast paths that skip over comments, bogus comments and raw text to the
// bytes that can end them.

// commentStart runs from just after "<!--". "<!-->" and "<!--->" are
// complete (empty) comments; anything else is comment text.
func (s *scanner) commentStart(p []byte, i int) int {
	if len(p)-i < 2 {
		s.state = sCommentStart
		return i
	}
	if p[i] == '>' {
		s.state = sData
		return i + 1
	}
	if p[i] == '-' && p[i+1] == '>' {
		s.state = sData
		return i + 2
	}
	return s.comment(p, i)
}

// comment runs the comment state: the comment ends at the first "-->" or
// "--!>" (any number of dashes before the '>' or "!>"). Only dashes matter,
// so it hops from '-' to '-'.
func (s *scanner) comment(p []byte, i int) int {
	n := len(p)
	s.state = sComment
	for {
		k := indexByteFrom(p, i, '-')
		if k < 0 {
			return n
		}
		if n-k < 4 {
			return k // step reads the dashes near the end of p
		}
		if p[k+1] != '-' {
			i = k + 1
			continue
		}
		m := k + 2
		for m < n && p[m] == '-' {
			m++
		}
		if n-m < 2 {
			return k
		}
		switch p[m] {
		case '>':
			s.state = sData
			return m + 1
		case '!':
			if p[m+1] == '>' {
				s.state = sData
				return m + 2
			}
			i = m + 1 // "--!" then '-' is a new dash; anything else is text
		default:
			i = m
		}
	}
}

// bogus runs the bogus comment state (also DOCTYPEs, "<?...>" and "</ ...>"),
// which ends at the first '>'.
func (s *scanner) bogus(p []byte, i int) int {
	if k := indexByteFrom(p, i, '>'); k >= 0 {
		s.state = sData
		return k + 1
	}
	s.state = sBogusComment
	return len(p)
}

// rawText runs the RCDATA/RAWTEXT state: only the element's own end tag
// ("</title", "</STYLE ", ...) ends it.
func (s *scanner) rawText(p []byte, i int) int {
	name := rawNames[s.raw]
	n := len(p)
	for {
		k := indexByteFrom(p, i, '<')
		if k < 0 {
			return n
		}
		if n-k < len(name)+3 {
			return k
		}
		if p[k+1] == '/' && hasPrefixFold(p[k+2:], name) && isNameEnd(p[k+2+len(name)]) {
			return s.rawEndTag(p, k+2+len(name))
		}
		i = k + 1
	}
}

// script runs the script data state: "</script" ends it, "<!--" enters the
// escaped states (where "<script" can hide a "</script"), which step reads.
func (s *scanner) script(p []byte, i int) int {
	n := len(p)
	for {
		k := bytes.IndexByte(p[i:], '<')
		if k < 0 {
			return n
		}
		k += i
		if n-k < len("</script")+1 {
			return k
		}
		switch p[k+1] {
		case '/':
			if hasPrefixFold(p[k+2:], "script") && isNameEnd(p[k+8]) {
				return s.rawEndTag(p, k+8)
			}
		case '!':
			if p[k+2] == '-' && p[k+3] == '-' {
				s.state = sScriptEscapedDashDash
				return k + 4
			}
		}
		i = k + 1
	}
}

// rawEndTag leaves raw text at the end tag whose name ends at p[d].
func (s *scanner) rawEndTag(p []byte, d int) int {
	s.isEnd = true
	s.pending = rawNone
	switch p[d] {
	case '>':
		s.state = sData
	case '/':
		s.state = sSelfClosing
	default:
		s.state = sBeforeAttrName
	}
	return d + 1
}

// Raw-text elements: after their start tag the tokenizer stops looking for
// markup until the matching end tag, so a "</body>" inside them is text.
// rawKind values index rawNames; rawNone is an ordinary element.
const (
	rawNone uint8 = iota
	rawScript
	rawStyle
	rawTextarea
	rawTitle
	rawNoscript
	rawXmp
	rawIframe
	rawNoembed
	rawNoframes
	rawPlaintext
)

// rawNames holds the lower-case tag name of each raw-text kind.
var rawNames = [...]string{
	rawNone:      "",
	rawScript:    "script",
	rawStyle:     "style",
	rawTextarea:  "textarea",
	rawTitle:     "title",
	rawNoscript:  "noscript",
	rawXmp:       "xmp",
	rawIframe:    "iframe",
	rawNoembed:   "noembed",
	rawNoframes:  "noframes",
	rawPlaintext: "plaintext",
}

// rawNameWords holds, for each raw-text kind but plaintext, the
// little-endian word of its name's bytes, and rawNameMasks the mask of
// those bytes in a word: a name, or its end tag, is told with one load.
var rawNameWords, rawNameMasks = func() (words, masks [len(rawNames)]uint64) {
	for k, name := range rawNames[:rawPlaintext] {
		for i := range len(name) {
			words[k] |= uint64(name[i]) << (8 * i)
			masks[k] |= 0xff << (8 * i)
		}
	}
	return words, masks
}()

// rawKindOfWord is rawKindOf for a name of n bytes (at most eight) that
// are the low bytes of the little-endian word u (the bytes above may be
// anything): one compare per kind.
func rawKindOfWord(u uint64, n int) uint8 {
	for k := rawScript; k < rawPlaintext; k++ {
		if len(rawNames[k]) == n && (u|swarOnes*0x20)&rawNameMasks[k] == rawNameWords[k] {
			return k
		}
	}
	return rawNone
}

// isRawEndTag reports whether p[lt:] starts with the end tag of raw-text
// kind (not plaintext, which has none): "</", the name in any case, and a
// byte that ends a tag name. p must hold 16 bytes from lt on.
func isRawEndTag(p []byte, lt int, kind uint8) bool {
	n := len(rawNames[kind])
	return p[lt+1] == '/' && (load64(p, lt+2)|swarOnes*0x20)&rawNameMasks[kind] == rawNameWords[kind] && isNameEnd(p[lt+2+n])
}

// maxRawName is the length of the longest raw-text tag name ("plaintext").
const maxRawName = 9

// rawKindOf returns the raw-text kind of a start tag name (any case), or
// rawNone. It is on the exact path of every start tag, so it rejects by
// length and first letter before comparing.
func rawKindOf(name []byte) uint8 {
	switch {
	case len(name) == len(rawNames[rawPlaintext]):
		if hasPrefixFold(name, rawNames[rawPlaintext]) {
			return rawPlaintext
		}
		return rawNone
	case len(name) < 3 || len(name) > 8 || !rawInitial[name[0]]:
		return rawNone
	}
	var u uint64
	for i, c := range name {
		u |= uint64(c) << (8 * i)
	}
	return rawKindOfWord(u, len(name))
}

// afterStartTag is the tokenizer state that follows a start tag of the given
// raw-text kind, as the tree builder sets it.
func afterStartTag(kind uint8) uint8 {
	switch kind {
	case rawNone:
		return sData
	case rawScript:
		return sScript
	case rawPlaintext:
		return sPlaintext
	default:
		return sRawText
	}
}

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
