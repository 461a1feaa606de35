package widget

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// valuesOf returns f's per-page-view values.
func valuesOf(f Fragment) Values {
	v := Values{ReturnTo: f.ReturnTo, Now: f.Now}
	for _, o := range f.Offers {
		v.Tokens = append(v.Tokens, o.Token)
		v.ExpiresAt = append(v.ExpiresAt, o.ExpiresAt)
	}
	return v
}

// withOtherPerViewValues returns a copy of f whose per-page-view values are
// all different, which NewLayout must ignore.
func withOtherPerViewValues(f Fragment) Fragment {
	f.ReturnTo = "/some/other/page?x=1&y=<2>"
	f.Now = time.Time{}
	f.Offers = append([]Offer(nil), f.Offers...)
	for i := range f.Offers {
		f.Offers[i].Token = fmt.Sprintf("other-token-%d\"'", i)
		f.Offers[i].ExpiresAt = time.Unix(int64(i+1), 0)
	}
	return f
}

// layoutCases are fragments whose layout must append what Render renders.
func layoutCases() []struct {
	name string
	f    Fragment
} {
	cartWithNotice := sampleFragment(PlacementCart)
	cartWithNotice.Mount = "#cart-summary > .side"
	cartWithNotice.Notice = &Notice{OK: true, Message: "Added to your cart."}

	thankYouWithNotice := sampleFragment(PlacementThankYou)
	thankYouWithNotice.Notice = &Notice{Message: "Sorry, this item just sold out."}

	noticeOnly := Fragment{Prefix: "/_upsell", Placement: PlacementThankYou, ReturnTo: "/checkout/success/1?a=1&b=2",
		Now: renderTime, Notice: &Notice{Message: "Sorry, this item just sold out."}}
	cartNoticeOnly := noticeOnly
	cartNoticeOnly.Placement = PlacementCart

	expiredWithNotice := sampleFragment(PlacementThankYou)
	expiredWithNotice.Notice = &Notice{OK: true, Message: "Added to your order."}
	for i := range expiredWithNotice.Offers {
		expiredWithNotice.Offers[i].ExpiresAt = renderTime
	}

	halfExpired := sampleFragment(PlacementThankYou)
	halfExpired.Offers[0].ExpiresAt = renderTime.Add(-time.Minute)

	mixed := sampleFragment(PlacementCart)
	mixed.Offers[1].ExpiresAt = renderTime.Add(2*time.Hour + 3*time.Second)

	hostile := sampleFragment(PlacementThankYou)
	hostile.ReturnTo = `/cart?a=1&b="x"<y>`
	hostile.Mount = `#x"><script>alert(6)</script>`
	hostile.Notice = &Notice{Message: `<b onmouseover=alert(7)>no</b>`}
	hostile.Offers[0].Title = `Mug</h3><script>alert(1)</script>"'&+`
	hostile.Offers[0].OfferID = `x" onclick="alert(4)`
	hostile.Offers[0].Token = `tok"<&'+>` + "\x00"
	hostile.Offers[1].Image = "javascript:alert(document.cookie)"
	hostile.Offers[1].OriginalPrice = "<s>$99</s>"

	markerLike := sampleFragment(PlacementThankYou)
	markerLike.Offers[0].Title = "kairoslot0zb kairoslot0zc"
	markerLike.Offers[0].OfferID = "kairoslot1zd"
	markerLike.Offers[1].Price = "kairoslot0z"
	markerLike.ReturnTo = "/kairoslot0za?kairoslot2ze"
	markerLike.Offers[1].Token = "kairoslot0zb"

	many := sampleFragment(PlacementThankYou)
	many.Offers = nil
	for i := range 12 {
		o := sampleFragment(PlacementThankYou).Offers[i%2]
		o.OfferID = fmt.Sprintf("offer-%d", i)
		o.Token = fmt.Sprintf("tok-%d", i)
		o.ExpiresAt = renderTime.Add(time.Duration(i) * 7 * time.Minute)
		many.Offers = append(many.Offers, o)
	}

	before1970 := sampleFragment(PlacementThankYou)
	before1970.Now = time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)
	before1970.Offers[0].ExpiresAt = before1970.Now.Add(30 * time.Minute)
	before1970.Offers[1].ExpiresAt = before1970.Now.Add(90 * time.Minute)

	trailingSlash := sampleFragment(PlacementCart)
	trailingSlash.Prefix = "/shop/_upsell//"

	unknown := sampleFragment("basket")

	fbt := sampleFragment(PlacementProduct)
	fbt.Product = &PageProduct{Title: "House blend <250 g>", Image: "/images/beans.svg", Price: "$14.99"}
	fbt.Totals = []Total{{Price: "$0.00"}, {Price: "$14.99", Saving: "$5.00", Together: "$29.98"}, {Price: "$18.00", Together: "$32.99"}, {Price: "$32.99", Saving: "$5.00", Together: "$47.98"}}
	fbt.Text = map[string]string{"heading": "Goes with \"it\"", "button": "Add both"}
	fbt.AfterAdd = AfterAddReload
	bump := sampleFragment(PlacementCheckout)
	bump.Offers = bump.Offers[:1]
	bump.Offers[0].Saving = "$5.00"
	bump.Mount = "#checkout-pay"
	bump.Notice = &Notice{OK: true, Message: "Added to your cart."}
	popup := sampleFragment(PlacementPopup)
	popup.Text = map[string]string{"cart_url": "/basket?x=1&y=2"}
	worded := sampleFragment(PlacementThankYou)
	worded.Offers[0].Shipping, worded.Offers[0].Due = "4,99\u00a0€", "19,98\u00a0€"
	worded.Offers[0].Text = map[string]string{"pay": "Ja, <bitte> · {amount}", "decline": "Nein", "ends_in": "Endet in", "shipping": "Versand"}

	return []struct {
		name string
		f    Fragment
	}{
		{"cart", sampleFragment(PlacementCart)},
		{"thank you", sampleFragment(PlacementThankYou)},
		{"thank you with shipping and the offer's own words", worded},
		{"unknown placement", unknown},
		{"product page bundle", fbt},
		{"checkout bump", bump},
		{"add-to-cart pop-up", popup},
		{"cart with mount and notice", cartWithNotice},
		{"thank you with notice", thankYouWithNotice},
		{"notice only", noticeOnly},
		{"notice only on the cart", cartNoticeOnly},
		{"nothing to show", Fragment{Prefix: "/_upsell", Placement: PlacementCart, Now: renderTime}},
		{"every offer expired, notice left", expiredWithNotice},
		{"first offer expired", halfExpired},
		{"timed and untimed offers", mixed},
		{"hostile strings", hostile},
		{"strings that look like markers", markerLike},
		{"twelve offers expiring one by one", many},
		{"expiry before 1970", before1970},
		{"prefix with trailing slashes", trailingSlash},
	}
}

