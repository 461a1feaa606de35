package inject

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// mark is where a test document expects the snippet: the input is the
// document without it, the output the document with the snippet there.
const mark = "◊"

// testSnippet is what the tests insert.
const testSnippet = `<div id="kairo">offer</div>`

// injectionCases are documents with the expected insertion point marked.
// Each trap hides a "</body>" where the HTML tokenizer does not see an end
// tag; the real one comes after it (or there is none: the mark is at the end).
var injectionCases = []struct{ name, doc string }{
	{"plain", `<html><body><p>hi</p>◊</body></html>`},
	{"upper case", `<HTML><BODY><P>hi</P>◊</BODY></HTML>`},
	{"mixed case", `<p>hi</p>◊</bOdY>`},
	{"space before >", `<p>hi</p>◊</body >`},
	{"attributes on the end tag", `<p>hi</p>◊</BODY foo>`},
	{"quoted attribute on the end tag", `<p>hi</p>◊</body class="a>b">`},
	{"self-closing end tag", `<p>hi</p>◊</body/>`},
	{"newline before >", "<p>hi</p>◊</body\n>"},
	{"tab", "◊</body\t>"},
	{"carriage return is whitespace", "◊</body\r>"},
	{"form feed", "◊</body\f>"},
	{"first of two", `<p>a</p>◊</body></body>`},
	{"no body end tag", `<html><body><p>hi</p></html>◊`},
	{"empty document", `◊`},
	{"only the end tag", `◊</body>`},
	{"unfinished end tag at the end", `<p>hi</p>◊</body`},
	{"unfinished name at the end", `<p>hi</p>◊</bo`},
	{"lone < at the end", `<p>hi</p>◊<`},
	{"longer name", `<p>hi</p></bodyx></body-x>◊`},
	{"shorter name", `</bod>◊`},
	{"vertical tab is not whitespace", "</body\v>◊"},
	{"NUL in the name", "</bo\x00dy>◊"},
	{"body start tag", `<body class="x">◊`},
	{"space after <", `< /body>◊`},
	{"space after </", `</ body>◊`},

	{"comment", `<!-- </body> --><p>x</p>◊</body>`},
	{"comment with dashes", `<!-- a -- b --- </body> ---><p>x</p>◊</body>`},
	{"comment closed by --!>", `<!-- a --!>◊</body>`},
	{"comment not closed by --!->", `<!-- a --!-></body> -->◊</body>`},
	{"empty comment <!-->", `<!-->◊</body>`},
	{"empty comment <!--->", `<!--->◊</body>`},
	{"comment <!---->", `<!---->◊</body>`},
	{"comment starting with a dash", `<!---x </body> -->◊</body>`},
	{"nested comment opener", `<!-- <!-- </body> -->◊</body>`},
	{"unterminated comment", `<!-- </body>`},
	{"doctype", `<!DOCTYPE html><p>x</p>◊</body>`},
	{"bogus comment", `<! </body> >◊</body>`},
	{"processing instruction", `<?xml </body> ?>◊</body>`},
	{"cdata outside foreign content", `<![CDATA[ </body> ]]>◊</body>`},
	{"end tag with no name", `</>◊</body>`},
	{"<!- is bogus", `<!- </body> ->◊</body>`},

	{"script", `<script>document.write("</body>")</script>◊</body>`},
	{"script upper case", `<SCRIPT>x="</body>"</ScRiPt>◊</body>`},
	{"script with attributes", `<script type="module" src="/a.js?x=</body>"></script>◊</body>`},
	{"script with comparisons", `<script>if(a<b&&c</d){x="</body>"}</script>◊</body>`},
	{"script end tag needs a delimiter", `<script>"</scriptx></body>"</script>◊</body>`},
	{"script end tag with space", `<script>"</body>"</script >◊</body>`},
	{"script ended by end tag with attribute", `<script>"</body>"</script a="</body>">◊</body>`},
	{"script escaped", `<script><!-- "</body>" --></script>◊</body>`},
	{"script double escaped", `<script><!--<script>"</script></body>"</script>--></script>◊</body>`},
	{"script escaped ends at </script>", `<script><!-- </script>◊</body>`},
	{"script escaped dash dash >", `<script><!-- x --> "</body>" </script>◊</body>`},
	{"self-closing script still opens", `<script/>"</body>"</script>◊</body>`},
	{"unterminated script", `<script>"</body>"`},
	{"style", `<style>/* </body> */ a[title="</body>"]{}</style>◊</body>`},
	{"textarea", `<textarea></body></textarea>◊</body>`},
	{"textarea upper case", `<TEXTAREA name=x></BODY></TextArea>◊</body>`},
	{"title", `<title>A </body> title</title>◊</body>`},
	{"noscript", `<noscript><img alt="x"></body></noscript>◊</body>`},
	{"xmp", `<xmp></body></xmp>◊</body>`},
	{"iframe", `<iframe></body></iframe>◊</body>`},
	{"noembed", `<noembed></body></noembed>◊</body>`},
	{"noframes", `<noframes></body></noframes>◊</body>`},
	{"plaintext never ends", `<plaintext></body></plaintext></body>`},
	{"raw text needs its own end tag", `<title></style></body></title>◊</body>`},
	{"not raw text: longer name", `<scripts></scripts>◊</body>`},
	{"not raw text: end tag", `</script>◊</body>`},

	{"double-quoted attribute", `<a title="</body>">x</a>◊</body>`},
	{"single-quoted attribute", `<a title='</body>'>x</a>◊</body>`},
	{"quote with > inside", `<a title="a > b </body>">x</a>◊</body>`},
	{"spaces around =", `<a title = "</body>">x</a>◊</body>`},
	{"mixed quotes", `<a title="it's" alt='"</body>"'>x</a>◊</body>`},
	{"many attributes", `<img src="/i.png" alt="</body>" width=1 height=2 data-x='</body>'>◊</body>`},
	{"unquoted value holding </body", `<a title=</body>>◊</body>`},
	{"quote in an unquoted value", `<a b=c"</body>">◊</body>`},
	{"quote in an attribute name", `<a b"c="</body>">x</a>◊</body>`},
	{"= starting an attribute name", `<a ="</body>">◊</body>`},
	{"== is an unquoted value", `<a b=="</body>">◊</body>`},
	{"quote in a tag name", `<a"b c="</body>">◊</body>`},
	{"attribute after a quoted value without space", `<a b="c"d="</body>">◊</body>`},
	{"= after a quoted value", `<a b="c"="</body>">◊</body>`},
	{"slash between attributes", `<a b/c="</body>">◊</body>`},
	{"tag name holding </body", `<a</body>◊</body>`},
	{"'<' in a tag before a quoted value", `<a b=< c="</body>">◊</body>`},
	{"quote after '/' opens no value", `<a b/"c>◊</body>">`},
	{"only the same quote closes a value", `<a b="c' e='x'>></body>">◊</body>`},
	{"control byte in a tag name", "<a\x01b=\">◊</body>\">"},
	{"quote after a leading =", `<a =">◊</body>">`},
	{"'#' after = is an unquoted value", `<a b=#>◊</body>#>`},
	{"unterminated attribute value", `<a title="</body>`},
	{"raw-text start tag with a quoted >", `<script src="a>b">"</body>"</script>◊</body>`},
}

