package offers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// contextDecodeCases are contexts of the usual shape, which the fast path
// must take, and some it must leave to encoding/json.
var contextDecodeCases = []struct {
	doc  string
	fast bool
}{
	{`{"id":"1001","currency":"USD","subtotal":4599,"items":[{"product_id":"mug","variant_id":"mug-white","quantity":1,"unit_price":1999,"tags":["kitchen"]}],"customer":{"id":"c1","tags":["vip"],"orders_count":3},"status":"paid"}`, true},
	{` { "id" : "c" , "currency" : "eur" , "items" : [ ] , "extra" : {"a":[1,{"b":"}"}]} , "customer" : null } `, true},
	{`{"id":"c","currency":"USD","items":[{"product_id":"p","quantity":2,"unit_price":5,"tags":[],"x":true}],"customer":{"orders_count":0}}`, true},
	{`{"id":"c","currency":"EUR","locale":"de-DE","items":[]}`, true},
	{`{"id":"c","currency":"EUR","locale":"de-DE","Locale":"fr-FR","items":[]}`, false}, // another letter case
	{`{"id":"c","currency":"EUR","locale":null,"items":[]}`, false},
	{`{"ID":"c","currency":"USD","items":[]}`, false},                                 // another letter case
	{`{"id":"c\u00e9","currency":"USD","items":[]}`, false},                           // an escape
	{`{"id":"c","id":"d","currency":"USD","items":[]}`, false},                        // a repeated key
	{`{"id":"c","currency":"USD","subtotal":1.5,"items":[]}`, false},                  // not a whole number
	{`{"id":"c","currency":"USD","subtotal":99999999999999999999,"items":[]}`, false}, // too large
	{`{"id":"c","currency":"USD","items":null}`, false},
	{`{"id":"c","currency":"USD","placed_at":"2025-11-28T10:00:00Z","items":[]}`, false},
	{`{"id":"c","currency":"USD","items":[],"payment":{"method":"cod","collect":"offline"}}`, false}, // an order's payment
	{`{"id":"c","currency":"USD","items":[],"Payment":{"collect":"offline"}}`, false},
	{`{"id":1}`, false},
	{`{"id":"c",}`, false}, // not JSON
	// Not JSON either, each in a place the decoder reads or skips.
	{`{"id":"c" "currency":"USD","items":[]}`, false},
	{`{"id" "c","currency":"USD","items":[]}`, false},
	{`{"id":"c","currency":"USD","items":[],}`, false},
	{`{"id":"c","currency":"USD","items":[{"product_id":"p","tags":["a",]}]}`, false},
	{`{"id":"c","currency":"USD","items":[]} x`, false},
	{`{"id":"c","currency":"USD","items":[]}}`, false},
	{"{\"id\":\"c\td\",\"currency\":\"USD\",\"items\":[]}", false}, // a control byte in a string
	{`{"id":"c","currency":"USD","subtotal":+1,"items":[]}`, false},
	{`{"id":"c","currency":"USD","subtotal":01,"items":[]}`, false},
	{`{"id":"c","currency":"USD","subtotal":-,"items":[]}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":[1,]}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":tru}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":"\q"}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":"\u12"}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":1.}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":1e}`, false},
	{`{"id":"c","currency":"USD","items":[],"x":{"a" 1}}`, false},
	{`{"id":"c","currency":"USD","items":[],"customer":nul}`, false},
	{`{"id":"c","currency":"USD","items":[]`, false},
	// JSON, skipped where unknown.
	{`{"id":"c","currency":"USD","items":[],"x":[-0.5e+3,"\u00e9\n",true,false,null,{},[],{"a":[{}]}]}`, true},
}

func TestDecodeContext(t *testing.T) {
	for _, tc := range contextDecodeCases {
		var fast Context
		if got := decodeContext([]byte(tc.doc), &fast); got != tc.fast {
			t.Errorf("decodeContext(%s) = %v, want %v", tc.doc, got, tc.fast)
			continue
		}
		if tc.fast {
			checkSameAsJSON(t, []byte(tc.doc), &fast)
		}
	}
}

// Up to maxSharedText bytes a context's strings are slices of one copy of
// the document; above it each is a copy of its own (a cached context keeps
// no large document alive). Both read the same as encoding/json.
func TestDecodeContextSharesOneCopyUpToItsBound(t *testing.T) {
	const shape = `{"id":"cart-9","currency":"USD","items":[{"product_id":"mug","tags":["kitchen"]}],"x":"%s"}`
	for _, n := range []int{maxSharedText, maxSharedText + 1} {
		doc := fmt.Sprintf(shape, strings.Repeat("p", n-len(shape)+2))
		if len(doc) != n {
			t.Fatalf("the document is %d bytes, want %d", len(doc), n)
		}
		var fast Context
		if !decodeContext([]byte(doc), &fast) {
			t.Fatalf("the fast path refused a %d-byte context", n)
		}
		checkSameAsJSON(t, []byte(doc), &fast)
		// In one copy, the currency lies as far after the id as in the
		// document.
		apart := uintptr(unsafe.Pointer(unsafe.StringData(fast.Currency))) - uintptr(unsafe.Pointer(unsafe.StringData(fast.ID)))
		shared := apart == uintptr(strings.Index(doc, "USD")-strings.Index(doc, "cart-9"))
		if want := n <= maxSharedText; shared != want {
			t.Errorf("%d bytes: strings share one copy: %v, want %v", n, shared, want)
		}
	}
}

// checkSameAsJSON holds what the fast path decoded to encoding/json's
// result for the same document.
func checkSameAsJSON(t *testing.T, data []byte, fast *Context) {
	t.Helper()
	var slow Context
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("the fast path took %q, encoding/json refuses it: %v", data, err)
	}
	if !reflect.DeepEqual(*fast, slow) {
		t.Fatalf("%q:\nfast %#v\njson %#v", data, *fast, slow)
	}
}

// FuzzContextDecode holds the fast path to encoding/json on every input it
// takes.
func FuzzContextDecode(f *testing.F) {
	for _, tc := range contextDecodeCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast Context
		if decodeContext(data, &fast) {
			checkSameAsJSON(t, data, &fast)
		}
	})
}

// FuzzValidEnd holds validEnd to json.Valid: what it takes as a whole
// document json.Valid takes, and what json.Valid takes it takes too,
// unless the document nests deeper than validEnd goes.
func FuzzValidEnd(f *testing.F) {
	for _, tc := range contextDecodeCases {
		f.Add([]byte(tc.doc))
	}
	f.Add([]byte(`[1, -0.0e-1, "a\\b\u0041", {"x": [true, false, null]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := skipSpace(data, 0)
		end, ok := validEnd(data, start, 0)
		whole := ok && skipSpace(data, end) == len(data)
		valid := json.Valid(data)
		if whole && !valid {
			t.Fatalf("validEnd takes %q, json.Valid does not", data)
		}
		if valid && !whole && nesting(data) < maxSkipDepth {
			t.Fatalf("json.Valid takes %q, validEnd does not (stopped at %d)", data, end)
		}
	})
}

// nesting is the number of open brackets in data, counting those in
// strings too: never less than the document's depth.
func nesting(data []byte) int {
	return bytes.Count(data, []byte("{")) + bytes.Count(data, []byte("["))
}
