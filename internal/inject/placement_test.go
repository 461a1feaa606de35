package inject

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// placementWidget is shaped like Kairo's offer widget
// (internal/widget/fragment.gohtml): a stylesheet link, a section of
// headings, paragraphs, an image, a struck-through price, two forms with
// buttons, and a script. Its link and script carry a mark the tests find
// it by.
const placementWidget = `<link rel="stylesheet" href="/_upsell/widget.css?mark=placement-test">
<section class="kairo-widget" data-kairo-widget aria-labelledby="k-h">
<h2 class="kairo-heading" id="k-h">Special offer</h2>
<p class="kairo-note">One click adds it to your order.</p>
<article class="kairo-offer" data-kairo-offer="mug"><img class="kairo-image" src="/m.jpg" alt="" width="80" height="80">
<div class="kairo-body"><h3 class="kairo-title">Mug</h3>
<p class="kairo-price"><span class="kairo-price-now"><span class="kairo-sr">Offer price: </span>$9.99</span> <s class="kairo-price-was">$12.00</s> <span class="kairo-each">each</span></p></div>
<div class="kairo-actions"><form class="kairo-form" method="post" action="/_upsell/accept"><input type="hidden" name="token" value="t"><button type="submit" class="kairo-button">Add to my order</button></form>
<form class="kairo-form" method="post" action="/_upsell/decline"><input type="hidden" name="token" value="t"><button type="submit" class="kairo-button">No thanks</button></form></div>
<p class="kairo-status" role="status"></p></article>
</section>
<script src="/_upsell/widget.js?mark=placement-test" defer></script>`

// placementMark finds the widget in a parsed page.
const placementMark = "mark=placement-test"

// placementPages are the pages of issue 12 and the HTML standard's
// parsing examples (misnested tags, foster parenting, foreign content,
// templates), and pages where the widget has a place. want is true when
// the widget must be placed, false when the page must pass through, and
// unset (nil) when either is fine as long as the property holds.
var placementPages = []struct {
	name string
	page string
	want *bool
}{
	{"plain page", "<!doctype html><html><head><title>Cart</title></head><body><h1>Cart</h1><p>Mug</p></body></html>\n", yes},
	{"no end tags", "<!doctype html><title>Cart</title><h1>Cart</h1><p>Mug", no},
	{"no end tags, closed p", "<!doctype html><title>Cart</title><h1>Cart</h1><p>Mug</p>", yes},
	{"open script at the end", "<!doctype html><p>x</p><script>", no},
	{"open comment at the end", "<p>x</p>FOO<!-- BAR --! >BAZ", no},
	{"open textarea", "<p>x</p><textarea>", no},
	{"unfinished tag", "<p>x</p><di", no},
	{"unfinished end tag", "<p>x</p></bo", yes},
	{"open svg", "<p>x</p><svg>", no},
	{"open template", "<p>x</p><template>", no},
	{"body end inside svg desc", "<body><svg><desc></body></desc></svg><p>x</p></body>", yes},
	{"body end inside template", "<body><template><div></body></div></template></body>", yes},
	{"open p and button", "<p>x</p><p><button>", no},
	{"open a", "<p>x</p><a href=/>", no},
	{"open select", "<p>x</p><select>", no},
	{"open math", "<p>x</p><math>", no},
	{"open b", "<p>x</p><b>", no},
	{"dangling b", "<p><b>x</p>", no},
	{"misnested formatting", "<p>1<b>2<i>3</b>4</i>5</p></body>", yes},
	{"adoption agency", "<b>1<p>2</b>3</p></body>", yes},
	{"adoption agency, div", "<a href=x>1<div>2<div>3</a>4</div>5</div></body>", yes},
	{"table", "<table><tr><td>x</td></tr></table><p>y</p></body>", yes},
	{"open table", "<p>y</p><table><tr><td>x", no},
	{"body end in a table", "<table><tr><td>x</body></td></tr></table></body>", yes},
	{"foster parenting", "<table><b><tr><td>aaa</td></tr>bbb</table>ccc", no},
	{"foster parented text", "<table>A<td>B</td>C</table><p>D</p>", yes},
	{"unclosed formatting in a cell", "<table><td><b>x</table>y", nil},
	{"nested tables", "<table><tr><td><table><tr><td>x</table></table>y</body>", yes},
	{"form in a table", "<table><form><tr><td>x</table>y</body>", no},
	{"form closed", "<form><input></form><p>y</p></body>", yes},
	{"form open", "<form><input><p>y</p></body>", no},
	{"svg icon", "<p><svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/><title>Cart</title></svg>x</p></body>", yes},
	{"svg style is markup", "<p>x</p><svg><style><b></style></svg>y</body>", no},
	{"svg breakout", "<svg><g><p>x</p></body>", yes},
	{"svg self-closing", "<p>x</p><svg/><p>y</p></body>", yes},
	{"math", "<p><math><mi>x</mi></math></p></body>", yes},
	{"cdata in svg", "<svg><![CDATA[</svg><b>]]></svg>x</body>", nil},
	{"template", "<template><p>x<b></template><p>y</p></body>", nil},
	{"template in head", "<head><template><p>x</p></template></head><body><p>y</p></body>", yes},
	{"select", "<select><option>a<option>b</select><p>y</p></body>", yes},
	{"select closed by input", "<select><option>a<input><p>y</p></body>", nil},
	{"frameset", "<frameset><frame></frameset>", no},
	{"frameset after body", "<body></body><frameset>", no},
	{"empty body", "<body></body>", yes},
	{"head only", "<head><title>x</title></head>", no},
	{"text after body", "<p>a</p></body>b", yes},
	{"plaintext", "<p>a</p><plaintext></body>", no},
	{"utf-16 bom", "\xff\xfe<\x00p\x00>\x00", no},
	{"meta iso-2022-jp", `<meta charset="iso-2022-jp"><p>x</p></body>`, no},
	{"meta utf-16 reads as utf-8", `<meta charset="utf-16"><p>x</p></body>`, yes},
	{"nobr", "<nobr>a<nobr>b</nobr></body>", yes},
	{"object", "<object><b></object><p>x</p></body>", nil},
	{"b across object", "<b><object></b></object>x</body>", no},
	{"p in button", "<p><button><p>x</button></p></body>", yes},
	{"p around button", "<p><button></p></body>", no},
	{"noah's ark", "<b><b><b><b>x</b></b></b></b></body>", nil},
	{"store page", string(storePage(3000)), yes},
}

