package widget

// attributeEscapes are html/template's replacements for a plain string in a
// quoted attribute value or in text (its htmlReplacementTable): every other
// byte, including each byte of a multi-byte or invalid UTF-8 sequence, is
// written as it is, there as here.
var attributeEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// appendAttributeEscaped appends s escaped the way html/template escapes a
// string in a quoted attribute value, without allocating beyond growing dst.
func appendAttributeEscaped(dst []byte, s string) []byte {
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) >= len(attributeEscapes) || attributeEscapes[c] == "" {
			continue
		}
		dst = append(dst, s[written:i]...)
		dst = append(dst, attributeEscapes[c]...)
		written = i + 1
	}
	return append(dst, s[written:]...)
}
