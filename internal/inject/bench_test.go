package inject

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchSnippet is a widget-sized snippet.
var benchSnippet = bytes.Repeat([]byte("<div class=\"kairo-offer\">offer</div>"), 40)

func snippetFunc() []byte { return benchSnippet }

// benchmarkInject streams page through an Injector in writes of chunk bytes
// (0: one write), as a proxy does with its copy buffer.
func benchmarkInject(b *testing.B, page []byte, chunk int) {
	b.Helper()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		inj := New(io.Discard, snippetFunc)
		if chunk == 0 {
			_, _ = inj.Write(page)
		} else {
			for p := page; len(p) > 0; {
				n := min(chunk, len(p))
				_, _ = inj.Write(p[:n])
				p = p[n:]
			}
		}
		_ = inj.Close()
		if !inj.Injected() {
			b.Fatal("snippet not injected")
		}
		inj.Release()
	}
}

// BenchmarkInject measures the injector on the tag-dense store page: 100 KB
// and 10 MB (the same bytes allocated per page: memory does not grow with
// the document), in one write and in 32 KB writes (reverse_proxy's buffer).
func BenchmarkInject(b *testing.B) {
	for _, size := range []int{100 << 10, 10 << 20} {
		page := storePage(size)
		for _, chunk := range []int{0, 32 << 10} {
			b.Run(fmt.Sprintf("page=%dKB/write=%dKB", size>>10, chunk>>10), func(b *testing.B) {
				benchmarkInject(b, page, chunk)
			})
		}
	}
}

// BenchmarkBytesIndex is the floor for comparison: a plain, HTML-blind
// bytes.Index for "</body>" over the same 100 KB page (it stops at the
// first decoy, so it is given the page with every "</body>" but the last
// removed).
func BenchmarkBytesIndex(b *testing.B) {
	page := storePage(100 << 10)
	last := bytes.LastIndex(page, []byte("</body>"))
	clean := append(bytes.ReplaceAll(page[:last], []byte("</body>"), []byte("</bxdy>")), page[last:]...)
	b.SetBytes(int64(len(clean)))
	b.ReportAllocs()
	for b.Loop() {
		if bytes.Index(clean, []byte("</body>")) != last {
			b.Fatal("wrong index")
		}
	}
}