func TestLayoutAppendMatchesRender(t *testing.T) {
	// Later page views of the same layout: offers run out one by one.
	laterBy := []time.Duration{0, time.Millisecond, 14*time.Minute + 59*time.Second + 500*time.Millisecond,
		15 * time.Minute, 50 * time.Minute, 3 * time.Hour}
	prior := []byte("<p>store page</p>")
	for _, tt := range layoutCases() {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLayout(withOtherPerViewValues(tt.f))
			for _, later := range laterBy {
				f := tt.f
				f.Now = f.Now.Add(later)
				want := Render(bytes.Clone(prior), f)
				got := l.Append(bytes.Clone(prior), valuesOf(f))
				if !bytes.Equal(got, want) {
					t.Errorf("%v later: Append differs from Render\n%s", later, firstDifference(got, want))
				}
			}
		})
	}
}

func TestLayoutAppendEscapesLikeRender(t *testing.T) {
	returnTos := []string{
		"",
		"/cart",
		`/cart?a=1&b="x"<y>`,
		`/cart"><script>alert(5)</script>`,
		"/search?q=a+b&c='d'&amp;",
		"/nul\x00/\x00",
		"/invalid-utf8-\xff\xfe-\xc3",
		"/not-characters-\ufdd0-\ufffe-\U0010ffff",
		"/naïve/日本語?x=✓",
	}
	tokens := []string{"", "AbC-_09", `"'&+<>`, "\x00\xff", strings.Repeat("A", 300)}
	for _, placement := range []string{PlacementCart, PlacementThankYou} {
		l := NewLayout(sampleFragment(placement))
		for _, returnTo := range returnTos {
			for _, token := range tokens {
				f := sampleFragment(placement)
				f.ReturnTo = returnTo
				f.Offers[1].Token = token
				want := Render(nil, f)
				if got := l.Append(nil, valuesOf(f)); !bytes.Equal(got, want) {
					t.Errorf("%s, return_to %q, token %q: Append differs from Render\n%s",
						placement, returnTo, token, firstDifference(got, want))
				}
			}
		}
	}
}

