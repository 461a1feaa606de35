package inject

import (
	"bytes"
	"fmt"
	"math/rand/v2"
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
	{"frameset after svg", "<svg></svg></body><frameset><frame></frameset>", no},
	{"frameset after math", "<math><mi></mi></math></body><frameset><frame></frameset>", no},
	{"form end in a select", "<form><select></form></select><p>x</p></body>", no},
	{"pre's newline after its body end", "<p>x</p><pre></body>\nX", nil},
	{"empty body", "<body></body>", yes},
	{"head only", "<head><title>x</title></head>", no},
	{"text after body", "<p>a</p></body>b", yes},
	{"plaintext", "<p>a</p><plaintext></body>", no},
	{"utf-16 bom", "\xff\xfe<\x00p\x00>\x00", no},
	{"meta iso-2022-jp", `<meta charset="iso-2022-jp"><p>x</p></body>`, no},
	{"meta ISO-2022-JP in capitals", `<meta charset="ISO-2022-JP"><p>x</p></body>`, no},
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
// descendant of <body>, nothing else moved, and not inside an element it
// must not land in (nestedInto: a formatting element the page left open
// or that a browser reopens around it, an a, a p, a table...). It reports
// whether the widget was placed.
func checkPlacement(t *testing.T, page []byte) bool {
	t.Helper()
	placed, _ := checkFooterPlacement(t, page)
	return placed
}

// checkFooterPlacement is checkPlacement, which also holds the Injector to
// the footer rule (placement.go): when the widget went in front of
// a <footer>, that footer is a child of <body>, or (the rule's known
// limit) sits in an element the page leaves open to its end. It also runs the page in random writes, and reports whether the
// widget went in front of a footer.
func checkFooterPlacement(t *testing.T, page []byte) (placed, atFooter bool) {
	t.Helper()
	var outs [2]string
	var at int64
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
		at = inj.insertedAt
	}
	if outs[0] != outs[1] {
		t.Fatalf("fast and reference disagree on %q:\nfast %q\nref  %q", page, outs[0], outs[1])
	}
	out := outs[0]
	r := rand.New(rand.NewPCG(uint64(len(page)), 3))
	for _, slow := range []bool{false, true} {
		var chunked bytes.Buffer
		inj := New(&chunked, func() []byte { return []byte(placementWidget) })
		inj.sc.slow = slow
		for _, w := range randomWrites(r, page, 24) {
			_, _ = inj.Write(w)
		}
		_ = inj.Close()
		if chunked.String() != out {
			t.Fatalf("%q in random writes (slow %v):\ngot  %q\nwant %q", page, slow, chunked.String(), out)
		}
	}
	if out == string(page) {
		return false, false
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
	if link := findFirst(got, isWidgetLink); link != nil {
		if into := nestedInto(link); into != "" {
			t.Fatalf("%q: the widget is nested into <%s>:\n%s", page, into, dump(got))
		}
	}
	widget := cutWidget(t, got)
	if widget == nil {
		t.Fatalf("%q: the widget is not one run of siblings in the body:\n%s", page, dump(got))
	}
	wantWidget := widgetNodes(t)
	if a, b := dumpNodes(widget), dumpNodes(wantWidget); a != b {
		t.Fatalf("%q: the widget was parsed differently:\n%s\nwant\n%s", page, a, b)
	}
	dropPreNewline(want)
	dropPreNewline(got) // the widget cut out
	if a, b := dump(got), dump(want); a != b {
		t.Fatalf("%q: the page's tree changed around the widget:\n%s\nwant\n%s\noutput %q", page, a, b, out)
	}
	if !hasPrefixFold(page[at:], "<footer") {
		return true, false
	}
	checkSiteFooter(t, page, out, at)
	return true, true
}

// checkSiteFooter checks a widget put in front of the <footer> start tag
// at page[at:]: a browser makes that tag a footer element, the widget's
// next sibling, and a child of <body>, unless the footer sits in an
// element still open at the end of the page. (It need not be the first
// such footer: one followed by a stray end tag cannot be told from one in
// a wrapper, and the rule moves on to the next.)
func checkSiteFooter(t *testing.T, page []byte, out string, at int64) {
	t.Helper()
	// A probe at the end lands in the innermost element open there.
	doc, err := html.Parse(strings.NewReader(out + "<kairo-probe></kairo-probe>"))
	if err != nil {
		t.Fatal(err)
	}
	widget := cutWidgetKeep(doc)
	if widget == nil {
		t.Fatalf("%q: no widget in the output", page)
	}
	footer := widget[len(widget)-1].NextSibling
	if footer == nil || footer.Type != html.ElementNode || footer.DataAtom != atom.Footer || footer.Namespace != "" {
		t.Fatalf("%q: the widget went in front of %q, which a browser does not make the footer that follows it", page, page[at:min(int(at)+20, len(page))])
	}
	parent := footer.Parent
	if parent.DataAtom == atom.Body && parent.Namespace == "" && parent.Parent != nil && parent.Parent.DataAtom == atom.Html &&
		parent.Parent.Parent != nil && parent.Parent.Parent.Type == html.DocumentNode {
		return
	}
	probe := findElement(doc, "kairo-probe")
	if probe == nil {
		return // the page ends in text that swallows the probe (a script, a comment): open or not cannot be told
	}
	for n := probe.Parent; n != nil; n = n.Parent {
		if n == parent {
			return // the footer's element is never closed: the rule's known limit
		}
	}
	t.Fatalf("%q: the widget went in front of a footer inside <%s>, which is no child of <body>", page, parent.Data)
}

// cutWidgetKeep finds the widget's run of siblings, as cutWidget does,
// without removing it.
func cutWidgetKeep(doc *html.Node) []*html.Node {
	link := findFirst(doc, isWidgetLink)
	var run []*html.Node
	for n := link; n != nil; n = n.NextSibling {
		run = append(run, n)
		if n.Type == html.ElementNode && n.DataAtom == atom.Script && strings.Contains(attr(n, "src"), placementMark) {
			return run
		}
	}
	return nil
}

// findElement returns the first element named name in document order.
func findElement(doc *html.Node, name string) *html.Node {
	return findFirst(doc, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == name })
}

