package inject

import (
	"math"
	"sync"
)

// Tokenizer states, named after the states of the HTML standard's tokenizer
// (https://html.spec.whatwg.org/multipage/parsing.html#tokenization). Only
// what decides where markup is matters here: DOCTYPEs and other "<!" and
// "<?" constructs share the bogus comment state (all of them end at the
// first '>'), and character references are never looked at.
const (
	sData uint8 = iota
	sTagOpen
	sEndTagOpen
	sTagName
	sBeforeAttrName
	sAttrName
	sAfterAttrName
	sBeforeAttrValue
	sAttrValueDQ
	sAttrValueSQ
	sAttrValueUnquoted
	sAfterAttrValueQuoted
	sSelfClosing
	sMarkupOpen // after "<!"
	sMarkupDash // after "<!-"
	sBogusComment
	sCommentStart
	sCommentStartDash
	sComment
	sCommentEndDash
	sCommentEnd
	sCommentEndBang
	sRawText // RCDATA and RAWTEXT: title, textarea, style, xmp, iframe, noembed, noframes, noscript
	sRawLT
	sRawEndTagOpen
	sRawEndTagName // shared by raw text, script data and escaped script data; falls back to scanner.ret
	sScript
	sScriptLT
	sScriptEndTagOpen
	sScriptEscapeStart
	sScriptEscapeStartDash
	sScriptEscaped
	sScriptEscapedDash
	sScriptEscapedDashDash
	sScriptEscapedLT
	sScriptEscapedEndTagOpen
	sScriptDoubleEscapeStart
	sScriptDoubleEscaped
	sScriptDoubleEscapedDash
	sScriptDoubleEscapedDashDash
	sScriptDoubleEscapedLT
	sScriptDoubleEscapeEnd
	sPlaintext
)

// noMatch is what scan returns when the buffer holds no real "</body".
// Match positions may be negative (the tag began in an earlier write), so
// the sentinel is the smallest int.
const noMatch = math.MinInt

// scanner finds the real "</body" end tag in HTML that arrives in pieces.
// Its whole state fits in a few bytes, so a tag, comment or raw-text end
// tag split across writes at any byte is handled without buffering input.
//
// Two implementations share that state: step, a byte-at-a-time transcription
// of the standard's state machine, and the fast paths (fastpath.go), which
// jump between the few bytes that can change state. The fast paths run
// whenever they have enough bytes ahead to decide; step takes the rest
// (the last few bytes of a write, rare states) and is the reference the
// tests hold the fast paths to.
type scanner struct {
	state    uint8
	ret      uint8 // state sRawEndTagName falls back to when the name does not match
	raw      uint8 // raw-text kind whose end tag closes sRawText or the script states
	pending  uint8 // raw-text kind of the start tag being read; applied when it ends
	isEnd    bool  // the tag being read is an end tag
	mismatch bool  // sRawEndTagName and the double-escape states: the name went wrong
	nameLen  uint8 // bytes of tag name seen (saturates at maxRawName+1) or matched
	name     [maxRawName]byte

	// tagStart is the index of the '<' that opened the current tag,
	// relative to the buffer being scanned; negative when that '<' came
	// in an earlier write (the injector is holding those bytes back).
	tagStart int

	// slow disables the fast paths (tests compare both).
	slow bool

	// tokensOnly makes placement depend on the tokenizer alone, for the
	// tests of where the tokenizer sees "</body" (the tree model has
	// tests of its own).
	tokensOnly bool

	// tree is the model of the open elements, told of the tags that
	// matter to it (placement.go).
	tree tree

	// footerStart: scan stopped at the name of a <footer> start tag that
	// may be the site footer, not at a "</body".
	footerStart bool

	// stepTag: the tag being read was begun by step, which reads it to
	// its end (and tells the tree there). nameHash hashes its whole
	// lower-case name; selfClosing is set when it ends with "/>".
	stepTag     bool
	selfClosing bool
	nameHash    uint64

	// blocks holds the marks of the buffer being scanned, for the block
	// walk: taken from blocksPool when the walk first runs, and given back
	// by releaseBlocks once the document needs no more scanning.
	blocks *markedBlocks
}

