//go:build !amd64

package inject

// markBlocks sets out[k] to the marks of the 64-byte block p[64k:64k+64];
// p holds len(out) blocks.
func markBlocks(p []byte, out []blockMarks) { markBlocksGeneric(p, out) }
