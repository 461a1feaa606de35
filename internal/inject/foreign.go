package inject

// SVG and MathML content (an inline icon: <svg ...><path .../></svg>), and
// the tail of a page from a watched site footer on, are read a tag at a
// time here, not a byte at a time by step: the same
// tokenizer reading, the tree told of each tag with the same kind, name
// hash, end and self-closing flags step would give it. What a tag does to
// the tree (nesting, integration points, breakouts) is the tree's, as for
// step. Anything not plain goes to step: a comment or CDATA, an end tag
// with more than a name, a tag with an unquoted value before "/>", a raw-
// text name (whether it is raw text there is step's to say), </body> and
// <footer> (places for the snippet), and any tag near the end of a write.

// tagsAtATime reads tags from p[i] on, in the data state, one at a time
// with plainTag, while the tree wants to hear of every tag by name but of
// no text (readsTags). It returns the '<' of a tag it leaves to step, or
// the index after the tag that ended the reason to read tag by tag, from
// which the HTML walk goes on.
func (s *scanner) tagsAtATime(p []byte, i int) int {
	for s.readsTags() {
		j := indexByteFrom(p, i, '<')
		if j < 0 {
			return len(p)
		}
		if i = s.plainTag(p, j); i < 0 {
			return j
		}
	}
	return i
}

// readsTags reports whether the tree wants every tag by name and no text:
// in SVG or MathML content (once it has opened in the body, the tree asks
// for no text), and while a site footer is watched (the watch follows
// every element opened after the footer; scanHeld), until the watch
// gives the footer up.
func (s *scanner) readsTags() bool {
	switch t := &s.tree; {
	case t.needText():
		return false
	case t.watch.on:
		return !t.footerLost()
	default:
		return t.foreign
	}
}

// plainTag reads the start or end tag whose '<' is p[j] when it is plain
// (above) and tells the tree of it. It returns the index after the tag,
// or -1 when step must read it.
func (s *scanner) plainTag(p []byte, j int) int {
	if len(p)-j < blockLookahead {
		return -1 // near the end of p: step reads it and keeps its state
	}
	nameAt := j + 1
	closing := p[nameAt] == '/'
	if closing {
		nameAt++
	}
	end := nameAt
	hash := uint64(fnvOffset)
	for ; end-nameAt < maxPlainName && isPlainNameByte(p[end]); end++ {
		hash = hashName(hash, lower(p[end]))
	}
	if end == nameAt || !isAlpha(p[nameAt]) || !isNameEnd(p[end]) {
		return -1
	}
	k := kNone
	if end-nameAt <= 8 {
		k = kindOf(p[nameAt:end])
	}
	switch {
	case k == kBody || k == kFooter && !closing:
		return -1
	case !closing && rawNameLens>>(end-nameAt)&1 != 0 && rawKindOf(p[nameAt:end]) != rawNone:
		return -1
	}
	selfClosing := false
	switch c := p[end]; {
	case c == '>':
	case closing:
		return -1
	case c == '/' && p[end+1] == '>':
		selfClosing = true
		end++
	default: // attributes
		g := tagEnd(p, s.markedBlocks(), j)
		if g < 0 {
			return -1
		}
		if p[g-1] == '/' {
			// "/>" closes the tag itself unless the '/' is (or ends) an
			// unquoted value, which only an '=' can start: it does right
			// after a quoted value's closing quote (tagEnd paired the
			// quotes), or in a tag without values.
			if b := p[g-2]; b != '"' && b != '\'' && indexByteFrom(p[:g], end, '=') >= 0 {
				return -1
			}
			selfClosing = true
		}
		end = g
	}
	s.tree.tag(k, hash, closing, selfClosing)
	return end + 1
}

// maxPlainName bounds the names plainTag reads (SVG's longest is 19
// bytes); longer ones go to step.
const maxPlainName = 32

// isPlainNameByte reports whether c may be part of a tag name plainTag
// reads: letters, digits, '-', '_', ':' and '.'; anything else ends the
// name (or sends the tag to step).
func isPlainNameByte(c byte) bool {
	return isAlpha(c) || '0' <= c && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.'
}