var (
	yes = new(bool)
	no  = new(bool)
)

func init() { *yes = true }

// checkPlacement runs page through an Injector with placementWidget and
// fails t unless the output is the page, byte for byte, or parses (with
// golang.org/x/net/html) as the page's tree with the widget added as a
// descendant of <body>, nothing else moved. It reports whether the widget
// was placed.
func checkPlacement(t *testing.T, page []byte) bool {
	t.Helper()
	var outs [2]string
	for k, slow := range []bool{false, true} {
		var out bytes.Buffer
		inj := New(&out, func() []byte { return []byte(placementWidget) })
		inj.sc.slow = slow
		_, _ = inj.Write(page)
		_ = inj.Close()
		outs[k] = out.String()
		if inj.NoPlace() == inj.Injected() {
			t.Fatalf("NoPlace %v, Injected %v", inj.NoPlace(), inj.Injected())
		}
	}
	if outs[0] != outs[1] {
		t.Fatalf("fast and reference disagree on %q:\nfast %q\nref  %q", page, outs[0], outs[1])
	}
	out := outs[0]
	if out == string(page) {
		return false
	}
	if strings.Count(out, placementMark) != strings.Count(string(page), placementMark)+2 {
		t.Fatalf("output of %q is neither the page nor the page plus the widget:\n%q", page, out)
	}
	want, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	got, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	widget := cutWidget(t, got)
	if widget == nil {
		t.Fatalf("%q: the widget is not one run of siblings in the body:\n%s", page, dump(got))
	}
	wantWidget := widgetNodes(t)
	if a, b := dumpNodes(widget), dumpNodes(wantWidget); a != b {
		t.Fatalf("%q: the widget was parsed differently:\n%s\nwant\n%s", page, a, b)
	}
	if a, b := dump(got), dump(want); a != b {
		t.Fatalf("%q: the page's tree changed around the widget:\n%s\nwant\n%s\noutput %q", page, a, b, out)
	}
	return true
}

