package demostore

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A context with non-ASCII names goes into a header as ASCII and reads
// back as the same JSON.
func TestASCIIJSONReadsBackTheSame(t *testing.T) {
	in := `{"id":"cart_1","tags":["café","日本","🎁"],"note":"plain"}`
	out := asciiJSON(in)
	for i := 0; i < len(out); i++ {
		if out[i] >= 0x80 || out[i] < 0x20 {
			t.Fatalf("byte %d of %q is not printable ASCII", i, out)
		}
	}
	var a, b any
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%q read back as %v, want %v", out, b, a)
	}
	if got := asciiJSON(`{"id":"x"}`); got != `{"id":"x"}` {
		t.Errorf("ASCII JSON changed: %q", got)
	}
}
