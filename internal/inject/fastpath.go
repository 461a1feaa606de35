package inject

import "bytes"

// The fast paths move the scanner over many bytes at a time. Each starts in
// the scanner's current state at index i and returns where it stopped, with
// the state there stored in the scanner. Returning i itself (no progress)
// hands that byte to step; they do so when a decision needs bytes beyond
// the end of the buffer.

// fastLookahead is how many bytes from a '<' the data fast path needs in
// the buffer to classify it ("</body" and the byte after it, "<!--" and
// the two bytes after it). Closer to the end, step reads the tag byte by
// byte and the state carries over to the next write.
const fastLookahead = 8

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

// data is the hot loop: text and ordinary tags, hopping from '<' to '<'.
// It stays in the loop for start tags, end tags, comments and bogus
// comments that end within p, and returns when the body's end tag is
// found, a raw-text element starts, or p runs out.
func (s *scanner) data(p []byte, i int) (int, int) {
	n := len(p)
	for {
		j := indexByteFrom(p, i, '<')
		if j < 0 {
			return n, noMatch
		}
		if n-j < fastLookahead {
			s.state = sTagOpen
			s.tagStart = j
			return j + 1, noMatch
		}
		k := j + 2 // after the first byte of the tag name
		switch c := p[j+1]; {
		case isAlpha(c):
			for k < n && !isNameEnd(p[k]) {
				k++
			}
			if k == n {
				s.state = sTagOpen
				s.tagStart = j
				return j + 1, noMatch
			}
			s.isEnd = false
			s.pending = rawKindOf(p[j+1 : k])

		case c == '/':
			c2 := p[j+2]
			if !isAlpha(c2) {
				if c2 == '>' { // "</>" is dropped
					i = j + 3
				} else if i = s.bogus(p, j+2); s.state != sData {
					return i, noMatch
				}
				continue
			}
			if isBodyName(p[j+2:]) {
				s.tagStart = j
				return j, j
			}
			for k++; k < n && !isNameEnd(p[k]); k++ {
			}
			if k == n {
				s.state = sTagOpen
				s.tagStart = j
				return j + 1, noMatch
			}
			s.isEnd = true
			s.pending = rawNone

		case c == '!':
			if p[j+2] == '-' && p[j+3] == '-' {
				i = s.commentStart(p, j+4)
			} else {
				i = s.bogus(p, j+2)
			}
			if s.state != sData {
				return i, noMatch
			}
			continue

		case c == '?':
			if i = s.bogus(p, j+1); s.state != sData {
				return i, noMatch
			}
			continue

		default: // a '<' that starts nothing is text
			i = j + 1
			continue
		}

		// p[k] ends the tag name.
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
		if s.pending != rawNone {
			s.tagEnded()
			return i, noMatch
		}
	}
}

// attrs runs the attribute states of a tag from state st at index i, until
// the tag's '>' (it returns the index after it and true; the caller moves
// to the state after the tag) or the end of p (it stores the state there
// and returns len(p) and false). Every state resumes at any byte, so a tag
// split across writes needs no buffering. The rules are the standard's:
// a quote opens a value only right after '=' (and whitespace), which is
// what keeps a '>' or "</body>" inside a quoted value from counting.
func (s *scanner) attrs(p []byte, i int, st uint8) (int, bool) {
	n := len(p)
	var c byte
	var q int
	switch st {
	case sBeforeAttrName:
		goto beforeName
	case sAttrName:
		goto attrName
	case sAfterAttrName:
		goto afterName
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
	for i < n && charClass[p[i]]&clsAttrNameEnd == 0 {
		i++
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
	case '>':
		return i, true
	}

	// afterName: whitespace after a name; '=' may still follow.
afterName:
	for i < n && isSpace(p[i]) {
		i++
	}
	if i == n {
		s.state = sAfterAttrName
		return n, false
	}
	c = p[i]
	i++
	switch c {
	case '=':
		goto beforeValue
	case '/':
		goto selfClosing
	case '>':
		return i, true
	}
	goto attrName // c started the next attribute's name

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
	q = indexByteFrom(p, i, c)
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
	switch c = p[i]; {
	case isSpace(c):
		i++
	case c == '/':
		i++
		goto selfClosing
	case c == '>':
		return i + 1, true
	}
	goto beforeName // anything else starts the next attribute

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
