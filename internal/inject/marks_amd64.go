package inject

import (
	"os"

	"golang.org/x/sys/cpu"
)

// The vector versions of markBlocks the machine can run. With
// KAIRO_INJECT_PORTABLE set it runs none, as a machine without them would
// (CI tests that path too).
var (
	portable  = os.Getenv("KAIRO_INJECT_PORTABLE") != ""
	hasAVX2   = cpu.X86.HasAVX2 && !portable
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && !portable
)

// blockWalk selects the block walk (plainTags), which pays only where the
// marks come from vectors; elsewhere the data state's word-at-a-time hops
// run (fastpath.go).
var blockWalk = hasAVX2 || hasAVX512

// markBlocksVector is markBlocks with the widest vectors the machine has.
func markBlocksVector(p []byte, out []blockMarks) {
	switch {
	case hasAVX512:
		markBlocksAVX512(&p[0], len(out), &out[0], &lookTables)
	case hasAVX2:
		markBlocksAVX2(&p[0], len(out), &out[0], &lookTables)
	default:
		markBlocksBytes(p, out)
	}
}

// markBlocksAVX2 is markBlocks with AVX2 (marks_amd64.s): each half block
// is compared with the marked bytes as 32 lanes, and VPMOVMSKB packs the
// lanes' results into 32 bits.
//
//go:noescape
func markBlocksAVX2(p *byte, blocks int, out *blockMarks, tables *[4][16]byte)

// markBlocksAVX512 is markBlocks with AVX-512BW (marks_amd64.s): a block
// is one 64-byte load, and each comparison yields its 64 bits in a mask
// register.
//
//go:noescape
func markBlocksAVX512(p *byte, blocks int, out *blockMarks, tables *[4][16]byte)