// blocksPool holds the marks of the block walk (3.7 KB each) between
// documents, so that an Injector stays small and allocates nothing.
var blocksPool = sync.Pool{New: func() any { return new(markedBlocks) }}

// markedBlocks returns the scanner's marks, taking them from blocksPool
// the first time.
func (s *scanner) markedBlocks() *markedBlocks {
	if s.blocks == nil {
		s.blocks = blocksPool.Get().(*markedBlocks)
		s.blocks.count = 0
	}
	return s.blocks
}

// releaseBlocks gives the scanner's marks back to blocksPool.
func (s *scanner) releaseBlocks() {
	if s.blocks != nil {
		blocksPool.Put(s.blocks)
		s.blocks = nil
	}
}

// scan advances the scanner over p. It returns the index in p of the '<'
// of the first real "</body" end tag (or, with footerStart set, of a
// candidate site footer's start tag), or noMatch. A negative index means
// the tag started |index| bytes before p, in bytes the caller held back.
// After a match the scanner's state is meaningless and must not be used.
func (s *scanner) scan(p []byte) int {
	if s.blocks != nil {
		s.blocks.count = 0 // marks of the previous buffer
	}
	i := 0
	for i < len(p) {
		if !s.slow && !s.stepTag && !s.tree.exact() {
			next, m := s.fast(p, i)
			if m != noMatch {
				return m
			}
			if next != i {
				i = next
				continue
			}
		} else if blockWalk && !s.slow && !s.stepTag && s.state == sData && s.tree.foreign {
			if next := s.tagsAtATime(p, i); next != i {
				i = next
				continue
			}
		}
		if s.step(p[i], i) {
			return s.tagStart
		}
		i++
	}
	s.tagStart -= len(p)
	return noMatch
}

// scanHeld is scan while a footer is watched: the watch must hear of
// every tag by name, so tags are read one at a time (tagsAtATime) or by
// step, and comments and raw text are passed as scan passes them. It also
// stops once the watch gives up on the footer, so that the rest of the
// write is scanned as usual. It returns what scan returns and how many
// bytes of p it read.
func (s *scanner) scanHeld(p []byte) (at, n int) {
	if s.blocks != nil {
		s.blocks.count = 0 // marks of the previous buffer
	}
	for i := 0; i < len(p); {
		if !s.slow && !s.stepTag {
			if next := s.heldFast(p, i); next != i {
				if i = next; s.tree.footerLost() {
					s.tagStart -= i
					return noMatch, i
				}
				continue
			}
		}
		if s.step(p[i], i) {
			return s.tagStart, i + 1
		}
		if s.tree.footerLost() {
			s.tagStart -= i + 1
			return noMatch, i + 1
		}
		i++
	}
	s.tagStart -= len(p)
	return noMatch, len(p)
}

// heldFast is fast for scanHeld: the tags of the data state one at a
// time where the machine marks blocks with vectors (tagsAtATime), and the
// fast paths of the states that tell the tree nothing (comments, raw text,
// scripts). It returns i when step must read p[i].
func (s *scanner) heldFast(p []byte, i int) int {
	switch s.state {
	case sData:
		if blockWalk {
			return s.tagsAtATime(p, i)
		}
	case sComment, sBogusComment, sRawText, sScript, sScriptEscaped, sScriptDoubleEscaped, sPlaintext:
		next, _ := s.fast(p, i)
		return next
	}
	return i
}

// holding reports whether the bytes from tagStart on might still turn out
// to be "</body" followed by a name-ending byte. The snippet goes before
// the '<', so those bytes (at most six) must not be written yet.
func (s *scanner) holding() bool {
	switch s.state {
	case sTagOpen, sEndTagOpen:
		return true
	case sTagName:
		if !s.isEnd {
			// Maybe a site footer's start tag, which the snippet goes in
			// front of.
			return int(s.nameLen) <= len("footer") && string(s.name[:s.nameLen]) == "footer"[:s.nameLen] &&
				s.tree.footerCandidate()
		}
		return int(s.nameLen) <= len("body") && string(s.name[:s.nameLen]) == "body"[:s.nameLen]
	}
	return false
}

