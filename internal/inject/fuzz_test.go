package inject

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzInjector checks, for any input and any way of cutting it into
// writes, that:
//   - chunked writes give the output of one write;
//   - the fast paths agree with the byte-at-a-time reference machine, with
//     the block walk and with the word-at-a-time hops;
//   - the output minus the snippet is the input, and the snippet sits in
//     front of a "</body" end tag, in front of an unfinished "</body" at the
//     very end, or at the end.
//
// Run: go test -run '^$' -fuzz FuzzInjector -fuzztime 20s ./internal/inject
func FuzzInjector(f *testing.F) {
	for _, tc := range injectionCases {
		in, _ := expected(tc.doc)
		f.Add([]byte(in), uint64(len(in)))
	}
	f.Add(storePage(0), uint64(1))
	f.Add(storePage(3000), uint64(2))
	for i, page := range foreignPages {
		f.Add([]byte(page), uint64(i))
	}

	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		want, ref := runInjector(t, true, in)
		for _, blocks := range walks() {
			restore := useWalk(blocks)
			got, inj := runInjector(t, false, in)
			restore()
			if got != want || inj.insertedAt != ref.insertedAt {
				t.Fatalf("fast (block walk %v) and reference disagree on %q:\nfast %q at %d\nref  %q at %d", blocks, in, got, inj.insertedAt, want, ref.insertedAt)
			}
		}

		at := int(ref.insertedAt)
		if ref.NoPlace() {
			if want != string(in) || at != -1 {
				t.Fatalf("no place, yet the output is not the input:\ninput  %q\noutput %q", in, want)
			}
			return
		}
		if at < 0 || at > len(in) {
			t.Fatalf("insertion point %d outside the input (%d bytes)", at, len(in))
		}
		out := []byte(want)
		if !bytes.Equal(out[:at], in[:at]) || string(out[at:at+len(testSnippet)]) != testSnippet ||
			!bytes.Equal(out[at+len(testSnippet):], in[at:]) {
			t.Fatalf("output minus snippet is not the input:\ninput  %q\noutput %q (snippet at %d)", in, out, at)
		}
		if rest := in[at:]; len(rest) > 0 && !isBodyEndTag(rest) && !isBodyEndTagPrefix(rest) {
			t.Fatalf("snippet at %d, in front of %q", at, rest)
		}

		r := rand.New(rand.NewPCG(seed, uint64(len(in))))
		for _, slow := range []bool{false, true} {
			chunks := randomWrites(r, in, 24)
			if got, _ := runInjector(t, slow, chunks...); got != want {
				t.Fatalf("chunked (slow=%v) %q:\ngot  %q\nwant %q", slow, chunks, got, want)
			}
		}
	})
}

// randomWrites cuts p into writes of random lengths up to longest.
func randomWrites(r *rand.Rand, p []byte, longest int) [][]byte {
	var writes [][]byte
	for len(p) > 0 {
		n := 1 + r.IntN(min(len(p), longest))
		writes = append(writes, p[:n])
		p = p[n:]
	}
	return writes
}

// isBodyEndTag reports whether p starts with "</body" in any case followed
// by a byte that ends the tag name.
func isBodyEndTag(p []byte) bool {
	return len(p) > 6 && p[0] == '<' && p[1] == '/' && hasPrefixFold(p[2:], "body") && isNameEnd(p[6])
}

// isBodyEndTagPrefix reports whether p is a proper prefix of "</body" (any
// case), which the Injector holds back at the end of a document.
func isBodyEndTagPrefix(p []byte) bool {
	const tag = "</body"
	if len(p) > len(tag) {
		return false
	}
	for k, c := range p {
		if lower(c) != tag[k] {
			return false
		}
	}
	return true
}
