package demostore

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFiles embed.FS

// footerComment ends every page's footer. It holds a "</body>" that is not
// the end of the body, which a careless injector would pick.
// html/template drops comments written in templates, hence a value.
const footerComment = template.HTML(`<!-- Offers belong before the real </body>, not inside this comment. -->`)

// pageData is what every page template gets.
type pageData struct {
	Page          string // products, product, cart, checkout, thank-you, not-found
	Title         string
	Currency      string
	CartCount     int
	FooterComment template.HTML
	Notice        string
	Products      []Product
	Cart          Cart
	Order         Order
}

// pageRenderer holds one template set per page, all sharing the layout.
type pageRenderer struct {
	currency string
	pages    map[string]*template.Template
}

// pageFiles maps page names to their templates.
var pageFiles = map[string]string{
	"products":  "templates/products.html",
	"cart":      "templates/cart.html",
	"thank-you": "templates/thankyou.html",
	"not-found": "templates/notfound.html",
	"product":   "templates/product.html",
	"checkout":  "templates/checkout.html",
}

// newPageRenderer parses the embedded templates. They are part of the
// binary, so a parse error is a build mistake and panics.
func newPageRenderer(currency string) *pageRenderer {
	funcs := template.FuncMap{
		"money": func(amount int64) string { return formatMoney(amount, currency) },
	}
	base := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/lines.html"))
	pr := &pageRenderer{currency: currency, pages: make(map[string]*template.Template)}
	for name, file := range pageFiles {
		pr.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, file))
	}
	return pr
}

// render writes a whole HTML page. It renders into a buffer first so that a
// template error becomes a clean 500 rather than half a page.
func (pr *pageRenderer) render(w http.ResponseWriter, status int, d pageData) {
	d.Currency = pr.currency
	d.FooterComment = footerComment
	var buf bytes.Buffer
	if err := pr.pages[d.Page].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
