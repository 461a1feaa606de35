package inject

import (
	"strings"
	"testing"
)

// foreignPages are pages with SVG and MathML in their body: inline icons,
// the plain tags foreign.go reads (self-closing or not, quoted and
// unquoted values, names in any case, integration points, breakouts) and
// the ones it leaves to step (comments, CDATA, raw-text names, </body>,
// <footer>, an unquoted value before "/>"). Each piece is followed by
// enough of the page for foreign.go to read its tags.
var foreignPages = func() []string {
	pad := `<div class="pad">` + strings.Repeat("text that keeps the page going ", 4) + "</div>\n"
	pieces := []string{
		`<span class="badge"><svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 2h6l6 6-6 6-6-6z"/></svg>Sale</span>`,
		`<svg><g fill="red"><rect x=1 y=2/><rect x=1 y=2 /><circle r="3" /><path d="M0" / ></g></svg>`,
		`<svg><title>Cart</title><desc>Your list</desc><path d='M0 0'/></svg>`,
		`<svg><foreignObject width="10"><p>HTML inside</p></foreignObject></svg>`,
		`<svg><style>.a{fill:red}</style><script>var a = "</body>";</script></svg>`,
		`<SVG ViewBox="0 0 1 1"><Path D="M0"/></SVG>`,
		`<svg><p>breaks out</p></svg>`,
		`<svg><b>bold</b><font color="red">x</font></svg>`,
		`<math><mi>x</mi><mo>=</mo><mn>1</mn><annotation-xml encoding="text/html"><b>y</b></annotation-xml></math>`,
		`<svg><desc></body></desc></svg><p>after</p>`,
		`<svg><![CDATA[ </body> ]]><!-- a comment --></svg>`,
		`<svg><a href=/x/>link</a><use xlink:href="#i"/></svg>`,
		`<svg><svg><g/></svg></svg>`,
		`<svg></g></svg>`,
		`<svg><template><path/></template></svg>`,
		`<svg><footer>f</footer></svg>`,
		`<svg><linearGradient id="g"><stop offset="0"/></linearGradient></svg>`,
		`<svg><td>x</td></svg>`,
		`<svg><path d="a>b"/></svg>`,
		`<svg><path/d="M0"/></svg>`,
		`<svg><Path d="M0"></path></svg><svg/><math/>`,
		`<svg><g></g ><g></g foo></svg>`,
		`<svg a= /><g b = /></g></svg>`,
		`<svg><path d="a" e='b"c' f=g"h/></svg>`,
	}
	var pages []string
	for _, p := range pieces {
		pages = append(pages, "<!doctype html><body><p>x</p>"+p+pad+pad+"</body>")
		pages = append(pages, "<!doctype html><body><main>"+p+pad+p+pad+"</main><footer>links</footer>"+pad+"</body>")
	}
	// All of them in one page, and a page that ends inside an icon.
	pages = append(pages, "<!doctype html><body>"+strings.Join(pieces, pad)+pad+"</body>",
		"<!doctype html><body><p>x</p>"+pieces[0]+pad+`<svg><path d="M0">`+pad)
	return pages
}()

// TestPlainTagsInForeignContent holds the pages with SVG and MathML to
// the placement property, with the fast paths and the reference machine
// agreeing, in one write and in random writes (checkPlacement).
func TestPlainTagsInForeignContent(t *testing.T) {
	for _, page := range foreignPages {
		checkPlacement(t, []byte(page))
	}
}

// TestNameSets checks that the filter of a name set never turns a member
// away, and that names outside it are not found.
func TestNameSets(t *testing.T) {
	sets := map[string]*nameSet{
		"breakout": &breakoutNames, "integration": &integrationNames, "void": &voidNames,
		"unwatched": &unwatchedStarts, "heading": &headingNames, "ruby": &rubyNames,
		"impliedEnd": &impliedEndNames, "special": &specialNames,
	}
	others := strings.Fields("path g rect circle use defs symbol stop lineargradient clippath mask " +
		"span a img section article x y z foo bar kairo-widget polyline ellipse animate")
	for name, s := range sets {
		if len(s.hashes) == 0 {
			t.Errorf("%s: empty", name)
		}
		for h := range s.hashes {
			if !s.has(h) {
				t.Errorf("%s: member %#x not found", name, h)
			}
		}
		for _, n := range others {
			if h := nameHash(n); s.has(h) != s.hashes[h] {
				t.Errorf("%s: %q found %v, in the map %v", name, n, s.has(h), s.hashes[h])
			}
		}
	}
	if breakoutNames.has(nameHash("path")) || !breakoutNames.has(nameHash("div")) {
		t.Error("breakout names: path counts, or div does not")
	}
}
