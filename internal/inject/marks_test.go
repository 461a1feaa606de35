package inject

import (
	"math/rand/v2"
	"testing"
)

// referenceMarks computes one block's marks a byte at a time, from the
// definitions in marks.go.
func referenceMarks(block []byte) blockMarks {
	var m blockMarks
	for k, c := range block {
		set := func(kind int) { m[kind] |= 1 << k }
		switch c {
		case '<':
			set(markLT)
		case '>':
			set(markGT)
		case '"':
			set(markQuote)
			set(markDQ)
		case '\'':
			set(markQuote)
		case '=':
			set(markEq)
		}
		if c < 0x21 || c == '/' || c == '"' || c == '\'' {
			set(markNoName)
		}
	}
	return m
}

// TestMarkBlocks holds markBlocks (the vector version where the machine
// has one) and markBlocksGeneric to the byte-at-a-time definition, on
// random bytes of every value and on the store page.
func TestMarkBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64*200)
	const likely = "<>\"'=/ \t\x00\x20\x21\x7f\x80\xff!-ab"
	for k := range random {
		if k%3 == 0 {
			random[k] = byte(r.IntN(256))
		} else {
			random[k] = likely[r.IntN(len(likely))]
		}
	}
	for _, in := range [][]byte{random, storePage(64 * 100)} {
		blocks := len(in) / 64
		for _, mark := range []struct {
			name string
			fn   func([]byte, []blockMarks)
		}{{"markBlocks", markBlocks}, {"markBlocksGeneric", markBlocksGeneric}} {
			out := make([]blockMarks, blocks)
			mark.fn(in[:blocks*64], out)
			for k := range out {
				if want := referenceMarks(in[k*64 : k*64+64]); out[k] != want {
					t.Fatalf("%s: block %d = %x, want %x", mark.name, k, out[k], want)
				}
			}
		}
	}
}

// BenchmarkMarkBlocks measures marking the 100 KB store page.
func BenchmarkMarkBlocks(b *testing.B) {
	page := storePage(100 << 10)
	blocks := len(page) / 64
	out := make([]blockMarks, blocks)
	for _, mark := range []struct {
		name string
		fn   func([]byte, []blockMarks)
	}{{"markBlocks", markBlocks}, {"generic", markBlocksGeneric}} {
		b.Run(mark.name, func(b *testing.B) {
			loopBest(b, blocks*64, func() { mark.fn(page[:blocks*64], out) })
		})
	}
}
