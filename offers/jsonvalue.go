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
// valid JSON.
func objectFields(raw json.RawMessage) (fields []jsonField, ok bool) {
	if jsonType(raw) != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, false
		}
		fields = append(fields, jsonField{key: key, value: value})
	}
	return fields, true
}

// arrayElements splits a JSON array into its elements. ok is false when raw
// is not an array. raw must be valid JSON.
func arrayElements(raw json.RawMessage) (elems []json.RawMessage, ok bool) {
	if jsonType(raw) != '[' {
		return nil, false
	}
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, false
	}
	return elems, true
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
