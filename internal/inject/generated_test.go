package inject

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// tagPieces are the parts generated documents are made of: tags with and
// without quotes, quoted values that hide '>', '<' and "</body>", values
// and names in every shape the attribute states know ('=' with spaces,
// unquoted values, quotes inside names, a quote after a value, control
// bytes), comments, raw-text elements, text with '<', '>' and quotes, and
// decoy body end tags. The real one, if any, comes last.
var tagPieces = []string{
	"<li>", "</li>", "<b>", "</b>", "<p>", "</p>", "<br/>", "<i>x</i>", "text ", "a > b ", "a < b ", "don't ", `say "hi" `,
	`<a href="/p/1">`, `<a href='/p/2'>`, `<a title="x>y">`, `<a title="</body>">`, `<a data-x='{"a":">"}'>`,
	`<a b="1" c='2'>`, `<a b = "x>">`, `<a b= "x>">`, `<a b ="x>">`, `<a b=x"y>`, `<a b"c="d>`, `<a="x>">`,
	`<a b="x"c="y">`, `<a b="x"="y>">`, `<a /="x>">`, "<a\x01b=\"x>\">", "<a\tb=\"x>\"\n>", `<a b='x' c=">`,
	`<img src="/i.jpg" alt="</body>"/>`, `</a x="</body>">`, `</a="x>">`, `</ b>`, `</>`, `<!-- </body> -->`,
	`<!---->`, `<!-->`, `<!doctype html>`, `<?x </body> ?>`, `<script>"</body>"</script>`, `<script><!--<script></body></script>--></script>`,
	`<style>a[x="</body>"]{}</style>`, `<textarea></body></textarea>`, `<title></body></title>`, `<noscript><a title="</body>"></noscript>`,
	`<xmp></body></xmp>`, `<strong>`, `<section class="s">`, `<tr>`, `<td class='c'>`, `<nobr>`, `<il x="y">`,
	`<a href="`, `">`, `'`, `"`, "=", ">", "<", "</bodyx>", "<body>", "</b\n", "<!", "<!-", "</", "<s",
}

// generatedDoc returns a document of about size bytes of random pieces.
func generatedDoc(r *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(tagPieces[r.IntN(len(tagPieces))])
	}
	if r.IntN(2) == 0 {
		b.WriteString("</p>--></script></style></textarea></title></noscript></xmp>\"'>\n</body></html>")
	}
	return b.String()
}

// TestGeneratedDocuments holds the fast paths to the reference on many
// generated documents long enough for the block walk (plainTags), in one
// write and in random writes.
func TestGeneratedDocuments(t *testing.T) {
	forEachWalk(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 11))
		docs := 3000
		if testing.Short() {
			docs = 300
		}
		for range docs {
			checkAgainstReference(t, r, []byte(generatedDoc(r, 100+r.IntN(1500))))
		}
	})
}

// checkAgainstReference holds the fast paths to the reference machine on
// doc: the same output and insertion point in one write, and the same
// output in random writes.
func checkAgainstReference(t *testing.T, r *rand.Rand, doc []byte) {
	t.Helper()
	want, ref := runInjector(t, true, doc)
	got, inj := runInjector(t, false, doc)
	if got != want || inj.insertedAt != ref.insertedAt {
		t.Fatalf("fast and reference disagree on %q:\nfast at %d, ref at %d", doc, inj.insertedAt, ref.insertedAt)
	}
	if got, _ := runInjector(t, false, randomWrites(r, doc, 300)...); got != want {
		t.Fatalf("chunked fast and reference disagree on %q", doc)
	}
}

// forEachWalk runs test with each data-state walk the machine runs.
func forEachWalk(t *testing.T, test func(t *testing.T)) {
	for _, blocks := range walks() {
		restore := useWalk(blocks)
		t.Run(map[bool]string{true: "blocks", false: "hops"}[blocks], test)
		restore()
	}
}