// findFirst returns the first node in document order that ok accepts.
func findFirst(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findFirst(c, ok); f != nil {
			return f
		}
	}
	return nil
}

// dropPreNewline removes one newline at the start of the text of every
// pre and listing element of the tree. A browser drops it only when it is
// the token right after the start tag; golang.org/x/net/html drops it
// whenever the element is still empty, so "<pre></body>\nx" parses with
// "x" alone, and with the widget before its </body> (the pre no longer
// empty) with "\nx", where a browser has "\nx" both times.
func dropPreNewline(n *html.Node) {
	if n.Type == html.ElementNode && (n.DataAtom == atom.Pre || n.DataAtom == atom.Listing) {
		if c := n.FirstChild; c != nil && c.Type == html.TextNode {
			c.Data = strings.TrimPrefix(c.Data, "\n")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		dropPreNewline(c)
	}
}

// isWidgetLink reports whether n is the widget's first node, its link.
func isWidgetLink(n *html.Node) bool {
	return n.Type == html.ElementNode && n.DataAtom == atom.Link && strings.Contains(attr(n, "href"), placementMark)
}

// nestingElements are the elements the widget must not land in (issue 12:
// not nested into an open inline, formatting or button context, nor into a
// table, template, select, object, applet, marquee, SVG or MathML). A form
// element is not among them: a form the page left open still has its
// pointer cleared by </form>, and the widget's own forms then work.
var nestingElements = map[string]bool{
	"a": true, "b": true, "big": true, "code": true, "em": true, "font": true, "i": true, "nobr": true,
	"s": true, "small": true, "strike": true, "strong": true, "tt": true, "u": true, "p": true,
	"button": true, "table": true, "tbody": true, "thead": true, "tfoot": true, "tr": true, "td": true,
	"th": true, "caption": true, "template": true, "select": true, "object": true, "applet": true,
	"marquee": true, "svg": true, "math": true,
}

// nestedInto returns the name of the nearest element around n, below
// <body>, that the widget must not land in, or "".
func nestedInto(n *html.Node) string {
	for p := n.Parent; p != nil && !(p.Type == html.ElementNode && p.DataAtom == atom.Body); p = p.Parent {
		if p.Type == html.ElementNode && nestingElements[p.Data] {
			return p.Data
		}
	}
	return ""
}

// cutWidget finds the widget's nodes - its link up to its script, one
// run of siblings - and removes them, returning them; nil when they are
// not such a run inside <body>.
func cutWidget(t *testing.T, doc *html.Node) []*html.Node {
	link := findFirst(doc, isWidgetLink)
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

// footerPages are pages with footers, and where the widget goes on them:
// in front of the site footer ("footer"), in front of </body> or at the
// end ("body"), nowhere ("none"), or "" where the rule may go either way.
var footerPages = []struct {
	name, page, want string
}{
	{"site footer", `<!doctype html><html><head><title>Cart</title></head><body><main><h1>Cart</h1><p>Mug</p></main>
<footer class="site-footer"><p>&copy; Shop</p><a href="/terms">Terms</a></footer>
<script src="/app.js" defer></script>
</body></html>`, "footer"},
	{"upper case, attributes", `<BODY><P>x</P><FOOTER class="site" data-x='</body>'>f</FOOTER></BODY>`, "footer"},
	{"self-closing footer tag", `<body><p>x</p><footer/>f</body>`, "footer"},
	{"no </body>", `<body><p>x</p><footer>f`, "footer"},
	{"inside a wrapper", `<body><div id="page"><main>x</main><footer>f</footer></div></body>`, "body"},
	{"wrapper closed after </body>", `<body><div><p>x</p><footer>f</footer></body></div>`, "body"},
	{"wrapper never closed", `<body><div><p>x</p><footer>f</footer></body>`, ""},
	{"card footers, then the site footer", `<body><main><article><h2>A</h2><footer>by a</footer></article>
<article><h2>B</h2><footer>by b</footer></article></main><footer>site</footer></body>`, "footer"},
	{"two site footers", `<body><p>x</p><footer>one</footer><footer>two</footer></body>`, "footer"},
	{"footer in a list item", `<body><ul><li><footer>x</footer></li></ul><p>y</p></body>`, "body"},
	{"footer in a list item closed by the next", `<body><ul><li><footer>x</footer><li>y</ul></body>`, "body"},
	{"footer in a heading closed by the next", `<body><h2><footer>x</footer><h3>y</h3></body>`, "body"},
	{"footer in a template", `<body><p>x</p><template><footer>t</footer></template><footer>f</footer></body>`, "footer"},
	{"svg icons in the footer", `<body><p>x</p><footer><a href="/x"><svg viewBox="0 0 1 1"><path d="M0 0"/><title>X</title></svg></a>
<svg><g><circle r="1"></circle></g></svg></footer></body>`, "footer"},
	{"table and lists in the footer", `<body><p>x</p><footer><table><tr><td>a<td>b</table><ul><li>1<li>2</ul><dl><dt>a<dd>b</dl></footer></body>`, "footer"},
	{"stray end tag in the footer", `<body><p>x</p><footer></span>y</footer></body>`, "body"},
	{"open p in front of the footer", `<body><p>x<footer>y</footer></body>`, ""},
	{"open b around the footer", `<body><p>x</p><b><footer>y</footer></b></body>`, "body"},
	{"footer in a form", `<body><p>x</p><form><footer>y</footer></form></body>`, "body"},
	{"empty footer, no content", `<body><footer></footer></body>`, "body"},
	{"frameset after the footer", `<body><footer></footer><frameset></frameset>`, "none"},
	{"script with </footer> after the footer", `<body><p>x</p><footer>f</footer><script>"</div></footer>"</script></body>`, "footer"},
	{"ruby in the footer", `<body><p>x</p><footer><ruby>a<rt>b<rp>c</ruby></footer></body>`, "footer"},
	{"long tail after the footer", `<body><p>x</p><footer>f</footer><script>` + strings.Repeat("var a = 1;\n", footerHoldCap/10) + `</script></body>`, "body"},
	{"store page", string(storePage(3000)), "footer"},
}

func TestFooterPlacement(t *testing.T) {
	for _, tc := range footerPages {
		t.Run(tc.name, func(t *testing.T) {
			placed, atFooter := checkFooterPlacement(t, []byte(tc.page))
			got := "none"
			switch {
			case atFooter:
				got = "footer"
			case placed:
				got = "body"
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("widget placed: %s, want %s", got, tc.want)
			}
		})
	}
}

// TestAtBodyEnd: with AtBodyEnd the site footer is not looked for.
func TestAtBodyEnd(t *testing.T) {
	page := footerPages[0].page
	var out bytes.Buffer
	inj := New(&out, func() []byte { return []byte("[w]") })
	inj.AtBodyEnd()
	_, _ = inj.Write([]byte(page))
	_ = inj.Close()
	if want := strings.Replace(page, "</body>", "[w]</body>", 1); out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
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

// cellMarkerPieces are fragments where a table cell, a caption, a
// template or an object puts a marker on the list of formatting elements:
// an end tag after it cannot close an element before it (the frame's
// fence), and the browser reopens that element after the table; and
// fragments that leave two nobr elements open.
var cellMarkerPieces = []struct {
	piece string
	place bool
}{
	{"<tABle><tr><B 000><td></B></tABle>", false},
	{"<table><tr><i><th></i></th></tr></table>", false},
	{"<table><tr><a href=x><td><a href=y>1</a></td></tr></table>", false},
	{"<table><tr><a href=x><td></a></td></tr></table>", false},
	{"<table><b><caption></b></caption></table>", false},
	{"<table><tr><td><b>x</b></td><th><i>y</i></th></tr><caption><a href=x>c</a></caption></table>", true},
	// A cell while a select, object or marquee is the innermost frame:
	// the cell pops it, and the frame's end tag after is ignored.
	{"<table><tr><td>x</td><b><select><td></select></b></table>", false},
	{"<table><b><select><caption></select></b></caption></table>", false},
	{"<table><tr><select><b><td></select></b></table>", false},
	{"<table><tr><object><b><td></object></b></table>", false},
	{"<table><tr><marquee><i><th></marquee></i></table>", false},
	// A marker left behind: a template or a table closed with a cell,
	// caption or object still open in it keeps the outer one's marker.
	{"<b><template><td></template><div></b>x</div>", false},
	{"<b><template><caption></template><div></b>x</div>", false},
	{"<b><template><object></template><div></b>x</div>", false},
	{"<b><template><td></template><p></b>x</p>", false},
	{"<b><table><tr><td><object></table><div></b>x</div>", false},
	{"<a href=1><table><tr><td><object></table><a href=2>y</a>x", false},
	// A nobr foster-parented out of a table stays open beside the outer
	// one: a second nobr closes only one of them.
	{"<nobr><table><nobr></table><nobr></nobr>x", false},
	{"<nobr><table><tr><nobr><td>c</td></tr></table><nobr>y</nobr>x", false},
}

// TestCellMarkersInTheWalk holds the fence to a browser's parse where the
// block walk, not the exact path, tells the tree of the tags: the pieces
// at offsets all over a block, with text after them.
func TestCellMarkersInTheWalk(t *testing.T) {
	for _, tc := range cellMarkerPieces {
		page := "<!doctype html><body><p>x</p>" + tc.piece + "<i>y</i></body>"
		if placed := checkPlacement(t, []byte(page)); placed != tc.place {
			t.Errorf("%q: placed %v, want %v", page, placed, tc.place)
		}
	}
	forEachWalk(t, func(t *testing.T) {
		for _, tc := range cellMarkerPieces {
			for shift := range 64 {
				if placed := checkPlacement(t, edgeTagsPage(tc.piece, shift)); placed != tc.place {
					t.Fatalf("%q at %d: placed %v, want %v", tc.piece, shift, placed, tc.place)
				}
			}
		}
	})
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
	for _, tc := range footerPages {
		if len(tc.page) <= 4096 {
			f.Add([]byte(tc.page))
		}
	}
	for _, tc := range injectionCases {
		in, _ := expected(tc.doc)
		f.Add([]byte(in))
	}
	for _, page := range foreignPages {
		f.Add([]byte(page))
	}
	r := rand.New(rand.NewPCG(15, 6))
	for range 20 {
		if page := longFooterPage(r); len(page) <= 4096 {
			f.Add([]byte(page))
		}
	}
	for shift := range 16 {
		if page := quotedTagsPage(r, shift*4); len(page) <= 4096 {
			f.Add(page)
		}
	}
	for _, tag := range boundaryTags {
		f.Add([]byte("<!doctype html><body><i class=\"" + strings.Repeat("q", 40) + "\">" + tag + "<b>t</b>" +
			strings.Repeat("<p>some text</p>", 8) + "</body>"))
	}
	for shift := range 16 {
		f.Add(edgeTagsPage(edgeTags(r), shift*4))
	}
	for _, tc := range cellMarkerPieces {
		f.Add(edgeTagsPage(tc.piece, 8))
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

// footerPieces build the pages of TestGeneratedFooterPages: footers among
// wrappers, lists, headings, tables, forms, formatting, foreign content
// and the tags that close elements without an end tag of their own.
var footerPieces = []string{
	"<footer>", "<footer>", "</footer>", "<FOOTER class=f>", "<div>", "</div>", "<main>", "</main>",
	"<article>", "</article>", "<span>", "</span>", "<ul>", "</ul>", "<li>", "</li>", "<dl>", "<dd>",
	"<dt>", "<h2>", "<h3>", "</h2>", "<p>", "</p>", "<b>", "</b>", "<a href=/>", "</a>", "<svg>",
	"</svg>", "<svg/>", "<math><mi>x</mi></math>", "<table>", "<tr>", "<td>", "</table>", "<template>",
	"</template>", "<form>", "</form>", "<option>", "<ruby>", "<rt>",
	"</ruby>", "<br>", "</br>", "<img src=x>", "<button>", "</button>", "x", "text ", " ", "\n",
	"<script>a</script>", "<style>b</style>", "<!-- c -->", "</body>", "</html>", "<body>",
	"<nav>", "</nav>", "<section>", "</section>", "<object>", "</object>", "<frameset>",
}

// TestGeneratedFooterPages holds the footer rule to a browser's parse
// (checkFooterPlacement) on generated pages.
func TestGeneratedFooterPages(t *testing.T) {
	checkGeneratedFooters(t, rand.New(rand.NewPCG(14, 5)), 4000, 40, func(r *rand.Rand) string {
		var b strings.Builder
		b.WriteString("<!doctype html><body><p>x</p>")
		for n := 3 + r.IntN(30); n > 0; n-- {
			b.WriteString(footerPieces[r.IntN(len(footerPieces))])
		}
		return b.String()
	})
}

// TestLongFooterTails is TestGeneratedFooterPages with footers followed by
// enough of the page (a few hundred bytes to a few KB) that the watch
// reads their tags one at a time (scanHeld), not only byte by byte near
// the end of a write: checkFooterPlacement holds that reading to step's
// and to a browser's parse.
func TestLongFooterTails(t *testing.T) {
	checkGeneratedFooters(t, rand.New(rand.NewPCG(15, 6)), 1500, 10, longFooterPage)
}

// checkGeneratedFooters runs checkFooterPlacement on pages made by page (a
// tenth as many with -short), and fails when fewer than one in minShare
// got the widget in front of a footer: the pages would then hold too
// little of the rule.
func checkGeneratedFooters(t *testing.T, r *rand.Rand, pages, minShare int, page func(*rand.Rand) string) {
	t.Helper()
	if testing.Short() {
		pages /= 10
	}
	atFooter := 0
	for range pages {
		if _, at := checkFooterPlacement(t, []byte(page(r))); at {
			atFooter++
		}
	}
	if atFooter < pages/minShare {
		t.Errorf("only %d of %d pages had the widget in front of a footer", atFooter, pages)
	}
	t.Logf("%d of %d pages had the widget in front of a footer", atFooter, pages)
}

// longFooterPage is a generated page with a footer followed by tens of
// pieces of a store's footer (links, notes, icons, scripts), a few of
// them from footerPieces (which often show the footer is not the site
// footer), and mostly by its end tag, a script and </body>.
func longFooterPage(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("<!doctype html><body><p>x</p><main><h2>Shop</h2></main>\n<footer class=\"site-footer\">")
	for n := 5 + r.IntN(40); n > 0; n-- {
		if r.IntN(12) == 0 {
			b.WriteString(footerPieces[r.IntN(len(footerPieces))])
		} else {
			b.WriteString(footerTailPieces[r.IntN(len(footerTailPieces))])
		}
	}
	if r.IntN(3) > 0 {
		b.WriteString("</footer>\n<script src=\"/assets/app.js\" defer></script>\n</body></html>\n")
	}
	return b.String()
}

// footerTailPieces are what follows a store's footer: its links and
// notes, an icon, the theme's scripts.
var footerTailPieces = []string{
	`<li><a href="/pages/shipping" class="footer__link">Shipping</a></li>`,
	`<p class="legal">&copy; 2025 Northwind Coffee Co. Prices include VAT.</p>`,
	`<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 2h6l6 6-6 6-6-6z"/></svg>`,
	`<script src="/assets/theme.js?v=4.2.1" defer></script>`,
	"<script>\n  var closing = \"</body>\"; // a string\n  window.NW && NW.ready(closing.length);\n</script>\n",
	`<input type="email" name="email" placeholder="you@example.com"><button type="submit">Join</button>`,
	`<div class="footer__col" data-section="about"><h3>About</h3><p>Roasted in small batches.</p></div>`,
	`<!-- footer block </body> -->`, `<br/>`, `<span class=x>Sale</span>`, `<a href='/p?a=1&b=2'>Deals</a>`,
	`<ul class="footer__menu"><li><a href="/a">A</a><li><a href="/b">B</a></ul>`, "\n  ", "Follow us",
	`<nav aria-label="Footer"><a href="/">Home</a> <b>New</b></nav>`, `<small>Terms apply.</small>`,
}

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
