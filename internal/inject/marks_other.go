//go:build !amd64

package inject

// markBlocksVector is markBlocks; this architecture has no vector version.
func markBlocksVector(p []byte, out []blockMarks) { markBlocksBytes(p, out) }

// blockWalk selects the block walk (plainTags), which pays only where the
// marks come from vectors: here the data state's word-at-a-time hops run.
const blockWalk = false