// inStartTag reports whether the held bytes are the start of a start tag
// (a possible site footer's): cut off by the end of the document, it is no
// tag, and no place for the snippet either, like any unfinished tag.
func (s *scanner) inStartTag() bool { return s.state == sTagName && !s.isEnd }

// beginName starts reading a tag name (in step).
func (s *scanner) beginName(end bool) {
	s.isEnd = end
	s.nameLen = 0
	s.pending = rawNone
	s.state = sTagName
	s.stepTag = true
	s.selfClosing = false
	s.nameHash = fnvOffset
}

// appendName adds c to the tag name; only the first maxRawName bytes are
// kept, longer names just count as too long.
func (s *scanner) appendName(c byte) {
	s.nameHash = hashName(s.nameHash, lower(c))
	if s.nameLen < maxRawName {
		s.name[s.nameLen] = lower(c)
	}
	if s.nameLen <= maxRawName {
		s.nameLen++
	}
}

// nameIs reports whether the tag name read so far is want.
func (s *scanner) nameIs(want string) bool {
	return int(s.nameLen) == len(want) && string(s.name[:s.nameLen]) == want
}

// tagEnded moves to the state that follows the '>' of a tag. A tag step
// read is told to the tree here, which may keep a raw-text start tag from
// switching to raw text (in SVG and MathML).
func (s *scanner) tagEnded() {
	if s.stepTag {
		s.stepTag = false
		k := kNone
		if s.nameLen <= 8 {
			k = kindOf(s.name[:s.nameLen])
		}
		if !s.tree.tag(k, s.nameHash, s.isEnd, s.selfClosing) {
			s.pending = rawNone
		}
	}
	s.state = afterStartTag(s.pending)
	if s.pending != rawNone {
		s.raw = s.pending
	}
}

// resumeAfterBody goes on after a "</body" that is no place for the
// snippet, whose name ended with c: the rest of the end tag is read as
// any other's.
func (s *scanner) resumeAfterBody(c byte) {
	s.stepTag = false
	s.isEnd = true
	s.pending = rawNone
	switch c {
	case '>':
		s.state = sData
	case '/':
		s.state = sSelfClosing
	default:
		s.state = sBeforeAttrName
	}
}

// resumeAfterFooter goes on after the name of a <footer> start tag, ended
// by c: the rest of the tag is read as any other's, and the model is told
// of it at its end.
func (s *scanner) resumeAfterFooter(c byte) {
	s.footerStart = false
	switch c {
	case '>':
		s.tagEnded()
	case '/':
		s.state = sSelfClosing
	default:
		s.state = sBeforeAttrName
	}
}

// textFrom tells the tree whether the text from p[i] to the next '<' holds
// a byte that is not whitespace, while the tree still waits for that.
func (s *scanner) textFrom(p []byte, i int) {
	for ; i < len(p) && p[i] != '<'; i++ {
		if isTextByte(p[i]) {
			s.tree.text()
			return
		}
	}
}

// beginMatch starts comparing a name against a fixed one (the raw-text end
// tag, or "script" for the double-escape states).
func (s *scanner) beginMatch() {
	s.nameLen = 0
	s.mismatch = false
}

// matchName feeds one letter of the name being compared with want.
func (s *scanner) matchName(c byte, want string) {
	if !s.mismatch && int(s.nameLen) < len(want) && lower(c) == want[s.nameLen] {
		s.nameLen++
		return
	}
	s.mismatch = true
}

// matched reports whether the letters fed to matchName spell exactly want.
func (s *scanner) matched(want string) bool {
	return !s.mismatch && int(s.nameLen) == len(want)
}

// step feeds the byte c, at index i of the buffer being scanned, through the
// tokenizer one byte at a time, transcribing the HTML standard's states
// (a "reconsume" is a continue). It reports whether c completes "</body"
// followed by a byte that ends the tag name: the real end of the body; or,
// with footerStart set, "<footer" and such a byte, where the site footer
// may start (placement.go).
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
