package widget

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// renderTime is the fixed clock of every rendering test.
var renderTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sampleFragment is a realistic widget with two offers for placement.
func sampleFragment(placement string) Fragment {
	f := Fragment{
		Prefix:    "/_upsell",
		Placement: placement,
		ReturnTo:  "/checkout/success/o-1001?ref=mail&step=2",
		Now:       renderTime,
		Offers: []Offer{
			{Token: "tok.thermos.AAA", OfferID: "thermos-10", Title: "Steel thermos, 500 ml", Image: "/images/thermos.jpg",
				Quantity: 1, Price: "$14.99", OriginalPrice: "$19.99"},
			{Token: "tok.beans.BBB", OfferID: "beans", Title: "Espresso beans", Image: "https://cdn.example.com/beans.png",
				Quantity: 2, Price: "$9.00"},
		},
	}
	if placement == PlacementThankYou {
		f.Offers[0].ExpiresAt = renderTime.Add(15 * time.Minute)
		f.Offers[1].ExpiresAt = renderTime.Add(14*time.Minute + 59*time.Second)
	}
	return f
}

func TestRenderOffersForEachPlacement(t *testing.T) {
	tests := []struct {
		name          string
		placement     string
		wantPlacement string
		wantLabel     string
		wantClocks    []string
	}{
		{"cart", PlacementCart, PlacementCart, "Add to cart", nil},
		{"thank you", PlacementThankYou, PlacementThankYou, "Add to my order", []string{"15:00", "14:59"}},
		{"unknown placement says order, never cart", "basket", PlacementThankYou, "Add to my order", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sampleFragment(tt.placement)
			nodes := parseFragment(t, Render(nil, f))

			roots := byClass(nodes, "kairo-widget")
			if len(roots) != 1 {
				t.Fatalf("found %d widget roots, want 1", len(roots))
			}
			if got := attr(roots[0], "data-kairo-placement"); got != tt.wantPlacement {
				t.Errorf("data-kairo-placement = %q, want %q", got, tt.wantPlacement)
			}
			if _, ok := lookupAttr(roots[0], "data-kairo-mount"); ok {
				t.Errorf("data-kairo-mount present without a mount selector")
			}
			offers := byClass(nodes, "kairo-offer")
			if len(offers) != len(f.Offers) {
				t.Fatalf("found %d offers, want %d", len(offers), len(f.Offers))
			}
			for i, offer := range offers {
				want := f.Offers[i]
				if got := attr(offer, "data-kairo-offer"); got != want.OfferID {
					t.Errorf("offer %d: data-kairo-offer = %q, want %q", i, got, want.OfferID)
				}
				if got := attr(offer, "data-kairo-state"); got != "ready" {
					t.Errorf("offer %d: data-kairo-state = %q, want ready", i, got)
				}
				checkOfferForms(t, i, offer, f, want, tt.wantLabel)
				checkOfferContent(t, i, offer, want)

				clocks := byClass([]*html.Node{offer}, "kairo-clock")
				if tt.wantClocks == nil {
					if len(clocks) != 0 || len(byClass([]*html.Node{offer}, "kairo-countdown")) != 0 {
						t.Errorf("offer %d: countdown shown on an offer without expiry", i)
					}
					continue
				}
				if len(clocks) != 1 || text(clocks[0]) != tt.wantClocks[i] {
					t.Errorf("offer %d: countdown clocks %d, want one reading %q", i, len(clocks), tt.wantClocks[i])
				}
			}
			if thankYou := len(byClass(nodes, "kairo-note")) == 1; thankYou != (tt.wantPlacement == PlacementThankYou) {
				t.Errorf("thank-you note shown = %v for placement %q", thankYou, tt.wantPlacement)
			}
		})
	}
}