func TestLayoutValuesShorterThanOffers(t *testing.T) {
	f := sampleFragment(PlacementThankYou)
	l := NewLayout(f)
	v := valuesOf(f)
	v.Tokens, v.ExpiresAt = v.Tokens[:1], v.ExpiresAt[:1]
	// The second offer counts as one without token and without expiry.
	f.Offers[1].Token, f.Offers[1].ExpiresAt = "", time.Time{}
	if got, want := l.Append(nil, v), Render(nil, f); !bytes.Equal(got, want) {
		t.Errorf("Append with one value short differs from Render\n%s", firstDifference(got, want))
	}
}

func TestLayoutAppendDoesNotAllocate(t *testing.T) {
	hostile := sampleFragment(PlacementThankYou)
	hostile.ReturnTo = `/cart?a=1&b="x"<y>`
	hostile.Notice = &Notice{Message: "Added to your order."}
	for _, f := range []Fragment{sampleFragment(PlacementCart), sampleFragment(PlacementThankYou), hostile} {
		t.Run(f.Placement, func(t *testing.T) {
			l, v := NewLayout(f), valuesOf(f)
			buf := l.Append(nil, v)
			if allocs := testing.AllocsPerRun(100, func() { buf = l.Append(buf[:0], v) }); allocs != 0 {
				t.Errorf("Append into a large enough buffer allocates %v times per call, want 0", allocs)
			}
		})
	}
}

func TestLayoutConcurrentUse(t *testing.T) {
	f := sampleFragment(PlacementThankYou)
	l := NewLayout(f)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			var buf []byte
			for i := range 50 {
				f := f
				f.ReturnTo = fmt.Sprintf("/checkout/success/%d?n=%d&x=\"y\"", g, i)
				f.Now = renderTime.Add(time.Duration(i) * 20 * time.Second)
				buf = l.Append(buf[:0], valuesOf(f))
				if !bytes.Equal(buf, Render(nil, f)) {
					errs <- fmt.Sprintf("goroutine %d view %d differs from Render", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func FuzzLayoutAppend(f *testing.F) {
	f.Add(`/cart?a=1&b="x"<y>`, "tok.AAA", "Steel thermos", "Sold out.", int64(0), true)
	f.Add("/\x00\xff\ufdd0", `"'&+<>`, "kairoslot0zb", "", int64(899_500), false)
	f.Add("", "", "", "<b>", int64(901_000), true)
	f.Fuzz(func(t *testing.T, returnTo, token, title, notice string, laterMS int64, thankYou bool) {
		placement := PlacementCart
		if thankYou {
			placement = PlacementThankYou
		}
		fr := sampleFragment(placement)
		fr.Offers[0].Title = title
		if notice != "" {
			fr.Notice = &Notice{Message: notice}
		}
		l := NewLayout(fr)
		fr.ReturnTo = returnTo
		fr.Offers[1].Token = token
		fr.Now = fr.Now.Add(time.Duration(laterMS) * time.Millisecond)
		if got, want := l.Append(nil, valuesOf(fr)), Render(nil, fr); !bytes.Equal(got, want) {
			t.Errorf("Append differs from Render\n%s", firstDifference(got, want))
		}
	})
}

// firstDifference shows where two renderings part.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-80, 0)
	return fmt.Sprintf("at byte %d (lengths %d and %d)\n got: %q\nwant: %q",
		i, len(got), len(want), got[from:min(i+80, len(got))], want[from:min(i+80, len(want))])
}

func BenchmarkLayoutAppend(b *testing.B) {
	for _, placement := range []string{PlacementCart, PlacementThankYou} {
		b.Run(placement, func(b *testing.B) {
			f := sampleFragment(placement)
			l, v := NewLayout(f), valuesOf(f)
			buf := l.Append(nil, v)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = l.Append(buf[:0], v)
			}
		})
	}
}

func BenchmarkNewLayout(b *testing.B) {
	f := sampleFragment(PlacementThankYou)
	b.ReportAllocs()
	for b.Loop() {
		NewLayout(f)
	}
}

func TestLayoutSizeHintHoldsAppend(t *testing.T) {
	for _, tt := range layoutCases() {
		t.Run(tt.name, func(t *testing.T) {
			l, v := NewLayout(tt.f), valuesOf(tt.f)
			got, hint := len(l.Append(nil, v)), l.SizeHint(v)
			if hint < got || hint > got+got/4+64 {
				t.Errorf("SizeHint %d for an Append of %d bytes, want at least that and at most a quarter over", hint, got)
			}
		})
	}
}