// expected splits a case document into input and expected output. A
// document without a mark has no place for the snippet: it ends where
// text cannot follow.
func expected(doc string) (in, out string) {
	if strings.Count(doc, mark) > 1 {
		panic("test document needs at most one mark: " + doc)
	}
	return strings.Replace(doc, mark, "", 1), strings.Replace(doc, mark, testSnippet, 1)
}

// runInjector streams the chunks through an Injector (the byte-at-a-time
// reference machine when slow) and returns the output and the Injector.
func runInjector(t testing.TB, slow bool, chunks ...[]byte) (string, *Injector) {
	t.Helper()
	var out bytes.Buffer
	inj := New(&out, func() []byte { return []byte(testSnippet) })
	inj.sc.slow = slow
	inj.sc.tokensOnly = true
	inj.AtBodyEnd()
	for _, c := range chunks {
		n, err := inj.Write(c)
		if err != nil || n != len(c) {
			t.Fatalf("Write(%q) = %d, %v", c, n, err)
		}
		if inj.holdLen > len("</body") {
			t.Fatalf("holding %d bytes", inj.holdLen)
		}
	}
	if err := inj.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.String(), inj
}

func TestInjectionPoint(t *testing.T) {
	for _, tc := range injectionCases {
		in, want := expected(tc.doc)
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/slow=%v", tc.name, slow), func(t *testing.T) {
				got, inj := runInjector(t, slow, []byte(in))
				if got != want {
					t.Errorf("input  %q\ngot    %q\nwant   %q", in, got, want)
				}
				placed := strings.Contains(tc.doc, mark)
				if inj.Injected() != placed || inj.NoPlace() == placed {
					t.Errorf("Injected() = %v, NoPlace() = %v", inj.Injected(), inj.NoPlace())
				}
				if at := int64(strings.Index(tc.doc, mark)); inj.insertedAt != at {
					t.Errorf("insertedAt = %d, want %d", inj.insertedAt, at)
				}
			})
		}
	}
}

