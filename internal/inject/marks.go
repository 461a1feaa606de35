package inject

// The bytes that matter to the text walk (plainTags) and the quoted-tag
// check (quotedTag), one bit per byte. A mark's index in blockMarks.
const (
	markLT     = iota // '<'
	markGT            // '>'
	markQuote         // '"' or '\''
	markDQ            // '"'
	markEq            // '='
	markNoName        // a byte below 0x21, '/' or a quote: none can end an attribute name that '=' follows
	markLook          // a '<' whose next bytes may start something other than a plain tag (lookAt)
	markKinds
)

// blockMarks are the marks of one 64-byte block: bit k of each word is
// byte k of the block.
type blockMarks [markKinds]uint64

// markReach is how many bytes past a block markBlocks reads: markLook
// looks at the three bytes after a '<'.
const markReach = 3

// lookAt reports whether the bytes c1, c2, c3 after a '<' may start
// something other than a plain tag (one that changes nothing once it
// ends, and that the tree model does not need to hear of): they do unless
// c1 is a letter or '/', and they do when c1, c2 are the first two
// letters of a raw-text tag name ("sc", "st", "ti", "te", "no", "xm",
// "if", "pl") or of an element the tree model follows (lookPairs), or '/'
// and a byte that is not a letter or one such element's initial, or
// "/bo" (maybe "</body"), in any case. Other pairs are flagged too ("<ss",
// "<td", "<hr", "</span"...): passLook sorts them, at the cost of a look.
//
// The pair test is two nibble lookups per byte, which the vector versions
// of markBlocks do with VPSHUFB: bit k of lookFirst(c1) & lookSecond(c2)
// is set when c1 is in the k-th set of first bytes and c2 in the k-th set
// of second bytes.
func lookAt(c1, c2, c3 byte) bool {
	return !isAlpha(c1) && c1 != '/' || lookFirst(c1)&lookSecond(c2) != 0 ||
		c1 == '/' && c2|0x20 == 'b' && c3|0x20 == 'o'
}

func lookFirst(c byte) byte  { return lookTables[0][c>>4] & lookTables[1][c&15] }
func lookSecond(c byte) byte { return lookTables[2][c>>4] & lookTables[3][c&15] }

// lookPairs are the eight sets of pairs lookAt flags, one per bit. A set
// is every pair of a first byte and a second byte drawn from its two byte
// sets; as the tables are indexed by nibble, each byte set grows to every
// byte whose high nibble and low nibble both occur in it (so "bs" also
// holds 'c' and 'r'). Letters count in either case.
var lookPairs = [8]struct{ first, second string }{
	{"bs", "ctemviuo"},        // script, style, select, small, strike, strong, svg, big, button, body
	{"t", "ieat"},             // title, textarea, table, template, tt
	{"nxecfm", "omar"},        // noscript, noembed, noframes, nobr, xmp, em, code, font, form, frameset, math, marquee
	{"ipoa", "flbp"},          // iframe, plaintext, object, applet
	{"/", lookBelowAt},        // an end tag with '/' then a byte that is no letter,
	{"/", "abcefimno@`"},      // or an initial of a followed element, a to o,
	{"/", "pstu{|}~\x7f"},     // or p to z
	{"abipsu", "\t\n\f\r />"}, // a, b, i, p, s, u
}

// lookBelowAt holds every byte below '@' and from 0x80 on: with their
// high nibbles, the bytes that are not letters.
var lookBelowAt = func() string {
	var b []byte
	for c := 0; c < 256; c++ {
		if c < '@' || c >= 0x80 {
			b = append(b, byte(c))
		}
	}
	return string(b)
}()

// lookTables are the nibble tables of lookAt, built from lookPairs: the
// sets of first bytes by high and low nibble, then those of second bytes.
// No first byte from 0x80 on is in a set, so the vector versions may look
// its low nibble up without masking the byte (VPSHUFB gives zero for it).
var lookTables = func() (t [4][16]byte) {
	for k, pair := range lookPairs {
		for i, set := range []string{pair.first, pair.second} {
			for _, c := range []byte(set) {
				for _, c := range []byte{c, lower(c), upper(c)} {
					t[2*i][c>>4] |= 1 << k
					t[2*i+1][c&15] |= 1 << k
				}
			}
		}
	}
	return t
}()

