package inject

import "encoding/binary"

// The bytes that matter to the text walk (plainTags) and the quoted-tag
// check (quotedTag), one bit per byte. A mark's index in blockMarks.
const (
	markLT     = iota // '<'
	markGT            // '>'
	markQuote         // '"' or '\''
	markDQ            // '"'
	markEq            // '='
	markNoName        // a byte below 0x21, '/' or a quote: none can end an attribute name that '=' follows
	markKinds
)

// blockMarks are the marks of one 64-byte block: bit k of each word is
// byte k of the block.
type blockMarks [markKinds]uint64

// chunkBlocks is how many blocks are marked at a time (2 KB of input).
const chunkBlocks = 32

// blockLookahead is how many bytes from a window's start plainTags needs:
// the window and the fastLookahead bytes the tag tests read past its end.
const blockLookahead = 64 + fastLookahead

// noBlock is a textBlock base that no index lies in the window of.
const noBlock = -64

// textBlock holds the marks of a 64-byte window of the buffer, which may
// start anywhere (a tag that runs past one is read again in a window that
// starts at its '<'). Windows are cut from the marks of the aligned
// blocks that markBlocks computes, up to chunkBlocks of them at a time, so
// marking costs a few vector instructions per block however often the
// window moves.
type textBlock struct {
	base int        // index in the buffer of the window's first byte
	m    blockMarks // the window's marks

	first  int // index in the buffer of blocks[0]
	count  int // blocks marked from first on
	blocks [chunkBlocks]blockMarks
}

// load sets the window to the 64 bytes at p[base:]; p must hold them.
func (t *textBlock) load(p []byte, base int) {
	off := base - t.first
	k, s := off>>6, uint(off&63)
	if off < 0 || k >= t.count || s != 0 && k+1 >= t.count {
		t.first = base
		t.count = min(chunkBlocks, (len(p)-base)>>6)
		markBlocks(p[base:base+t.count<<6], t.blocks[:t.count])
		k, s = 0, 0
	}
	t.base = base
	if s == 0 {
		t.m = t.blocks[k]
		return
	}
	b, next := &t.blocks[k], &t.blocks[k+1]
	for i := range t.m {
		t.m[i] = b[i]>>s | next[i]<<(64-s)
	}
}

// markBlocksGeneric is markBlocks in portable Go, eight bytes at a time.
func markBlocksGeneric(p []byte, out []blockMarks) {
	for k := range out {
		w := p[k<<6 : k<<6+64 : k<<6+64]
		var m blockMarks
		for i := 0; i < 8; i++ {
			x := binary.LittleEndian.Uint64(w[8*i:])
			dq := zeroBytes(x ^ swarOnes*'"')
			q := dq | zeroBytes(x^swarOnes*'\'')
			m[markLT] |= gather(zeroBytes(x^swarOnes*'<')) << (8 * i)
			m[markGT] |= gather(zeroBytes(x^swarOnes*'>')) << (8 * i)
			m[markQuote] |= gather(q) << (8 * i)
			m[markDQ] |= gather(dq) << (8 * i)
			m[markEq] |= gather(zeroBytes(x^swarOnes*'=')) << (8 * i)
			m[markNoName] |= gather(q|zeroBytes(x^swarOnes*'/')|below21(x)) << (8 * i)
		}
		out[k] = m
	}
}

// zeroBytes flags, exactly, the zero bytes of x: adding 0x7f to the low
// seven bits of a byte sets its bit 7 unless they are all zero, with no
// carry into the next byte, and or-ing x back in rules out bytes with bit
// 7 set.
func zeroBytes(x uint64) uint64 {
	return ^((x&(swarOnes*0x7f) + swarOnes*0x7f) | x) & swarHighs
}

// below21 flags, exactly, the bytes of x below 0x21, in the manner of
// zeroBytes: adding 0x5f to the low seven bits sets bit 7 from 0x21 on.
func below21(x uint64) uint64 {
	return ^((x&(swarOnes*0x7f) + swarOnes*0x5f) | x) & swarHighs
}

// gather packs bit 7 of each byte of x into bits 0 to 7, byte order kept.
// The multiplier's terms are 2^(7m) for m = 0..7, so bit 7 of byte k
// reaches bit 56+k exactly when k+m = 7; no two terms meet, so nothing
// carries.
func gather(x uint64) uint64 { return (x & swarHighs) * 0x0002040810204081 >> 56 }
