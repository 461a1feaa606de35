package offers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// jsonField is one member of a JSON object, in document order.
type jsonField struct {
	key   string
	value json.RawMessage
}

// objectFields splits a JSON object into its members, keeping their order
// and any repeated keys. ok is false when raw is not an object. raw must be
// valid JSON (json.Valid), which lets the split skip every check.
func objectFields(raw json.RawMessage) (fields []jsonField, ok bool) {
	raw = bytes.TrimSpace(raw)
	if jsonType(raw) != '{' {
		return nil, false
	}
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != '}' {
		keyEnd := skipValue(raw, i)
		key := decodeString(raw[i:keyEnd])
		i = skipSpace(raw, keyEnd)
		i = skipSpace(raw, i+1) // the colon
		valueEnd := skipValue(raw, i)
		fields = append(fields, jsonField{key: key, value: raw[i:valueEnd]})
		i = skipSpace(raw, valueEnd)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return fields, true
}

// arrayElements splits a JSON array into its elements. ok is false when raw
// is not an array. raw must be valid JSON.
func arrayElements(raw json.RawMessage) (elems []json.RawMessage, ok bool) {
	raw = bytes.TrimSpace(raw)
	if jsonType(raw) != '[' {
		return nil, false
	}
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		elems = append(elems, raw[i:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return elems, true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the index just past the valid JSON value that starts at
// i.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// decodeString decodes a valid JSON string literal, without the cost of
// encoding/json when there is nothing to unescape.
func decodeString(lit []byte) string {
	if len(lit) >= 2 && bytes.IndexByte(lit, '\\') < 0 && utf8.Valid(lit) {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	_ = json.Unmarshal(lit, &s) // valid JSON, so this cannot fail
	return s
}

// jsonType is the first significant byte of a JSON value: '{', '[', '"',
// 't' or 'f' (boolean), 'n' (null), or '0' for any number; 0 when empty.
func jsonType(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	}
	return '0'
}

// describeJSON names a JSON value for an error message: a short string or
// number is quoted as it appears, anything bigger is named by its kind.
func describeJSON(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	switch jsonType(raw) {
	case 0:
		return "nothing"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 'n':
		return "null"
	case 't', 'f':
		return string(raw)
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return "string " + strconv.Quote(shorten(s, 40))
		}
	case '0':
		if len(raw) <= 24 {
			return "number " + string(raw)
		}
		return "a number"
	}
	return "something that is not JSON"
}

// shorten cuts s to at most n bytes, on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// jsonKind names what a Go kind looks like in JSON, for decode errors.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return k.String()
}
