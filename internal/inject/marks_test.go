package inject

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMarkBlocks holds the vector versions of markBlocks (both, where
// the machine has AVX-512) to the byte-at-a-time one, on random bytes of
// every value and on the store page.
func TestMarkBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64*200)
	const likely = "<>\"'=/ \t\n\f\r\v\x00\x08\x0e\x1f\x20\x21\x7f\x80\xff!-ab"
	for k := range random {
		if k%3 == 0 {
			random[k] = byte(r.IntN(256))
		} else {
			random[k] = likely[r.IntN(len(likely))]
		}
	}
	for _, in := range [][]byte{random, storePage(64 * 100)} {
		in = in[:(len(in)/64-1)*64+markReach]
		checkMarks(t, "markBlocks", markBlocks, in)
		checkMarks(t, "markBlocksAVX2", avx2Marks, in)
	}
}

// BenchmarkMarkBlocks measures marking the 100 KB store page: with the
// widest vectors the machine has, with AVX2, and a byte at a time.
func BenchmarkMarkBlocks(b *testing.B) {
	page := storePage(100 << 10)
	blocks := len(page)/64 - 1
	out := make([]blockMarks, blocks)
	for _, mark := range []struct {
		name string
		fn   func([]byte, []blockMarks)
	}{{"vector", markBlocks}, {"AVX2", avx2Marks}, {"bytes", markBlocksBytes}} {
		b.Run(mark.name, func(b *testing.B) {
			loopBest(b, blocks*64, func() { mark.fn(page[:blocks*64+markReach], out) })
		})
	}
}

// checkMarks holds the blocks mark marks in p (whole blocks and markReach
// bytes) to those of markBlocksBytes.
func checkMarks(t *testing.T, name string, mark func([]byte, []blockMarks), p []byte) {
	t.Helper()
	blocks := (len(p) - markReach) / 64
	got, want := make([]blockMarks, blocks), make([]blockMarks, blocks)
	mark(p, got)
	markBlocksBytes(p, want)
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("%s: block %d of %q:\ngot  %x\nwant %x", name, k, p[k*64:k*64+64+markReach], got[k], want[k])
		}
	}
}

// FuzzMarkBlocks holds the vector versions of markBlocks to the byte at a
// time one on any input.
//
// Run: go test -run '^$' -fuzz FuzzMarkBlocks -fuzztime 20s ./internal/inject
func FuzzMarkBlocks(f *testing.F) {
	f.Add(storePage(0))
	f.Add([]byte(strings.Repeat("<a b='c\">d'></body><!--x--><SCRIPT>", 8)))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 64+markReach {
			return
		}
		in = in[:(len(in)-markReach)/64*64+markReach]
		checkMarks(t, "markBlocks", markBlocks, in)
		checkMarks(t, "markBlocksAVX2", avx2Marks, in)
	})
}

// TestLookAt checks that lookAt flags every start of something other
// than a plain tag and every tag the tree model follows, in any case, and
// not too many others.
func TestLookAt(t *testing.T) {
	extra := 0
	for pair := 0; pair < 1<<16; pair++ {
		c1, c2 := byte(pair), byte(pair>>8)
		thirds := "x"
		if c1 == '/' {
			thirds = "oOxb\x00>\xff"
		}
		for _, c3 := range []byte(thirds) {
			need := !isAlpha(c1) && c1 != '/' || c1 == '/' && (!isAlpha(c2) || trigInitial[c2] || lower(c2) == 'b' && lower(c3) == 'o')
			for _, name := range rawNames[1:] {
				need = need || lower(c1) == name[0] && lower(c2) == name[1]
			}
			for _, name := range kindNames[1:] {
				if name == "" {
					continue
				}
				if len(name) == 1 {
					need = need || lower(c1) == name[0] && isNameEnd(c2)
				} else {
					need = need || lower(c1) == name[0] && lower(c2) == name[1]
				}
			}
			switch got := lookAt(c1, c2, c3); {
			case need && !got:
				t.Errorf("lookAt(%q, %q, %q) = false, want true", c1, c2, c3)
			case got && !need:
				extra++
			}
		}
	}
	if extra > 1500 {
		t.Errorf("lookAt flags %d starts that need no look", extra)
	}
	t.Logf("%d starts flagged that need no look", extra)
	for _, plain := range []string{"di", "sp", "li", "ul", "im", "in", "h1", "he", "la", "me", "pi", "tr", "/d", "/l", "/h"} {
		if lookAt(plain[0], plain[1], 'x') {
			t.Errorf("lookAt flags the common plain tag start %q", plain)
		}
	}
}
