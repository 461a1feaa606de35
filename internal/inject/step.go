package inject

// step feeds the byte c, at index i of the buffer being scanned, through the
// tokenizer one byte at a time, transcribing the HTML standard's states
// (a "reconsume" is a continue). It reports whether c completes "</body"
// followed by a byte that ends the tag name: the real end of the body; or,
// with footerStart set, "<footer" and such a byte, where the site footer
// may start (placement_footer.go).
func (s *scanner) step(c byte, i int) bool {
	for {
		switch s.state {
		case sData:
			if c == '<' {
				s.state = sTagOpen
				s.tagStart = i
			} else if isTextByte(c) && s.tree.needText() {
				s.tree.text()
			}

		case sTagOpen:
			switch {
			case isAlpha(c):
				s.beginName(false)
				continue
			case c == '!':
				s.state = sMarkupOpen
			case c == '/':
				s.state = sEndTagOpen
			case c == '?':
				s.state = sBogusComment
			default:
				s.state = sData
				continue
			}

		case sEndTagOpen:
			switch {
			case isAlpha(c):
				s.beginName(true)
				continue
			case c == '>':
				s.state = sData
			default:
				s.state = sBogusComment
				continue
			}

		case sTagName:
			if !isNameEnd(c) {
				s.appendName(c)
				break
			}
			if s.isEnd {
				if s.nameIs("body") {
					return true
				}
			} else if s.nameLen <= maxRawName {
				s.pending = rawKindOf(s.name[:s.nameLen])
				if s.nameIs("footer") && s.tree.footerCandidate() {
					s.footerStart = true
					return true
				}
			}
			switch c {
			case '/':
				s.state = sSelfClosing
			case '>':
				s.tagEnded()
			default:
				s.state = sBeforeAttrName
			}

		case sBeforeAttrName:
			switch {
			case isSpace(c):
			case c == '/':
				s.state = sSelfClosing
			case c == '>':
				s.tagEnded()
			default: // '=' and quotes included: they start an attribute name here
				s.state = sAttrName
			}

		case sAttrName:
			switch {
			case isSpace(c):
				s.state = sAfterAttrName
			case c == '/':
				s.state = sSelfClosing
			case c == '=':
				s.state = sBeforeAttrValue
			case c == '>':
				s.tagEnded()
			}

		case sAfterAttrName:
			switch {
			case isSpace(c):
			case c == '/':
				s.state = sSelfClosing
			case c == '=':
				s.state = sBeforeAttrValue
			case c == '>':
				s.tagEnded()
			default:
				s.state = sAttrName
			}

		case sBeforeAttrValue:
			switch {
			case isSpace(c):
			case c == '"':
				s.state = sAttrValueDQ
			case c == '\'':
				s.state = sAttrValueSQ
			case c == '>':
				s.tagEnded()
			default:
				s.state = sAttrValueUnquoted
			}

		case sAttrValueDQ:
			if c == '"' {
				s.state = sAfterAttrValueQuoted
			}

		case sAttrValueSQ:
			if c == '\'' {
				s.state = sAfterAttrValueQuoted
			}

		case sAttrValueUnquoted:
			switch {
			case isSpace(c):
				s.state = sBeforeAttrName
			case c == '>':
				s.tagEnded()
			}

		case sAfterAttrValueQuoted:
			switch {
			case isSpace(c):
				s.state = sBeforeAttrName
			case c == '/':
				s.state = sSelfClosing
			case c == '>':
				s.tagEnded()
			default:
				s.state = sBeforeAttrName
				continue
			}

		case sSelfClosing:
			if c == '>' {
				s.selfClosing = true
				s.tagEnded()
				break
			}
			s.state = sBeforeAttrName
			continue

		case sMarkupOpen:
			if c == '-' {
				s.state = sMarkupDash
				break
			}
			if c == '[' && s.tree.foreign {
				s.tree.spoil() // maybe CDATA, which the model does not follow
			}
			s.state = sBogusComment // DOCTYPE, CDATA outside foreign content, anything else
			continue

		case sMarkupDash:
			if c == '-' {
				s.state = sCommentStart
				break
			}
			s.state = sBogusComment
			continue

		case sBogusComment:
			if c == '>' {
				s.state = sData
			}

		case sCommentStart:
			switch c {
			case '-':
				s.state = sCommentStartDash
			case '>':
				s.state = sData
			default:
				s.state = sComment
				continue
			}

		case sCommentStartDash:
			switch c {
			case '-':
				s.state = sCommentEnd
			case '>':
				s.state = sData
			default:
				s.state = sComment
				continue
			}

		case sComment:
			// The standard's comment less-than-sign states only report
			// nested-comment errors; the dashes they read end comments
			// exactly as they do here.
			if c == '-' {
				s.state = sCommentEndDash
			}

		case sCommentEndDash:
			if c == '-' {
				s.state = sCommentEnd
				break
			}
			s.state = sComment
			continue

		case sCommentEnd:
			switch c {
			case '>':
				s.state = sData
			case '!':
				s.state = sCommentEndBang
			case '-':
			default:
				s.state = sComment
				continue
			}

		case sCommentEndBang:
			switch c {
			case '-':
				s.state = sCommentEndDash
			case '>':
				s.state = sData
			default:
				s.state = sComment
				continue
			}

		case sRawText:
			if c == '<' {
				s.state = sRawLT
			}

		case sRawLT:
			if c == '/' {
				s.state = sRawEndTagOpen
				break
			}
			s.state = sRawText
			continue

		case sRawEndTagOpen:
			s.endTagOpen(c, sRawText)
			continue

		case sRawEndTagName:
			want := rawNames[s.raw]
			if isAlpha(c) {
				s.matchName(c, want)
				break
			}
			if isNameEnd(c) && s.matched(want) {
				s.isEnd = true
				s.pending = rawNone
				switch c {
				case '/':
					s.state = sSelfClosing
				case '>':
					s.state = sData
				default:
					s.state = sBeforeAttrName
				}
				break
			}
			s.state = s.ret
			continue

		case sScript:
			if c == '<' {
				s.state = sScriptLT
			}

		case sScriptLT:
			switch c {
			case '/':
				s.state = sScriptEndTagOpen
			case '!':
				s.state = sScriptEscapeStart
			default:
				s.state = sScript
				continue
			}

		case sScriptEndTagOpen:
			s.endTagOpen(c, sScript)
			continue

		case sScriptEscapeStart:
			if c == '-' {
				s.state = sScriptEscapeStartDash
				break
			}
			s.state = sScript
			continue

		case sScriptEscapeStartDash:
			if c == '-' {
				s.state = sScriptEscapedDashDash
				break
			}
			s.state = sScript
			continue

		case sScriptEscaped:
			switch c {
			case '-':
				s.state = sScriptEscapedDash
			case '<':
				s.state = sScriptEscapedLT
			}

		case sScriptEscapedDash:
			switch c {
			case '-':
				s.state = sScriptEscapedDashDash
			case '<':
				s.state = sScriptEscapedLT
			default:
				s.state = sScriptEscaped
			}

		case sScriptEscapedDashDash:
			switch c {
			case '-':
			case '<':
				s.state = sScriptEscapedLT
			case '>':
				s.state = sScript
			default:
				s.state = sScriptEscaped
			}

		case sScriptEscapedLT:
			switch {
			case c == '/':
				s.state = sScriptEscapedEndTagOpen
			case isAlpha(c):
				s.beginMatch()
				s.state = sScriptDoubleEscapeStart
				continue
			default:
				s.state = sScriptEscaped
				continue
			}

		case sScriptEscapedEndTagOpen:
			s.endTagOpen(c, sScriptEscaped)
			continue

		case sScriptDoubleEscapeStart:
			switch {
			case isNameEnd(c):
				if s.matched("script") {
					s.state = sScriptDoubleEscaped
				} else {
					s.state = sScriptEscaped
				}
			case isAlpha(c):
				s.matchName(c, "script")
			default:
				s.state = sScriptEscaped
				continue
			}

		case sScriptDoubleEscaped:
			switch c {
			case '-':
				s.state = sScriptDoubleEscapedDash
			case '<':
				s.state = sScriptDoubleEscapedLT
			}

		case sScriptDoubleEscapedDash:
			switch c {
			case '-':
				s.state = sScriptDoubleEscapedDashDash
			case '<':
				s.state = sScriptDoubleEscapedLT
			default:
				s.state = sScriptDoubleEscaped
			}

		case sScriptDoubleEscapedDashDash:
			switch c {
			case '-':
			case '<':
				s.state = sScriptDoubleEscapedLT
			case '>':
				s.state = sScript
			default:
				s.state = sScriptDoubleEscaped
			}

		case sScriptDoubleEscapedLT:
			if c == '/' {
				s.beginMatch()
				s.state = sScriptDoubleEscapeEnd
				break
			}
			s.state = sScriptDoubleEscaped
			continue

		case sScriptDoubleEscapeEnd:
			switch {
			case isNameEnd(c):
				if s.matched("script") {
					s.state = sScriptEscaped
				} else {
					s.state = sScriptDoubleEscaped
				}
			case isAlpha(c):
				s.matchName(c, "script")
			default:
				s.state = sScriptDoubleEscaped
				continue
			}

		case sPlaintext:
		}
		return false
	}
}

// endTagOpen handles the byte after "</" inside raw text or script data:
// a letter starts comparing against the element's end tag name, anything
// else is text again. Either way the caller reconsumes c.
func (s *scanner) endTagOpen(c byte, back uint8) {
	s.ret = back
	if isAlpha(c) {
		s.beginMatch()
		s.state = sRawEndTagName
		return
	}
	s.state = back
}
