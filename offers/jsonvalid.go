package offers

// The checks below read JSON exactly as encoding/json's scanner does
// (json.Valid), for the context decoder, which checks the document as it
// reads it rather than in a pass of its own before.

// maxSkipDepth bounds how deeply validEnd nests into an unknown value;
// deeper documents are left to encoding/json, which has its own limit.
const maxSkipDepth = 256

// validEnd returns the index just past the JSON value that starts at
// data[i], and whether there is one: a value that json.Valid would
// accept in that place. It does not skip the space before or after it.
func validEnd(data []byte, i, depth int) (int, bool) {
	if i >= len(data) {
		return i, false
	}
	switch c := data[i]; c {
	case '"':
		return validString(data, i)
	case '{', '[':
		if depth >= maxSkipDepth {
			return i, false
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == closer {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				if i >= len(data) || data[i] != '"' {
					return i, false
				}
				if i, ok = validString(data, i); !ok {
					return i, false
				}
				if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
					return i, false
				}
				i = skipSpace(data, i+1)
			}
			if i, ok = validEnd(data, i, depth+1); !ok {
				return i, false
			}
			if i = skipSpace(data, i); i >= len(data) {
				return i, false
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case closer:
				return i + 1, true
			default:
				return i, false
			}
		}
	case 't':
		return literalEnd(data, i, "true")
	case 'f':
		return literalEnd(data, i, "false")
	case 'n':
		return literalEnd(data, i, "null")
	}
	return numberEnd(data, i)
}

// literalEnd checks for the literal word at data[i].
func literalEnd(data []byte, i int, word string) (int, bool) {
	if len(data)-i < len(word) || string(data[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

// validString returns the index just past the string whose opening quote
// is data[i], and whether it is a valid JSON string: no control byte, and
// only the escapes JSON has. Like json.Valid, it does not ask for valid
// UTF-8 (encoding/json replaces what is not).
func validString(data []byte, i int) (int, bool) {
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(data) {
				return i, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(data)-i <= 4 {
					return i, false
				}
				for _, h := range data[i+1 : i+5] {
					if !isHexDigit(h) {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// numberEnd returns the index just past the JSON number at data[i], and
// whether there is one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func numberEnd(data []byte, i int) (int, bool) {
	end, whole := integerEnd(data, i)
	if !whole {
		return end, false
	}
	i = end
	if i < len(data) && data[i] == '.' {
		if i = digitsEnd(data, i+1); i == end+1 {
			return i, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		from := i
		if i = digitsEnd(data, i); i == from {
			return i, false
		}
	}
	return i, true
}

// integerEnd returns the index just past the integer part of a JSON
// number at data[i] (-?(0|[1-9][0-9]*)), and whether there is one.
func integerEnd(data []byte, i int) (int, bool) {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data) || data[i] < '0' || data[i] > '9':
		return i, false
	case data[i] == '0':
		return i + 1, true
	}
	return digitsEnd(data, i), true
}

// digitsEnd returns the index of the first byte at or after i that is no
// decimal digit.
func digitsEnd(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}
