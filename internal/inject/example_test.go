package inject_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/kairoedge/kairo/internal/inject"
)

// The Injector on its own: the snippet lands before the real </body>, not
// the one in the comment.
func ExampleNew() {
	inj := inject.New(os.Stdout, func() []byte { return []byte(`<div id="offer"></div>`) })
	_, _ = io.WriteString(inj, "<p>Thanks!</p><!-- </body> -->")
	_, _ = io.WriteString(inj, "</bo") // a write may end anywhere
	_, _ = io.WriteString(inj, "dy></html>\n")
	_ = inj.Close()
	fmt.Println(inj.Injected())
	inj.Release()
	// Output:
	// <p>Thanks!</p><!-- </body> --><div id="offer"></div></body></html>
	// true
}

// How a handler wraps the next one: only eligible requests, prepared
// before they go on, and the writer closed when next returns.
func ExampleNewResponseWriter() {
	store := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Etag", `"v7"`)
		_, _ = io.WriteString(w, "<html><body><h1>Cart</h1></body></html>")
	})
	upsell := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !inject.Eligible(r) {
			store.ServeHTTP(w, r)
			return
		}
		inject.PrepareRequest(r)
		rw := inject.NewResponseWriter(w, func() []byte { return []byte("<aside>Add a saucer?</aside>") })
		store.ServeHTTP(rw, r)
		_ = rw.Close()
		fmt.Println("rewritten:", rw.Rewritten(), "injected:", rw.Injected())
	})

	rec := httptest.NewRecorder()
	upsell.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cart", nil))
	fmt.Println(rec.Body.String())
	fmt.Printf("ETag %q, Cache-Control %q\n", rec.Header().Get("Etag"), rec.Header().Get("Cache-Control"))
	// Output:
	// rewritten: true injected: true
	// <html><body><h1>Cart</h1><aside>Add a saucer?</aside></body></html>
	// ETag "", Cache-Control "private"
}
