//go:build !amd64

package inject

// avx2Marks is markBlocks: this architecture has no AVX2.
func avx2Marks(p []byte, out []blockMarks) { markBlocks(p, out) }