// checkOfferForms checks an offer's accept and decline forms: real forms that
// post the token and return_to, each with one real submit button.
func checkOfferForms(t *testing.T, i int, offer *html.Node, f Fragment, want Offer, acceptLabel string) {
	t.Helper()
	forms := byTag([]*html.Node{offer}, "form")
	if len(forms) != 2 {
		t.Fatalf("offer %d: %d forms, want accept and decline", i, len(forms))
	}
	for j, wantForm := range []struct{ action, button, label string }{
		{"/_upsell/accept", "kairo-accept", acceptLabel},
		{"/_upsell/decline", "kairo-decline", "No thanks"},
	} {
		form := forms[j]
		if attr(form, "method") != "post" || attr(form, "action") != wantForm.action {
			t.Errorf("offer %d form %d: method %q action %q, want post %q", i, j, attr(form, "method"), attr(form, "action"), wantForm.action)
		}
		fields := hiddenFields(form)
		if fields["token"] != want.Token || fields["return_to"] != f.ReturnTo || len(fields) != 2 {
			t.Errorf("offer %d form %d: hidden fields %v, want token %q and return_to %q", i, j, fields, want.Token, f.ReturnTo)
		}
		buttons := byTag([]*html.Node{form}, "button")
		if len(buttons) != 1 {
			t.Fatalf("offer %d form %d: %d buttons, want 1", i, j, len(buttons))
		}
		b := buttons[0]
		if attr(b, "type") != "submit" || !strings.Contains(attr(b, "class"), wantForm.button) || text(b) != wantForm.label {
			t.Errorf("offer %d form %d: button type %q class %q text %q, want submit %q %q",
				i, j, attr(b, "type"), attr(b, "class"), text(b), wantForm.button, wantForm.label)
		}
		titleID := attr(byClass([]*html.Node{offer}, "kairo-title")[0], "id")
		if titleID == "" || attr(b, "aria-describedby") != titleID {
			t.Errorf("offer %d form %d: button aria-describedby %q, want the title's id %q", i, j, attr(b, "aria-describedby"), titleID)
		}
	}
	status := byClass([]*html.Node{offer}, "kairo-status")
	if len(status) != 1 || attr(status[0], "aria-live") != "polite" {
		t.Errorf("offer %d: want one aria-live=polite status region, got %d", i, len(status))
	}
}

// checkOfferContent checks image, title, prices and quantity.
func checkOfferContent(t *testing.T, i int, offer *html.Node, want Offer) {
	t.Helper()
	imgs := byTag([]*html.Node{offer}, "img")
	if len(imgs) != 1 || attr(imgs[0], "src") != want.Image {
		t.Errorf("offer %d: images %d, want one with src %q", i, len(imgs), want.Image)
	}
	if got := text(byClass([]*html.Node{offer}, "kairo-title")[0]); got != want.Title {
		t.Errorf("offer %d: title %q, want %q", i, got, want.Title)
	}
	now := byClass([]*html.Node{offer}, "kairo-price-now")
	if len(now) != 1 || !strings.HasSuffix(text(now[0]), want.Price) {
		t.Errorf("offer %d: price element missing or not ending in %q", i, want.Price)
	}
	struck := byTag([]*html.Node{offer}, "s")
	if want.OriginalPrice == "" {
		if len(struck) != 0 {
			t.Errorf("offer %d: struck-through price without a discount", i)
		}
	} else if len(struck) != 1 || !strings.HasSuffix(text(struck[0]), want.OriginalPrice) ||
		len(byClass(struck, "kairo-sr")) != 1 {
		t.Errorf("offer %d: want the original price %q struck through, with screen-reader text", i, want.OriginalPrice)
	}
	qty := byClass([]*html.Node{offer}, "kairo-quantity")
	if len(qty) != 1 || text(qty[0]) != "Quantity: "+strconv.Itoa(want.Quantity) {
		t.Errorf("offer %d: quantity line missing or wrong, want %d", i, want.Quantity)
	}
}

