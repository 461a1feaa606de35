package inject

import (
	"math/rand/v2"
	"testing"
)

// referenceMarks computes one block's marks a byte at a time, from the
// definitions in marks.go.
// block holds markReach bytes more than the 64 it marks.
func referenceMarks(block []byte) blockMarks {
	var m blockMarks
	for k, c := range block[:64] {
		set := func(kind int) { m[kind] |= 1 << k }
		switch c {
		case '<':
			set(markLT)
			if lookAt(block[k+1], block[k+2], block[k+3]) {
				set(markLook)
			}
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
		}{{"markBlocks", markBlocks}, {"markBlocksGeneric", markBlocksGeneric}, {"markBlocksAVX2", avx2Marks}} {
			out := make([]blockMarks, blocks-1)
			mark.fn(in[:len(out)*64+markReach], out)
			for k := range out {
				if want := referenceMarks(in[k*64 : k*64+64+markReach]); out[k] != want {
					t.Fatalf("%s: block %d = %x, want %x", mark.name, k, out[k], want)
				}
			}
		}
	}
}

// BenchmarkMarkBlocks measures marking the 100 KB store page.
func BenchmarkMarkBlocks(b *testing.B) {
	page := storePage(100 << 10)
	blocks := len(page)/64 - 1
	out := make([]blockMarks, blocks)
	for _, mark := range []struct {
		name string
		fn   func([]byte, []blockMarks)
	}{{"markBlocks", markBlocks}, {"generic", markBlocksGeneric}} {
		b.Run(mark.name, func(b *testing.B) {
			loopBest(b, blocks*64, func() { mark.fn(page[:blocks*64+markReach], out) })
		})
	}
}

// TestLookAt checks that lookAt flags every start of something other
// than a plain tag, in any case, and few others.
func TestLookAt(t *testing.T) {
	extra := 0
	for pair := 0; pair < 1<<16; pair++ {
		c1, c2 := byte(pair), byte(pair>>8)
		thirds := "x"
		if c1 == '/' {
			thirds = "oOxb\x00>\xff"
		}
		for _, c3 := range []byte(thirds) {
			need := !isAlpha(c1) && c1 != '/' || c1 == '/' && (!isAlpha(c2) || lower(c2) == 'b' && lower(c3) == 'o')
			for _, name := range rawNames[1:] {
				need = need || lower(c1) == name[0] && lower(c2) == name[1]
			}
			switch got := lookAt(c1, c2, c3); {
			case need && !got:
				t.Errorf("lookAt(%q, %q, %q) = false, want true", c1, c2, c3)
			case got && !need:
				extra++
			}
		}
	}
	if extra > 64 {
		t.Errorf("lookAt flags %d starts that need no look", extra)
	}
	t.Logf("%d starts flagged that need no look", extra)
}
