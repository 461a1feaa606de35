package widget

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseFragment parses rendered markup the way a browser would inside <body>
// and returns its top-level nodes.
func parseFragment(t testing.TB, markup []byte) []*html.Node {
	t.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(bytes.NewReader(markup), body)
	if err != nil {
		t.Fatalf("parsing the fragment: %v", err)
	}
	return nodes
}

// walk calls visit for every element in nodes and below, in document order.
func walk(nodes []*html.Node, visit func(*html.Node)) {
	for _, n := range nodes {
		if n.Type == html.ElementNode {
			visit(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk([]*html.Node{c}, visit)
		}
	}
}

// elements returns the elements for which keep is true.
func elements(nodes []*html.Node, keep func(*html.Node) bool) []*html.Node {
	var found []*html.Node
	walk(nodes, func(n *html.Node) {
		if keep(n) {
			found = append(found, n)
		}
	})
	return found
}

// byClass returns the elements carrying class c.
func byClass(nodes []*html.Node, c string) []*html.Node {
	return elements(nodes, func(n *html.Node) bool {
		return slices.Contains(strings.Fields(attr(n, "class")), c)
	})
}

// byTag returns the elements named tag.
func byTag(nodes []*html.Node, tag string) []*html.Node {
	return elements(nodes, func(n *html.Node) bool { return n.Data == tag })
}

// attr returns the value of attribute key, "" when absent.
func attr(n *html.Node, key string) string {
	v, _ := lookupAttr(n, key)
	return v
}

// lookupAttr returns the value of attribute key and whether it is present.
func lookupAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text returns the text content of n, like the DOM's textContent.
func text(n *html.Node) string {
	var b strings.Builder
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			collect(c)
		}
	}
	collect(n)
	return b.String()
}

// hiddenFields returns the name=value pairs of a form's hidden inputs.
func hiddenFields(form *html.Node) map[string]string {
	fields := map[string]string{}
	for _, in := range byTag([]*html.Node{form}, "input") {
		if attr(in, "type") == "hidden" {
			fields[attr(in, "name")] = attr(in, "value")
		}
	}
	return fields
}