// splitCorpus is every case document plus a few cards of the store page,
// whose traps then fall at every write boundary too.
func splitCorpus() []string {
	var docs []string
	for _, tc := range injectionCases {
		in, _ := expected(tc.doc)
		docs = append(docs, in)
	}
	page := storePage(0)
	return append(docs, string(page), string(page)+string(storePage(2000)))
}

// TestSplitWrites checks that the output does not depend on how the input
// is cut into writes: every split into two writes, and one-byte writes,
// give the output of one write, with the fast paths and without.
func TestSplitWrites(t *testing.T) {
	for n, in := range splitCorpus() {
		want, _ := runInjector(t, true, []byte(in))
		if got, _ := runInjector(t, false, []byte(in)); got != want {
			t.Fatalf("doc %d: fast and reference disagree\ninput %q\nfast  %q\nref   %q", n, in, got, want)
		}
		for _, slow := range []bool{false, true} {
			for k := 0; k <= len(in); k++ {
				if got, _ := runInjector(t, slow, []byte(in[:k]), []byte(in[k:])); got != want {
					t.Fatalf("doc %d split at %d (slow=%v):\ninput %q\ngot   %q\nwant  %q", n, k, slow, in, got, want)
				}
			}
			bytewise := make([][]byte, len(in))
			for k := range in {
				bytewise[k] = []byte(in[k : k+1])
			}
			if got, _ := runInjector(t, slow, bytewise...); got != want {
				t.Fatalf("doc %d in one-byte writes (slow=%v):\ninput %q\ngot   %q\nwant  %q", n, slow, in, got, want)
			}
		}
	}
}

// TestStreaming checks that bytes are written as they arrive: after each
// one-byte write, everything but a possible "</body" prefix (at most six
// bytes) has reached the destination, and the snippet is asked for only
// when the insertion point is reached, with everything before it written.
func TestStreaming(t *testing.T) {
	in := `<p title="</body>">x</p><!-- </body> --></b></bo></body></html>`
	at := strings.LastIndex(in, "</body>")
	var out bytes.Buffer
	calls := 0
	inj := New(&out, func() []byte {
		calls++
		if out.String() != in[:at] {
			t.Errorf("at snippet time the output is %q, want %q", out.String(), in[:at])
		}
		return []byte(testSnippet)
	})
	for k := range len(in) {
		if _, err := inj.Write([]byte{in[k]}); err != nil {
			t.Fatal(err)
		}
		held := k + 1 - out.Len()
		if k >= at+len("</body") {
			held += len(testSnippet)
		}
		if held < 0 || held > len("</body") {
			t.Fatalf("after %d bytes in, %d out: holding %d", k+1, out.Len(), held)
		}
	}
	if err := inj.Close(); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("snippet called %d times, want 1", calls)
	}
	if want := in[:at] + testSnippet + in[at:]; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestSnippetEmpty(t *testing.T) {
	tests := []struct {
		name    string
		snippet func() []byte
	}{
		{"nil func", nil},
		{"returns nil", func() []byte { return nil }},
		{"returns empty", func() []byte { return []byte{} }},
	}
	in := `<p>x</p></body></html>`
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			inj := New(&out, tc.snippet)
			if _, err := inj.Write([]byte(in)); err != nil {
				t.Fatal(err)
			}
			if err := inj.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != in || inj.Injected() {
				t.Errorf("got %q injected=%v, want the input and false", out.String(), inj.Injected())
			}
		})
	}
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct {
	limit int
	out   bytes.Buffer
}

