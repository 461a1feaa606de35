package inject

import (
	"bytes"
	"strings"
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

// A Content-Type's charset is read in any letter case, quoted or not,
// among other parameters, and without an allocation: every page's header
// is read, and WordPress sends "charset=UTF-8".
func TestCharsetNotASCII(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html; charset=UTF-8":                      false,
		"text/html;charset=utf-16":                      true,
		`text/html; charset="UTF-16LE"`:                 true,
		"text/html; q=1; Charset = 'ISO-2022-JP' ":      true,
		"text/html; charset=windows-1252":               false,
		"text/html":                                     false,
		"text/html; charset=" + strings.Repeat("u", 40): false,
	} {
		if got := charsetNotASCII(ct); got != want {
			t.Errorf("charsetNotASCII(%q) = %v, want %v", ct, got, want)
		}
	}
	if raceEnabled {
		return // the race detector's own allocations
	}
	if n := testing.AllocsPerRun(100, func() { charsetNotASCII("text/html; charset=UTF-8") }); n != 0 {
		t.Errorf("%v allocations per Content-Type, want 0", n)
	}
}
