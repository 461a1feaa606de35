package inject

import (
	"bytes"
	"testing"
)

// TestIndexFold holds indexFold, which reads eight bytes at a time, to a
// search of the lower-cased text: the word in either case at every offset
// of texts of every length up to two words and a half, among bytes that
// look like its first letter ('C', 'c', 0xC3, 0xE3, 0x03).
func TestIndexFold(t *testing.T) {
	fill := []byte("cC\xc3\xe3\x03chArSecharse")
	for size := 0; size <= 20; size++ {
		for at := -1; at+7 <= size; at++ {
			p := make([]byte, size)
			for k := range p {
				p[k] = fill[(k*7+size)%len(fill)]
			}
			if at >= 0 {
				copy(p[at:], "ChArSeT")
			}
			lowered := make([]byte, size)
			for k, c := range p {
				lowered[k] = lower(c)
			}
			want := bytes.Index(lowered, []byte("charset"))
			if got := indexFold(p, "charset"); got != want {
				t.Errorf("indexFold(%q) = %d, want %d", p, got, want)
			}
		}
	}
}
