package inject

import "golang.org/x/sys/cpu"

// hasAVX2 selects the vector version of markBlocks.
var hasAVX2 = cpu.X86.HasAVX2

// markBlocks sets out[k] to the marks of the 64-byte block p[64k:64k+64];
// p holds len(out) blocks.
func markBlocks(p []byte, out []blockMarks) {
	if !hasAVX2 || len(out) == 0 {
		markBlocksGeneric(p, out)
		return
	}
	_ = p[len(out)<<6-1]
	markBlocksAVX2(&p[0], len(out), &out[0])
}

// markBlocksAVX2 is markBlocks with AVX2: each block is two 32-byte loads
// compared with the four bytes that are marked (marks_amd64.s).
//
//go:noescape
func markBlocksAVX2(p *byte, blocks int, out *blockMarks)
