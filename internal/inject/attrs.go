package inject

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
