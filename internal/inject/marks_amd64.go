package inject

import "golang.org/x/sys/cpu"

// The vector versions of markBlocks the machine can run.
var (
	hasAVX2   = cpu.X86.HasAVX2
	hasAVX512 = cpu.X86.HasAVX512BW
)

// markBlocks sets out[k] to the marks of the 64-byte block p[64k:64k+64];
// p holds len(out) blocks.
func markBlocks(p []byte, out []blockMarks) {
	if len(out) == 0 {
		return
	}
	_ = p[len(out)<<6-1]
	switch {
	case hasAVX512:
		markBlocksAVX512(&p[0], len(out), &out[0])
	case hasAVX2:
		markBlocksAVX2(&p[0], len(out), &out[0])
	default:
		markBlocksGeneric(p, out)
	}
}

// markBlocksAVX2 is markBlocks with AVX2: each block is two 32-byte loads
// compared with the four bytes that are marked (marks_amd64.s).
//
//go:noescape
func markBlocksAVX2(p *byte, blocks int, out *blockMarks)

// markBlocksAVX512 is markBlocksAVX2 with AVX-512BW (marks_amd64.s).
//
//go:noescape
func markBlocksAVX512(p *byte, blocks int, out *blockMarks)
