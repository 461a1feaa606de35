package offers

import (
	"bytes"
	"encoding/json"
	"testing"
)

// splitCases are valid JSON documents that stress the splitter: escapes,
// strings holding brackets and commas, nesting, white space everywhere.
var splitCases = []string{
	`{}`,
	`[]`,
	` { } `,
	`{"a":1,"b":"x","c":[1,2,{"d":"}"}],"e":{"f":null}}`,
	`{"quote \" inside":"and \\ here","brackets":"{[,]}","unicode":"\u00e9\u263a"}`,
	"{ \"a\" :\t1 ,\n\"b\"\r: [ 1 , 2 ] , \"a\" : true }",
	`{"\u0069d":"escaped key"}`,
	`[1,"two",[3,[4]],{"five":5},true,false,null,-6.5e3]`,
	`["\\",  "\"", ""]`,
	`{"a":{"b":{"c":{"d":[[[[]]]]}}}}`,
}

func TestSplitMatchesEncodingJSON(t *testing.T) {
	for _, doc := range splitCases {
		checkSplit(t, []byte(doc))
	}
}

// FuzzJSONSplit compares objectFields and arrayElements with encoding/json
// on every valid document.
func FuzzJSONSplit(f *testing.F) {
	for _, doc := range splitCases {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if json.Valid(data) {
			checkSplit(t, data)
		}
	})
}

// checkSplit fails when the splitter disagrees with encoding/json about the
// members or elements of a valid document.
func checkSplit(t *testing.T, data []byte) {
	t.Helper()
	switch jsonType(data) {
	case '{':
		fields, ok := objectFields(data)
		if !ok {
			t.Fatalf("%s: not split as an object", data)
		}
		// encoding/json keeps the last of repeated keys; compare with that.
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		got := map[string]json.RawMessage{}
		for _, f := range fields {
			got[f.key] = f.value
		}
		if len(got) != len(want) {
			t.Fatalf("%s: keys %d, want %d", data, len(got), len(want))
		}
		for k, v := range want {
			if !sameJSON(got[k], v) {
				t.Fatalf("%s: member %q is %s, want %s", data, k, got[k], v)
			}
		}
	case '[':
		elems, ok := arrayElements(data)
		if !ok {
			t.Fatalf("%s: not split as an array", data)
		}
		var want []json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if len(elems) != len(want) {
			t.Fatalf("%s: %d elements, want %d", data, len(elems), len(want))
		}
		for i := range want {
			if !sameJSON(elems[i], want[i]) {
				t.Fatalf("%s: element %d is %s, want %s", data, i, elems[i], want[i])
			}
		}
	default:
		if _, ok := objectFields(data); ok {
			t.Fatalf("%s split as an object", data)
		}
		if _, ok := arrayElements(data); ok {
			t.Fatalf("%s split as an array", data)
		}
	}
}

// sameJSON reports whether two JSON texts are the same value as written.
func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

func TestDecodeString(t *testing.T) {
	for lit, want := range map[string]string{
		`""`:                 "",
		`"plain"`:            "plain",
		`"caf\u00e9"`:        "café",
		`"tab\tand \"q\""`:   "tab\tand \"q\"",
		"\"bad \xff byte\"":  "bad \uFFFD byte",
		`"\ud83d\ude00"`:     "😀",
		`"lone \udc00 half"`: "lone \uFFFD half",
	} {
		if got := decodeString([]byte(lit)); got != want {
			t.Errorf("decodeString(%s) = %q, want %q", lit, got, want)
		}
	}
}
