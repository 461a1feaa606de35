package inject

import "testing"

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
