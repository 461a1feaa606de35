//go:build !amd64

package inject

// markBlocksVector is markBlocks; this architecture has no vector version.
func markBlocksVector(p []byte, out []blockMarks) { markBlocksGeneric(p, out) }
