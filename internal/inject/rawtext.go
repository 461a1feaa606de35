package inject

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