var errBroken = errors.New("broken pipe")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.out.Len()+len(p) > w.limit {
		n := w.limit - w.out.Len()
		w.out.Write(p[:n])
		return n, errBroken
	}
	return w.out.Write(p)
}

func TestDestinationErrors(t *testing.T) {
	in := []byte(`<p>hello</p></body></html>`)
	for limit := 0; limit < len(in)+len(testSnippet); limit++ {
		dst := &failingWriter{limit: limit}
		inj := New(dst, func() []byte { return []byte(testSnippet) })
		_, err1 := inj.Write(in[:10])
		_, err2 := inj.Write(in[10:])
		err3 := inj.Close()
		var err error
		for _, e := range []error{err1, err2, err3} {
			if e != nil {
				err = e
				break
			}
		}
		if !errors.Is(err, errBroken) {
			t.Fatalf("limit %d: errors %v, %v, %v; want %v", limit, err1, err2, err3, errBroken)
		}
		if n, err := inj.Write([]byte("more")); n != 0 || !errors.Is(err, errBroken) {
			t.Fatalf("limit %d: Write after failure = %d, %v", limit, n, err)
		}
	}
}

func TestWriteAfterClose(t *testing.T) {
	var out bytes.Buffer
	inj := New(&out, nil)
	if err := inj.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := inj.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
	if err := inj.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestNoAllocations checks the steady state: New, the writes and Close of a
// whole page allocate nothing.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector empties the pools at random; counted in the plain build")
	}
	page := storePage(64 << 10)
	snippet := []byte(testSnippet)
	snippetFunc := func() []byte { return snippet }
	var sink countingWriter
	// The charset named in capitals, as WordPress writes it, too.
	capitals := bytes.Replace(page, []byte(`charset="utf-8"`), []byte(`charset="UTF-8"`), 1)
	if bytes.Equal(capitals, page) {
		t.Fatal("the store page names no charset")
	}
	for _, page := range [][]byte{page, capitals} {
		allocs := testing.AllocsPerRun(50, func() {
			inj := New(&sink, snippetFunc)
			for p := page; len(p) > 0; {
				n := min(4096, len(p))
				_, _ = inj.Write(p[:n])
				p = p[n:]
			}
			_ = inj.Close()
			inj.Release()
		})
		if allocs != 0 {
			t.Errorf("%v allocations per page, want 0 (%.40q...)", allocs, page)
		}
	}
}

// countingWriter counts bytes and keeps none.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// TestWindowPositions holds the fast paths to the reference with every
// case document placed at each offset of a 64-byte window: behind a run
// of short tags that is long enough for the window walk (plainTags) to
// run, and followed by more of them, so each trap falls on every window
// position and on window boundaries.
func TestWindowPositions(t *testing.T) {
	const run = "<li>ab</li>\n<b>c</b><p x=1>d</p>"
	forEachWalk(t, func(t *testing.T) {
		for _, tc := range injectionCases {
			in, _ := expected(tc.doc)
			for shift := range 64 {
				doc := strings.Repeat(run, 4)[:64+shift] + "</p>" + in + strings.Repeat(run, 4)
				want, _ := runInjector(t, true, []byte(doc))
				if got, _ := runInjector(t, false, []byte(doc)); got != want {
					t.Fatalf("%s at offset %d: fast and reference disagree\ninput %q\nfast  %q\nref   %q", tc.name, shift, doc, got, want)
				}
			}
		}
	})
}
