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

func BenchmarkMarkBlocksAVX2(b *testing.B) {
	page := storePage(100 << 10)
	blocks := len(page)/64 - 1
	out := make([]blockMarks, blocks)
	loopBest(b, blocks*64, func() { avx2Marks(page[:blocks*64+markReach], out) })
}

// BenchmarkInjectPortable is BenchmarkInject's 100 KB page without the
// block walk, as on machines without vector marking.
func BenchmarkInjectPortable(b *testing.B) {
	defer func(walk bool) { blockWalk = walk }(blockWalk)
	blockWalk = false
	page := storePage(100 << 10)
	loopBest(b, len(page), func() {
		inj := New(io.Discard, snippetFunc)
		_, _ = inj.Write(page)
		_ = inj.Close()
		inj.Release()
	})
}
