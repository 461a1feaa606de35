package widget

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var updatePreviews = flag.Bool("update", false, "rewrite the preview pages in testdata/")

// previewPage is a standalone store-like page around a rendered widget, to
// look at in a browser straight from disk (testdata/*.html) and to compare
// against, so a change in the markup shows up in review.
type previewPage struct {
	file, title, body string
	f                 Fragment
}

// previewPages are the pages kept in testdata/. Their assets load from
// ../assets, and testdata/store.css is a deliberately rude store stylesheet.
func previewPages() []previewPage {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	offers := []Offer{
		{Token: "preview-token-thermos", OfferID: "thermos-10", Title: "Steel thermos, 500 ml, keeps coffee hot for 12 hours",
			Image: "thermos.svg", Quantity: 1, Price: "$14.99", OriginalPrice: "$19.99"},
		{Token: "preview-token-beans", OfferID: "beans", Title: "Espresso beans, 250 g", Image: "beans.svg",
			Quantity: 2, Price: "$9.00"},
	}
	timed := append([]Offer(nil), offers...)
	timed[0].ExpiresAt = now.Add(15 * time.Minute)
	timed[1].ExpiresAt = now.Add(15 * time.Minute)
	return []previewPage{
		{
			file:  "thank-you.html",
			title: "Thank you for your order",
			body: `<div class="columns"><div class="main card"><h2>Order #1001</h2><ul class="lines">` +
				`<li><span>Coffee mug</span><span>$19.99</span></li><li><span>Total</span><span>$46.49</span></li></ul></div>` +
				`<div class="side" id="order-summary"><div class="card"><h3>Next</h3><p>We will email you when it ships.</p></div></div></div>`,
			f: Fragment{Prefix: "../assets", Placement: PlacementThankYou, ReturnTo: "/checkout/success/1001",
				Mount: "#order-summary", Offers: timed, Now: now},
		},
		{
			file:  "cart.html",
			title: "Your cart",
			body: `<div class="card"><ul class="lines"><li><span>Coffee mug</span><span>$19.99</span></li>` +
				`<li><span>Subtotal</span><span>$19.99</span></li></ul></div>`,
			f: Fragment{Prefix: "../assets", Placement: PlacementCart, ReturnTo: "/cart",
				Offers: offers[:1], Notice: &Notice{OK: false, Message: "Sorry, the espresso beans just sold out."}, Now: now},
		},
	}
}

// html returns the whole page.
func (p previewPage) html() []byte {
	var b bytes.Buffer
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + p.title + "</title>\n<link rel=\"stylesheet\" href=\"store.css\">\n")
	// From disk, widget.js comes without the shared helpers that the
	// server puts into it (assets.go): here they load first, as globals.
	b.WriteString("<script src=\"../assets/shared.js\"></script>\n</head>\n<body>\n")
	b.WriteString("<div id=\"page\">\n<h1>" + p.title + "</h1>\n" + p.body + "\n</div>\n")
	b.Write(Render(nil, p.f))
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

func TestPreviewPagesAreCurrent(t *testing.T) {
	for _, p := range previewPages() {
		path := filepath.Join("testdata", p.file)
		got := p.html()
		if *updatePreviews {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/widget -run TestPreviewPagesAreCurrent -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go test ./internal/widget -run TestPreviewPagesAreCurrent -update and look at the page", path)
		}
	}
}
