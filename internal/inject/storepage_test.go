package inject

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// storePageHead opens a store cart page. Its style and script hold the
// traps a naive search for "</body>" falls into.
const storePageHead = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Your cart </body> | Shop</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="/css/site.css"><link rel="icon" href="/favicon.ico">
<style>.card>.price{color:#c00}/* </body> */a[title="</body>"]{x:y}</style>
<script>window.dataLayer=[];if(a<b&&"</body>".length>1){document.write("<\/body>")}</script>
</head><body class="cart">
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop</a></li><li><a href="/cart">Cart</a></li></ul></nav></header>
<main><h1>Your cart</h1><ul class="grid">
`

// storePageCard is one product card, repeated to size the page. Its comment,
// attribute values, textarea, noscript and JSON script all contain "</body>".
const storePageCard = `<!-- card %[1]d </body> -->
<li class="card" data-id="%[1]d"><a href="/p/%[1]d" title="Mug </body> %[1]d"><img src="/i/%[1]d.jpg" alt="A white ceramic mug"></a>
<h3><b>Ceramic mug</b> <i>350 ml, %[1]d</i></h3><p><span>$19.99</span> <s>$24.00</s> <em>save 20%%</em></p>
<ul class="rating stars"><li><i></i></li><li><i></i></li><li><u></u></li></ul>
<dl><dt>Size</dt><dd>Medium</dd><dt>Color</dt><dd><b>Red</b> or blue</dd></dl>
<form action="/cart/add"><input type=hidden name=id value=%[1]d><button data-add='{"id":%[1]d,"t":"</body>"}'>Add</button></form>
<textarea name=note>Gift note </body></textarea><noscript><img src="/px/%[1]d.gif" alt="</body>"></noscript>
<script type="application/ld+json">{"name":"Mug </body>","sku":"%[1]d"}</script></li>
`

// storePageTail closes the page with the one real </body>.
const storePageTail = `</ul></main>
<footer><p>&copy; Shop</p><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer>
<script src="/js/app.js" defer></script>
</body>
</html>
`

// storePage returns a tag-dense store page of at least size bytes whose
// only real </body> is near the end.
func storePage(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 4096)
	b.WriteString(storePageHead)
	for id := 1000; b.Len() < size-len(storePageTail); id++ {
		fmt.Fprintf(&b, storePageCard, id)
	}
	b.WriteString(storePageTail)
	return b.Bytes()
}

func TestStorePageShape(t *testing.T) {
	page := storePage(100 << 10)
	lt := bytes.Count(page, []byte("<"))
	traps := bytes.Count(page, []byte("</body>")) - 1
	t.Logf("%d bytes, a '<' every %.1f bytes, %d decoy </body>", len(page), float64(len(page))/float64(lt), traps)
	if gap := float64(len(page)) / float64(lt); gap < 10 || gap > 13 {
		t.Errorf("a '<' every %.1f bytes, want about 12", gap)
	}
	want := bytes.LastIndex(page, []byte("<footer>")) // the site footer, a child of <body>
	var out bytes.Buffer
	inj := New(&out, func() []byte { return []byte("[snippet]") })
	if _, err := inj.Write(page); err != nil {
		t.Fatal(err)
	}
	if err := inj.Close(); err != nil {
		t.Fatal(err)
	}
	if inj.insertedAt != int64(want) {
		t.Errorf("inserted at %d, want %d (the site footer)", inj.insertedAt, want)
	}
	inj = New(&out, func() []byte { return []byte("[snippet]") })
	inj.AtBodyEnd()
	_, _ = inj.Write(page)
	_ = inj.Close()
	if want := bytes.LastIndex(page, []byte("</body>")); inj.insertedAt != int64(want) {
		t.Errorf("AtBodyEnd: inserted at %d, want %d (the last </body>)", inj.insertedAt, want)
	}
}

// TestStorePageInWrites checks that the store page gets the snippet at its
// site footer whatever the writes it comes in, with the block walk and
// without: a tag the walk told the tree of at the end of a write was once
// told again by the exact path (an <em> counted open twice), and the page
// in 4 KB writes passed through.
func TestStorePageInWrites(t *testing.T) {
	page := storePage(64 << 10)
	want := bytes.LastIndex(page, []byte("<footer>"))
	forEachWalk(t, func(t *testing.T) {
		for _, size := range []int{1000, 4096, 32 << 10} {
			inj := New(io.Discard, func() []byte { return []byte("[snippet]") })
			for p := page; len(p) > 0; {
				n := min(size, len(p))
				if _, err := inj.Write(p[:n]); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if err := inj.Close(); err != nil {
				t.Fatal(err)
			}
			if inj.insertedAt != int64(want) {
				t.Errorf("%d-byte writes: inserted at %d, want %d (the site footer)", size, inj.insertedAt, want)
			}
		}
	})
}
