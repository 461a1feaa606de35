//go:build !amd64

package inject

// avx2Marks is markBlocks: this architecture has no AVX2.
func avx2Marks(p []byte, out []blockMarks) { markBlocks(p, out) }

// walks lists the data-state walks this machine runs: the hops only.
func walks() []bool { return []bool{false} }

// useWalk selects the block walk or the hops: here there are only hops.
func useWalk(bool) (restore func()) { return func() {} }