func TestRenderEscapesHostileCatalogStrings(t *testing.T) {
	const hostileTitle = `Mug</h3><script>alert(1)</script><img src=x onerror=alert(2)>"'&`
	tests := []struct {
		name      string
		image     string
		wantImage string // "" = no <img> at all
	}{
		{"javascript URL", "javascript:alert(document.cookie)", ""},
		{"javascript URL, mixed case and blanks", "  JaVaScRiPt:alert(1)", ""},
		{"data URL", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", ""},
		{"vbscript URL", "vbscript:msgbox(1)", ""},
		{"attribute breakout in an https URL", `https://cdn.example.com/a.png"><script>alert(3)</script>`,
			`https://cdn.example.com/a.png%22%3e%3cscript%3ealert%283%29%3c/script%3e`},
		{"relative URL", "/img/mug.png?w=80&h=80", "/img/mug.png?w=80&h=80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sampleFragment(PlacementCart)
			f.Offers = f.Offers[:1]
			f.Offers[0].Title = hostileTitle
			f.Offers[0].Image = tt.image
			f.Offers[0].OfferID = `x" onclick="alert(4)`
			f.ReturnTo = `/cart"><script>alert(5)</script>`
			f.Mount = `#x"><script>alert(6)</script>`
			f.Notice = &Notice{Message: `<b onmouseover=alert(7)>no</b>`}
			out := Render(nil, f)
			nodes := parseFragment(t, out)

			if bytes.Contains(bytes.ToLower(out), []byte("javascript:")) || bytes.Contains(out, []byte("data:text")) {
				t.Errorf("a script URL survived rendering:\n%s", out)
			}
			assertNoInlineCode(t, nodes)
			if got := text(byClass(nodes, "kairo-title")[0]); got != hostileTitle {
				t.Errorf("title text = %q, want the catalog string shown as text %q", got, hostileTitle)
			}
			if got := attr(byClass(nodes, "kairo-offer")[0], "data-kairo-offer"); got != f.Offers[0].OfferID {
				t.Errorf("data-kairo-offer = %q, want %q", got, f.Offers[0].OfferID)
			}
			if got := attr(byClass(nodes, "kairo-widget")[0], "data-kairo-mount"); got != f.Mount {
				t.Errorf("data-kairo-mount = %q, want %q", got, f.Mount)
			}
			if got := hiddenFields(byTag(nodes, "form")[0])["return_to"]; got != f.ReturnTo {
				t.Errorf("return_to = %q, want %q", got, f.ReturnTo)
			}
			if got := text(byClass(nodes, "kairo-notice")[0]); got != f.Notice.Message {
				t.Errorf("notice text = %q, want %q", got, f.Notice.Message)
			}
			imgs := byTag(nodes, "img")
			switch {
			case tt.wantImage == "" && len(imgs) != 0:
				t.Errorf("unsafe image URL rendered as <img src=%q>", attr(imgs[0], "src"))
			case tt.wantImage != "" && (len(imgs) != 1 || attr(imgs[0], "src") != tt.wantImage):
				t.Errorf("images %d, want one with src %q", len(imgs), tt.wantImage)
			}
			if tt.wantImage == "" && len(byClass(nodes, "kairo-offer--no-image")) != 1 {
				t.Errorf("offer without an image lacks the kairo-offer--no-image class")
			}
		})
	}
}

func TestRenderHasNoInlineCode(t *testing.T) {
	withMount := sampleFragment(PlacementThankYou)
	withMount.Mount = "#order-summary"
	withMount.Notice = &Notice{OK: true, Message: "Added to your order."}
	for _, f := range []Fragment{sampleFragment(PlacementCart), sampleFragment(PlacementThankYou), withMount} {
		t.Run(f.Placement+" "+f.Mount, func(t *testing.T) {
			out := Render(nil, f)
			if bytes.Contains(out, []byte(" style=")) {
				t.Errorf("inline style attribute in:\n%s", out)
			}
			nodes := parseFragment(t, out)
			assertNoInlineCode(t, nodes)
			links := byTag(nodes, "link")
			if len(links) != 1 || attr(links[0], "rel") != "stylesheet" ||
				attr(links[0], "href") != f.Prefix+"/"+StyleName+"?v="+style.version {
				t.Errorf("want one stylesheet link to %s/%s", f.Prefix, StyleName)
			}
			scripts := byTag(nodes, "script")
			if len(scripts) != 1 || attr(scripts[0], "src") != f.Prefix+"/"+ScriptName+"?v="+script.version {
				t.Fatalf("want one script from %s/%s", f.Prefix, ScriptName)
			}
			if _, deferred := lookupAttr(scripts[0], "defer"); !deferred {
				t.Errorf("script is not deferred")
			}
		})
	}
}

