package inject

import (
	"bytes"
	"strings"
)

// The snippet is ASCII markup (and UTF-8 text): it means the same only in
// a document whose encoding is ASCII-compatible - UTF-8, the legacy
// single-byte encodings, the multi-byte ones with an ASCII range. UTF-16
// (named by the Content-Type header or a byte order mark) and the
// ISO-2022 family (which switch the meaning of ASCII bytes; a <meta> may
// name them) are not: such documents pass through. A <meta charset> never
// makes a document UTF-16 (browsers read it as UTF-8 then), so only the
// header and the byte order mark are asked about UTF-16.

// headPrescan is how many of a document's first bytes browsers search for
// a <meta> naming its encoding.
const headPrescan = 1024

// notASCIICompatible holds the encoding labels (lower case) of the
// WHATWG Encoding Standard whose encodings are not ASCII-compatible:
// UTF-16BE/LE, ISO-2022-JP and the replacement encoding, and UTF-32,
// which browsers do not decode but which is not ASCII either.
var notASCIICompatible = map[string]bool{
	"unicodefffe": true, "utf-16be": true, "csunicode": true, "iso-10646-ucs-2": true,
	"ucs-2": true, "unicode": true, "unicodefeff": true, "utf-16": true, "utf-16le": true,
	"csiso2022jp": true, "iso-2022-jp": true,
	"csiso2022kr": true, "hz-gb-2312": true, "iso-2022-cn": true, "iso-2022-cn-ext": true,
	"iso-2022-kr": true, "replacement": true,
	"utf-32": true, "utf-32le": true, "utf-32be": true,
}

// charsetNotASCII reports whether a Content-Type value names a charset
// that is not ASCII-compatible.
func charsetNotASCII(contentType string) bool {
	_, params, _ := strings.Cut(contentType, ";")
	for params != "" {
		var param string
		param, params, _ = strings.Cut(params, ";")
		name, value, ok := strings.Cut(param, "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "charset") {
			var buf [maxLabel]byte
			label, ok := lowerLabel(&buf, strings.Trim(strings.TrimSpace(value), `"'`))
			return ok && notASCIICompatible[string(label)]
		}
	}
	return false
}

// noteHead keeps the document's first headPrescan bytes.
func (i *Injector) noteHead(p []byte) {
	if i.headLen < headPrescan {
		i.headLen += copy(i.head[i.headLen:], p)
	}
}

// foreignCharset reports whether the document's first bytes say it is not
// in an ASCII-compatible encoding: a UTF-16 byte order mark (the UTF-32LE
// one starts the same), or a "charset=" naming such an encoding anywhere
// in them - inside a <meta> or not, which only errs towards leaving a
// document alone.
func (i *Injector) foreignCharset() bool {
	head := i.head[:i.headLen]
	if bytes.HasPrefix(head, []byte{0xfe, 0xff}) || bytes.HasPrefix(head, []byte{0xff, 0xfe}) ||
		bytes.HasPrefix(head, []byte{0, 0, 0xfe, 0xff}) {
		return true
	}
	for rest := head; ; {
		k := indexFold(rest, "charset")
		if k < 0 {
			return false
		}
		rest = rest[k+len("charset"):]
		v := bytes.TrimLeft(rest, "\t\n\f\r ")
		if len(v) == 0 || v[0] != '=' {
			continue
		}
		v = bytes.TrimLeft(v[1:], "\t\n\f\r \"'")
		end := 0
		for end < len(v) && (isAlpha(v[end]) || '0' <= v[end] && v[end] <= '9' || strings.IndexByte("-_.:", v[end]) >= 0) {
			end++
		}
		var buf [maxLabel]byte
		if label, ok := lowerLabel(&buf, v[:end]); ok && notASCIICompatible[string(label)] && !utf16or32(string(label)) {
			return true
		}
	}
}

// maxLabel is the longest charset label looked up, longer than any in
// notASCIICompatible.
const maxLabel = 32

// lowerLabel is a charset label lower-cased into buf, or false for one
// longer than maxLabel (none that matters is). Every page's Content-Type
// and head are read, most name their charset, many in capitals (WordPress:
// "UTF-8"): lowering on the stack spares each page an allocation.
func lowerLabel[T string | []byte](buf *[maxLabel]byte, label T) ([]byte, bool) {
	if len(label) > maxLabel {
		return nil, false
	}
	for j := range len(label) {
		buf[j] = lower(label[j])
	}
	return buf[:len(label)], true
}

// indexFold returns the index of the first occurrence of the lower-case
// word in p, in any case, or -1. It compares only where the word's first
// letter is, found eight bytes at a time: a page's head is read once per
// page, and byte by byte that cost it more than a microsecond.
func indexFold(p []byte, word string) int {
	k := 0
	for ; k+8 <= len(p); k += 8 {
		// c|0x20 is the letter for both of its cases and no other byte;
		// eqBytes may flag a byte or two too many, never too few.
		for t := eqBytes(load64(p, k)|swarOnes*0x20, word[0]); t != 0; t &= t - 1 {
			if c := k + firstFlag(t); c+len(word) <= len(p) && hasPrefixFold(p[c:], word) {
				return c
			}
		}
	}
	for ; k+len(word) <= len(p); k++ {
		if hasPrefixFold(p[k:], word) {
			return k
		}
	}
	return -1
}

// utf16or32 reports whether a label of notASCIICompatible names UTF-16 or
// UTF-32, which a <meta> cannot choose.
func utf16or32(label string) bool {
	switch label {
	case "csiso2022jp", "iso-2022-jp", "csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext",
		"iso-2022-kr", "replacement":
		return false
	}
	return true
}
