package main

import (
	"bytes"
	"testing"
)

// TestRenderPage checks the storefront pages: their size, one real
// </body> at the end, and the traps an injector must not fall for.
func TestRenderPage(t *testing.T) {
	for _, size := range allSizes {
		t.Run(size.Name, func(t *testing.T) {
			page := renderPage(size)
			if len(page) < size.Bytes || len(page) > size.Bytes+2048 {
				t.Errorf("%d bytes, want about %d", len(page), size.Bytes)
			}
			if n := bytes.Count(page, []byte("</body>")); n != 6 {
				t.Errorf("%d </body>, want 5 traps and the real one", n)
			}
			end := realBodyEnd(page)
			if !bytes.Equal(page[end:], []byte("</body>\n</html>\n")) {
				t.Errorf("the page does not end with its real </body>: %q", page[end:])
			}
			if place := widgetPlace(page); place < 0 || place > end || bytes.Count(page, []byte("<footer")) != 1 {
				t.Errorf("the page's one site footer is not before its real </body> (at %d, </body> at %d)", place, end)
			}
			if bytes.Contains(page, []byte(widgetMarker)) {
				t.Errorf("the page already holds %s", widgetMarker)
			}
		})
	}
}

func TestCheckInjected(t *testing.T) {
	page := renderPage(size16K)
	end := widgetPlace(page)
	widget := []byte(`<div ` + widgetMarker + `>offer</div>`)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		got     []byte
		wantErr bool
	}{
		{name: "before the site footer", got: join(page[:end], widget, page[end:])},
		{name: "before the real body end", got: join(page[:realBodyEnd(page)], widget, page[realBodyEnd(page):]), wantErr: true},
		{name: "nothing injected", got: page, wantErr: true},
		{name: "at the first trap", got: join(page[:bytes.Index(page, []byte("</body>"))], widget, page[bytes.Index(page, []byte("</body>")):]), wantErr: true},
		{name: "appended after </html>", got: join(page, widget), wantErr: true},
		{name: "page altered elsewhere", got: join(page[:10], []byte("x"), page[11:end], widget, page[end:]), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frag, err := checkInjected(tt.got, page)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !bytes.Equal(frag, widget) {
				t.Errorf("fragment %q, want %q", frag, widget)
			}
		})
	}
}