// upper folds an ASCII lower-case letter to upper case.
func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// blockLookahead is how many bytes from i plainTags needs to start: a
// block and the fastLookahead bytes the tag tests read past its end.
const blockLookahead = 64 + fastLookahead

// chunkBlocks is how many blocks are marked at a time (2 KB of input).
const chunkBlocks = 32

// markedBlocks holds the marks of up to chunkBlocks consecutive 64-byte
// blocks of the buffer, from index first on, and a window: the marks of
// 64 bytes that start at any index, cut from two blocks.
type markedBlocks struct {
	first  int // index in the buffer of blocks[0]
	count  int // blocks marked from first on
	blocks [chunkBlocks]blockMarks
	window blockMarks
}

// block returns the marks of the block that holds index i and the index
// the block starts at, marking up to chunkBlocks blocks from i on when i
// is not in one. Blocks end fastLookahead bytes before the end of p at
// the latest (the tag tests read that far past a '<'); nil means i is
// closer to the end than that.
func (t *markedBlocks) block(p []byte, i int) (*blockMarks, int) {
	if off := uint(i - t.first); off < uint(t.count)<<6 {
		return &t.blocks[off>>6&(chunkBlocks-1)], i - int(off&63)
	}
	return t.markFrom(p, i)
}

// markFrom marks up to chunkBlocks blocks from i on, and returns the
// first as block does.
func (t *markedBlocks) markFrom(p []byte, i int) (*blockMarks, int) {
	t.first = i
	t.count = min(chunkBlocks, (len(p)-i-fastLookahead)>>6)
	if t.count <= 0 {
		t.count = 0
		return nil, i
	}
	markBlocks(p[i:i+t.count<<6+markReach], t.blocks[:t.count])
	return &t.blocks[0], i
}

// windowAt returns the marks of the 64 bytes at p[j:], cut from the
// blocks when they hold them (else marked afresh), or nil when fewer than
// 64+fastLookahead bytes are left. A window cut from the blocks has no
// markLook, which quotedTag does not read.
func (t *markedBlocks) windowAt(p []byte, j int) *blockMarks {
	off := j - t.first
	k, s := off>>6, uint(off&63)
	switch {
	case off >= 0 && s == 0 && k < t.count:
		return &t.blocks[k]
	case off >= 0 && k+1 < t.count:
		b, next, w := &t.blocks[k], &t.blocks[k+1], &t.window
		w[markLT] = b[markLT]>>s | next[markLT]<<(64-s)
		w[markGT] = b[markGT]>>s | next[markGT]<<(64-s)
		w[markQuote] = b[markQuote]>>s | next[markQuote]<<(64-s)
		w[markDQ] = b[markDQ]>>s | next[markDQ]<<(64-s)
		w[markEq] = b[markEq]>>s | next[markEq]<<(64-s)
		w[markNoName] = b[markNoName]>>s | next[markNoName]<<(64-s)
	case len(p)-j >= 64+fastLookahead:
		var one [1]blockMarks
		markBlocks(p[j:j+64+markReach], one[:])
		t.window = one[0]
	default:
		return nil
	}
	return &t.window
}

// markBlocks sets out[k] to the marks of the 64-byte block p[64k:64k+64];
// p holds len(out) blocks and markReach bytes more.
func markBlocks(p []byte, out []blockMarks) {
	if len(out) == 0 {
		return
	}
	_ = p[len(out)<<6+markReach-1]
	markBlocksVector(p, out)
}

// markBlocksBytes is markBlocks a byte at a time, straight from the
// definitions of the marks: the version for machines without a vector
// one, and the reference the vector versions are tested against.
func markBlocksBytes(p []byte, out []blockMarks) {
	for k := range out {
		block := p[k<<6 : k<<6+64+markReach]
		var m blockMarks
		for i, c := range block[:64] {
			bit := uint64(1) << i
			switch c {
			case '<':
				m[markLT] |= bit
				if lookAt(block[i+1], block[i+2], block[i+3]) {
					m[markLook] |= bit
				}
			case '>':
				m[markGT] |= bit
			case '"':
				m[markQuote] |= bit
				m[markDQ] |= bit
			case '\'':
				m[markQuote] |= bit
			case '=':
				m[markEq] |= bit
			}
			if c < 0x21 || c == '/' || c == '"' || c == '\'' {
				m[markNoName] |= bit
			}
		}
		out[k] = m
	}
}