// assertNoInlineCode fails on anything a CSP without 'unsafe-inline' would
// block: a script without src or with a body, a style element or attribute, an
// on* event handler attribute, a javascript: URL in any attribute.
func assertNoInlineCode(t *testing.T, nodes []*html.Node) {
	t.Helper()
	walk(nodes, func(n *html.Node) {
		switch n.Data {
		case "script":
			if attr(n, "src") == "" || strings.TrimSpace(text(n)) != "" {
				t.Errorf("inline script: %q", text(n))
			}
		case "style":
			t.Errorf("inline <style> element")
		}
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has attribute %s=%q", n.Data, a.Key, a.Val)
			}
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("<%s %s> holds a javascript: URL", n.Data, a.Key)
			}
		}
	})
}

func TestRenderWhatIsShown(t *testing.T) {
	expired := sampleFragment(PlacementThankYou)
	expired.Offers[0].ExpiresAt = renderTime
	expired.Offers[1].ExpiresAt = renderTime.Add(-time.Second)

	halfExpired := sampleFragment(PlacementThankYou)
	halfExpired.Offers[0].ExpiresAt = renderTime.Add(-time.Minute)

	noticeOnly := Fragment{Prefix: "/_upsell", Placement: PlacementThankYou, Now: renderTime,
		Notice: &Notice{OK: false, Message: "Sorry, this item just sold out."}}

	tests := []struct {
		name        string
		f           Fragment
		wantEmpty   bool
		wantOffers  []string
		wantNotice  string
		noticeClass string
	}{
		{name: "nothing to show", f: Fragment{Prefix: "/_upsell", Placement: PlacementCart, Now: renderTime}, wantEmpty: true},
		{name: "every offer expired", f: expired, wantEmpty: true},
		{name: "expired offer left out", f: halfExpired, wantOffers: []string{"beans"}},
		{name: "notice alone", f: noticeOnly, wantNotice: noticeOnly.Notice.Message, noticeClass: "kairo-notice--error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prior := []byte("<p>store page</p>")
			out := Render(bytes.Clone(prior), tt.f)
			if !bytes.HasPrefix(out, prior) {
				t.Fatalf("Render did not append to dst: %q", out)
			}
			added := out[len(prior):]
			if tt.wantEmpty {
				if len(added) != 0 {
					t.Errorf("rendered %q, want nothing", added)
				}
				return
			}
			nodes := parseFragment(t, added)
			var ids []string
			for _, o := range byClass(nodes, "kairo-offer") {
				ids = append(ids, attr(o, "data-kairo-offer"))
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantOffers, ",") {
				t.Errorf("offers %v, want %v", ids, tt.wantOffers)
			}
			notices := byClass(nodes, "kairo-notice")
			if tt.wantNotice == "" {
				if len(notices) != 0 {
					t.Errorf("unexpected notice")
				}
				return
			}
			if len(notices) != 1 || text(notices[0]) != tt.wantNotice || !strings.Contains(attr(notices[0], "class"), tt.noticeClass) {
				t.Errorf("want one notice %q with class %s", tt.wantNotice, tt.noticeClass)
			}
			if len(byClass(nodes, "kairo-note")) != 0 {
				t.Errorf("thank-you note shown without an offer")
			}
		})
	}
}

