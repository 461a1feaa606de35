package inject

import (
	"bytes"
	"strings"
	"testing"
)

// TestTreeAcrossWrites holds the fast paths to the reference machine with
// the tree model on, at every split of a page of formatting elements with
// quoted attributes: a tag the block walk told the tree of, whose quoted
// values ran past the end of the write, was once told again by the exact
// path, counted as open twice, and cost the page its place (a 10 MB page
// in 32 KB writes never got the widget).
func TestTreeAcrossWrites(t *testing.T) {
	doc := "<!doctype html><body><p>x</p>\n" +
		strings.Repeat(`<p class="price"><s class="price__was">$31.27</s> <b title="t">b</b> <em data-x='1'>e</em></p>`+"\n", 12) +
		"</body></html>"
	forEachWalk(t, func(t *testing.T) {
		for k := 1; k < len(doc); k++ {
			var outs [2][]byte
			for i, slow := range []bool{true, false} {
				var out bytes.Buffer
				inj := New(&out, func() []byte { return []byte(testSnippet) })
				inj.sc.slow = slow
				_, _ = inj.Write([]byte(doc[:k]))
				_, _ = inj.Write([]byte(doc[k:]))
				_ = inj.Close()
				if !inj.Injected() {
					t.Fatalf("split at %d (slow %v): no snippet", k, slow)
				}
				inj.Release()
				outs[i] = out.Bytes()
			}
			if !bytes.Equal(outs[0], outs[1]) {
				t.Fatalf("split at %d: fast and reference disagree\nfast %q\nref  %q", k, outs[1], outs[0])
			}
		}
	})
}
