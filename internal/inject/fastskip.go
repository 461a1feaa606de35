package inject

import "bytes"

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