// TestRenderOfferWords: the inline box shows an offer's shipping and its
// own words where it has them, the box's words elsewhere.
func TestRenderOfferWords(t *testing.T) {
	f := sampleFragment(PlacementThankYou)
	f.Offers[0].Shipping, f.Offers[0].Due = "$4.99", "$19.98"
	f.Offers[0].Text = map[string]string{"pay": "Yes, add it · {amount}", "decline": "Not for me", "ends_in": "Ends in", "shipping": "Delivery"}
	nodes := parseFragment(t, Render(nil, f))
	offers := byClass(nodes, "kairo-offer")
	if len(offers) != 2 {
		t.Fatalf("%d offers", len(offers))
	}
	first, second := []*html.Node{offers[0]}, []*html.Node{offers[1]}
	for _, c := range []struct {
		nodes       []*html.Node
		class, want string
	}{
		{first, "kairo-accept", "Yes, add it · $19.98"},
		{first, "kairo-decline", "Not for me"},
		{first, "kairo-shipping", "Delivery: $4.99"},
		{first, "kairo-countdown", "Ends in 15:00"},
		{second, "kairo-accept", "Add to my order"},
		{second, "kairo-decline", "No thanks"},
		{second, "kairo-countdown", "Offer ends in 14:59"},
	} {
		got := byClass(c.nodes, c.class)
		if len(got) != 1 || text(got[0]) != c.want {
			t.Errorf(".%s: want %q", c.class, c.want)
		}
	}
	if len(byClass(second, "kairo-shipping")) != 0 {
		t.Error("a shipping line for an offer without shipping")
	}
}

func TestRenderCountdownAttributes(t *testing.T) {
	f := sampleFragment(PlacementThankYou)
	f.Offers = f.Offers[:1]
	f.Offers[0].ExpiresAt = renderTime.Add(14*time.Minute + 59*time.Second + 400*time.Millisecond)
	offer := byClass(parseFragment(t, Render(nil, f)), "kairo-offer")[0]
	for key, want := range map[string]string{
		"data-kairo-expires":      strconv.FormatInt(f.Offers[0].ExpiresAt.Unix(), 10),
		"data-kairo-remaining-ms": "899400",
	} {
		if got := attr(offer, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	countdown := byClass([]*html.Node{offer}, "kairo-countdown")[0]
	if got := text(countdown); got != "Offer ends in 15:00" {
		t.Errorf("countdown reads %q, want %q", got, "Offer ends in 15:00")
	}
	if attr(countdown, "role") != "timer" {
		t.Errorf("countdown has no timer role")
	}
}

func TestRenderIDsDifferBetweenWidgets(t *testing.T) {
	a, b := sampleFragment(PlacementCart), sampleFragment(PlacementCart)
	b.Offers[0].Token = "tok.thermos.OTHER"
	idA := attr(byClass(parseFragment(t, Render(nil, a)), "kairo-title")[0], "id")
	idB := attr(byClass(parseFragment(t, Render(nil, b)), "kairo-title")[0], "id")
	idA2 := attr(byClass(parseFragment(t, Render(nil, a)), "kairo-title")[0], "id")
	if idA == idB || idA != idA2 {
		t.Errorf("title ids %q, %q, %q: want different per token set, stable per input", idA, idB, idA2)
	}
}

func TestFormatClock(t *testing.T) {
	tests := []struct {
		left time.Duration
		want string
	}{
		{15 * time.Minute, "15:00"},
		{14*time.Minute + 59*time.Second, "14:59"},
		{14*time.Minute + 58*time.Second + time.Millisecond, "14:59"},
		{9 * time.Second, "0:09"},
		{time.Millisecond, "0:01"},
		{time.Hour, "1:00:00"},
		{2*time.Hour + 5*time.Minute + 7*time.Second, "2:05:07"},
		{59*time.Minute + 59*time.Second + 500*time.Millisecond, "1:00:00"},
	}
	for _, tt := range tests {
		if got := formatClock(tt.left); got != tt.want {
			t.Errorf("formatClock(%v) = %q, want %q", tt.left, got, tt.want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	for _, placement := range []string{PlacementCart, PlacementThankYou} {
		b.Run(placement, func(b *testing.B) {
			f := sampleFragment(placement)
			buf := Render(nil, f)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = Render(buf[:0], f)
			}
		})
	}
}
