package inject

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
			// SVG or MathML: step reads the tag (self-closing or not).
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
