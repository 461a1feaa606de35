package inject

import (
	"io"
	"testing"
)

// avx2Marks is markBlocks with AVX2 where the machine has it (even when it
// has AVX-512 too), so that the tests hold that version to the reference.
func avx2Marks(p []byte, out []blockMarks) {
	if !hasAVX2 || len(out) == 0 {
		markBlocks(p, out)
		return
	}
	markBlocksAVX2(&p[0], len(out), &out[0], &lookTables)
}

// BenchmarkInjectPortable is BenchmarkInject's 100 KB page without the
// block walk, as on machines without vector marking.
func BenchmarkInjectPortable(b *testing.B) {
	defer useWalk(false)()
	page := storePage(100 << 10)
	loopBest(b, len(page), func() {
		inj := New(io.Discard, snippetFunc)
		_, _ = inj.Write(page)
		_ = inj.Close()
		inj.Release()
	})
}

// walks lists the data-state walks this machine runs: the block walk,
// where it has vector marking, and the word-at-a-time hops.
func walks() []bool {
	if hasAVX2 || hasAVX512 {
		return []bool{true, false}
	}
	return []bool{false}
}

// useWalk selects the block walk or the hops, and returns a function that
// restores the choice.
func useWalk(blocks bool) (restore func()) {
	was := blockWalk
	blockWalk = blocks
	return func() { blockWalk = was }
}
