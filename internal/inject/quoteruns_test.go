package inject

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// longAttrTag returns a start or end tag of many attributes in every shape
// the attribute states know, long enough to run across several 64-byte
// blocks: double- and single-quoted values hiding '>', '<', '=' and the
// other quote, unquoted values (some with a quote or an '=' in them),
// '=' with whitespace around it, names with a quote, an '=' or a control
// byte in them, and '/' between attributes.
func longAttrTag(r *rand.Rand) string {
	names := []string{"a", "b", "i", "p", "em", "span", "div", "img", "form", "button", "li", "x-y", "A", "Div"}
	attrNames := []string{"href", "class", "data-id", "alt", "srcset", "x", "q\"r", "s'", "t\x01u", "v=w", "/"}
	// Markup in a value: a tag read to the wrong end would show it to the
	// tree (or open a comment), and the placement would differ.
	valuePieces := []string{"a", "b", "c", " ", "/", "-", ".", ">", "=", "<", "'", "\"", "\n", "\t",
		"<b>", "</b>", "<em>", "</body>", "<!--", "-->", "<p>", "<table>", "<svg>"}
	value := func(quote string) string {
		var b strings.Builder
		for range r.IntN(40) {
			if v := valuePieces[r.IntN(len(valuePieces))]; v != quote {
				b.WriteString(v)
			}
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteByte('<')
	if r.IntN(5) == 0 {
		b.WriteByte('/')
	}
	b.WriteString(names[r.IntN(len(names))])
	if r.IntN(20) == 0 {
		b.WriteString("\x02z=\"x>\"") // a control byte in the tag name
	}
	for range 1 + r.IntN(6) {
		b.WriteString([]string{" ", " ", "\n", "  ", "/", ""}[r.IntN(6)])
		b.WriteString(attrNames[r.IntN(len(attrNames))])
		switch r.IntN(12) {
		case 0:
			continue // no value
		case 1:
			b.WriteString(" = ")
		case 2:
			b.WriteString("= ")
		case 3:
			b.WriteString(" =")
		default:
			b.WriteString("=")
		}
		switch r.IntN(10) {
		case 0:
			b.WriteString("v" + strings.Repeat("u", r.IntN(80))) // a long unquoted value
		case 1:
			b.WriteString(`un"quoted`)
		case 2:
			b.WriteString(`un=quoted`)
		case 3:
			b.WriteString(`'` + value(`'`) + `'`)
		default:
			b.WriteString(`"` + value(`"`) + `"`)
		}
	}
	b.WriteString([]string{">", ">", "/>", " >", "\n>"}[r.IntN(5)])
	return b.String()
}

// quotedTagsPage returns a page of long tags between short texts, after
// shift bytes of text, so that its tags meet the blocks at every offset.
func quotedTagsPage(r *rand.Rand, shift int) []byte {
	var b strings.Builder
	b.WriteString("<!doctype html><body>")
	b.WriteString(strings.Repeat("x", shift))
	for range 10 + r.IntN(20) {
		b.WriteString(longAttrTag(r))
		b.WriteString([]string{"t", " ", "", "text ", "</b>", "</a>", "<p>", "</span>"}[r.IntN(8)])
	}
	b.WriteString("<p>end</p></body></html>")
	return []byte(b.String())
}

// TestQuotedTagsAcrossBlocks holds the walk's pairing of quotes on the
// marks (quoteRuns), which reads a long tag block by block, to the
// reference machine, on pages of long tags of every shape at every
// offset, in one write and in random writes; on the valid ones it also
// checks the placement property.
func TestQuotedTagsAcrossBlocks(t *testing.T) {
	forEachWalk(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 17))
		pages := 64 * 20
		if testing.Short() {
			pages = 64 * 3
		}
		for k := range pages {
			page := quotedTagsPage(r, k%64)
			checkAgainstReference(t, r, page)
			if k%8 == 0 {
				checkPlacement(t, page)
			}
		}
	})
}

// boundaryTags are tags whose reading turns on bytes that may fall on
// either side of a block's end: an '=' and the quote or unquoted value
// after it, whitespace or '/' before an '=', a '<' or "</" and the name
// after it, a control byte in a name. Each comes after a quoted value
// (the walk pairs the quotes of a block on the marks when its last tag
// has one and runs on), and hides '>' and a comment's start in what a wrong
// reading takes for a value.
var boundaryTags = []string{
	`<a p="q" x=un"quoted y="><!--">`, `<a p="q" x=unquoted y="><!--">`, `<a p="q" x ="v><!--">`, `<a p="q" x= "v><!--">`,
	`<a p="q" / ="x><!--">`, `<a p="q" "="x><!--">`, `<a p="q" x="1"y="><!--">`, `<a p="q" x="1"="><!--">`, `<a p="q" x=="><!--">`,
	`<a p="q"><a` + "\x01=\"><!--\">", `<a p="q"></a` + "\x01=\"><!--\">", `<a p="q"><ab` + "\x01c=\"><!--\">",
	`<a p="q"></a x="><!--">`, `<a p="q" x='"' y="><!--">`, `<p title="a>b" class=c"d e="><!--">`,
	`<img alt="</body>" src=x"y z="><!--">`, `<a p="q" b=x' c="><!--">`, `<a p="q"a="><!--">`, `<a p="q" x=a="><!--">`, `<a p="q" x=a"b="><!--">`,
	`<p title="a>b">x="c><!--d"`, "</xy\x01c=\"><!--\">", "<xy\x01c=\"><!--\">", "</xy x=\"\"><!--\">",
}

// TestQuotedTagsAtEveryOffset puts each of boundaryTags, and random long
// tags, at every offset from a block's start, and holds the walk to the
// reference machine on each page.
func TestQuotedTagsAtEveryOffset(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 4))
	var tags []string
	for _, tag := range boundaryTags {
		// Also after a tag longer than a block, so that the block the
		// tag starts in is already read with its quotes paired.
		tags = append(tags, tag, `<i class="`+strings.Repeat("q", 70)+`">`+tag)
	}
	for range 40 {
		tags = append(tags, longAttrTag(r))
	}
	forEachWalk(t, func(t *testing.T) {
		for _, tag := range tags {
			for shift := range 64 {
				page := []byte("<!doctype html><body>" + strings.Repeat("x", shift) + tag +
					"<b>t</b>" + strings.Repeat("<p>some text</p>", 12) + "</body>")
				want, ref := runInjector(t, true, page)
				got, inj := runInjector(t, false, page)
				if got != want || inj.insertedAt != ref.insertedAt {
					t.Fatalf("fast and reference disagree on %q:\nfast at %d, ref at %d", page, inj.insertedAt, ref.insertedAt)
				}
			}
		}
	})
}
