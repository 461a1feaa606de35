package inject

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// edgeNames are tag names around the limits of the walk's inline reading
// of a tag (plainTags): names of one letter that a raw-text element's name
// also starts with, names of six to nine letters (the word after "</"
// holds seven), the kinds the tree follows among them, and names one
// letter longer or shorter than a kind's or a raw-text element's.
var edgeNames = []string{
	"p", "P", "i", "s", "t", "x", "n", "b", "a", "tt", "td", "ti", "nobr", "xmp", "xm",
	"button", "buttons", "Button", "strong", "strongs", "applet", "applets", "object", "objectx",
	"select", "selectx", "footer", "footers", "marquee", "MARQUEE", "marquees", "marque",
	"article", "articles", "section", "noembed", "noembeds", "template", "templates",
	"script", "scripts", "style", "styles", "title", "titles", "iframe", "iframes",
	"textarea", "noscript", "noframes", "plaintext", "frameset",
}

// edgeTag returns a start or end tag of a name from edgeNames, ended in one
// of the ways the tokenizer knows ('>', whitespace of every kind then
// attributes, '/'), or by a control byte or NUL, which the name takes in.
func edgeTag(r *rand.Rand) string {
	name := edgeNames[r.IntN(len(edgeNames))]
	open := "<"
	if r.IntN(2) == 0 {
		open = "</"
	}
	return open + name + edgeTagEnds[r.IntN(len(edgeTagEnds))]
}

// edgeTagEnds are what follows a name in edgeTag, '>' most often.
var edgeTagEnds = []string{
	">", ">", ">", " class=x>", "\tid=\"y\">", "/>", "/ class=x>", "\fclass=x>", "\rclass=x>",
	"\nclass=x>", "\v class=x>", "\x00 class=x>", "\x01>",
}

// TestTagNamesAtTheWordsEdge holds the walk's inline reading of a tag's
// name to the reference and to a browser's parse (checkPlacement): start
// tags of one letter with attributes ("<p class=x>", whose letter starts
// raw-text names too) and names of seven letters (an end tag's delimiter
// then lies past the word it reads) are told to the tree there; longer
// names, and raw-text elements, are not. The tags sit at offsets all over
// a block, between text, so that a name read wrong moves or removes the
// widget.
func TestTagNamesAtTheWordsEdge(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 8))
	forEachWalk(t, func(t *testing.T) {
		// Every start tag with every end tag: an end tag read as its
		// name's seven-letter prefix, or a start tag as a kind it is
		// not, leaves a different element open at </body>.
		for _, start := range edgeNames {
			for _, end := range edgeNames {
				checkPlacement(t, edgeTagsPage("<"+start+" class=x>t</"+end+">", r.IntN(64)))
			}
		}
		// Every name with every ending, as a start tag and as an end tag
		// after the start tag of the same name.
		for _, name := range edgeNames {
			for _, end := range edgeTagEnds {
				checkPlacement(t, edgeTagsPage("<"+name+end+"t", r.IntN(64)))
				checkPlacement(t, edgeTagsPage("<"+name+">t</"+name+end, r.IntN(64)))
			}
		}
		for range 100 {
			tags := edgeTags(r)
			for shift := 0; shift < 64; shift += 1 + r.IntN(8) {
				checkPlacement(t, edgeTagsPage(tags, shift))
			}
		}
	})
}

// edgeTags returns one to six tags from edgeTag, each followed by nothing,
// a letter, a space or a formatting element with text.
func edgeTags(r *rand.Rand) string {
	var tags strings.Builder
	for n := 1 + r.IntN(6); n > 0; n-- {
		tags.WriteString(edgeTag(r))
		tags.WriteString([]string{"", "t", " ", "<b>x</b>"}[r.IntN(4)])
	}
	return tags.String()
}

// edgeTagsPage puts tags into a page with content before them, shift bytes
// of text ahead of them (their offset in a block), and text and </body>
// after.
func edgeTagsPage(tags string, shift int) []byte {
	return []byte("<!doctype html><body><p>x</p>" + strings.Repeat("y", shift) + tags +
		strings.Repeat("<i>some text</i>", 6) + "</body>")
}