// cutWidget finds the widget's nodes - its link up to its script, one
// run of siblings - and removes them, returning them; nil when they are
// not such a run inside <body>.
func cutWidget(t *testing.T, doc *html.Node) []*html.Node {
	var link *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Link && strings.Contains(attr(n, "href"), placementMark) && link == nil {
			link = n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if link == nil || !inBody(link) {
		return nil
	}
	var run []*html.Node
	for n := link; n != nil; n = n.NextSibling {
		run = append(run, n)
		if n.Type == html.ElementNode && n.DataAtom == atom.Script && strings.Contains(attr(n, "src"), placementMark) {
			for _, r := range run {
				r.Parent.RemoveChild(r)
			}
			return run
		}
	}
	return nil
}

// inBody reports whether n is a descendant of the document's <body>.
func inBody(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Body && p.Namespace == "" &&
			p.Parent != nil && p.Parent.DataAtom == atom.Html && p.Parent.Parent != nil && p.Parent.Parent.Type == html.DocumentNode {
			return true
		}
	}
	return false
}

// widgetNodes parses the widget on its own, in a body.
func widgetNodes(t *testing.T) []*html.Node {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(placementWidget), body)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// dump writes a tree one node a line, adjacent text nodes as one.
func dump(n *html.Node) string {
	var b strings.Builder
	dumpTo(&b, n, 0)
	return b.String()
}

func dumpNodes(nodes []*html.Node) string {
	var b strings.Builder
	for _, n := range nodes {
		dumpTo(&b, n, 0)
	}
	return b.String()
}

func dumpTo(b *strings.Builder, n *html.Node, depth int) {
	indent := strings.Repeat("  ", depth)
	switch n.Type {
	case html.TextNode:
		text := n.Data
		for s := n.NextSibling; s != nil && s.Type == html.TextNode; s = s.NextSibling {
			text += s.Data
		}
		if p := n.PrevSibling; p != nil && p.Type == html.TextNode {
			return // written with the first of the run
		}
		fmt.Fprintf(b, "%s%q\n", indent, text)
	case html.ElementNode:
		fmt.Fprintf(b, "%s<%s %s %v>\n", indent, n.Namespace, n.Data, n.Attr)
	case html.CommentNode:
		fmt.Fprintf(b, "%s<!-- %q -->\n", indent, n.Data)
	case html.DoctypeNode:
		fmt.Fprintf(b, "%s<!doctype %q %v>\n", indent, n.Data, n.Attr)
	default:
		fmt.Fprintf(b, "%s(%d)\n", indent, n.Type)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		dumpTo(b, c, depth+1)
	}
}

func TestPlacement(t *testing.T) {
	for _, tc := range placementPages {
		t.Run(tc.name, func(t *testing.T) {
			placed := checkPlacement(t, []byte(tc.page))
			if tc.want != nil && placed != *tc.want {
				t.Errorf("placed = %v, want %v", placed, *tc.want)
			}
		})
	}
}

// FuzzPlacement holds the Injector to the property of issue 12 on any
// page: the output is the page byte for byte, or it parses as the page's
// tree with the widget added in the body and nothing else moved.
//
// Run: go test -run '^$' -fuzz FuzzPlacement -fuzztime 60s ./internal/inject
func FuzzPlacement(f *testing.F) {
	for _, tc := range placementPages {
		f.Add([]byte(tc.page))
	}
	for _, tc := range injectionCases {
		in, _ := expected(tc.doc)
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		if len(page) > 4096 {
			return // keep each run quick; longer pages add nothing new
		}
		checkPlacement(t, page)
	})
}

// TestTextAfterTheBlockWalk holds the block walk to the reference where
// it stops short of the end of a write: text after a raw-text element
// that ends at or near a block boundary is the page's first content, and
// only the tail after the marked blocks shows it.
func TestTextAfterTheBlockWalk(t *testing.T) {
	for pad := 0; pad < 70; pad++ {
		for tail := 0; tail < 40; tail++ {
			page := "<A0000 " + strings.Repeat("0", pad) +
				"><title>0000</title 0000000000000000000000000>000</BodY " + strings.Repeat("0", tail)
			if !checkPlacement(t, []byte(page)) {
				t.Fatalf("%q: no widget, but its text is content and its </BodY a place", page)
			}
		}
	}
}
