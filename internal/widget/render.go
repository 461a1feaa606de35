package widget

import (
	_ "embed"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed fragment.gohtml
var fragmentSource string

// fragmentTemplate is parsed once; Execute is safe for concurrent use. Besides
// the whole fragment it holds its parts "head", "offer" and "foot", which
// NewLayout renders one by one.
var fragmentTemplate = template.Must(template.New("fragment").Parse(stripIndentation(fragmentSource)))

// fragmentView is what the template sees: the Fragment plus the values
// derived from it, so the template stays free of logic.
type fragmentView struct {
	Prefix, Placement, PlacementClass, ReturnTo, Mount string
	AcceptLabel                                        string
	ThankYou                                           bool
	ID                                                 string
	StyleVersion, ScriptVersion                        string
	Notice                                             *Notice
	Offers                                             []offerView
	// The pre-purchase placements' parts (see prepurchase.go).
	PreStyleVersion, PreScriptVersion string
	AfterAdd                          string
	T                                 map[string]string
	Product                           *PageProduct
	AllTotal                          Total
	TotalsJSON                        string
}

// offerView is one Offer with its element id and countdown worked out, and
// the widget it belongs to (for the prefix, return_to and button label). Its
// fields are copied rather than embedded: the template looks fields up by name
// on every execution, and promoted fields cost much more to find. The
// countdown numbers are strings so that NewLayout can put markers there.
type offerView struct {
	Widget                       *fragmentView
	Token, OfferID, Title, Image string
	Price, OriginalPrice, Saving string
	Shipping                     string
	// The offer's words: its own (Offer.Text) or the box's.
	AcceptLabel, DeclineLabel, EndsIn, ShippingLabel string
	// The box's words around the price and quantity.
	OfferPriceLabel, RegularLabel, EachLabel, QuantityLabel string
	Quantity                                                int
	Each                                                    bool
	TitleID                                                 string
	Timed                                                   bool
	ExpiresUnix                                             string
	RemainingMS                                             string
	Countdown                                               string
}

// Render appends the widget's HTML fragment for f to dst and returns the
// extended slice. With no offer left to show and no notice it appends nothing.
//
// Render runs the template on every call; a page view on the hot path should
// use a cached Layout instead, which writes the same bytes.
func Render(dst []byte, f Fragment) []byte {
	v := newFragmentView(f)
	v.ReturnTo = f.ReturnTo
	v.Offers = make([]offerView, 0, len(f.Offers))
	for _, o := range f.Offers {
		left, timed, shown := timeLeft(o.ExpiresAt, f.Now)
		if !shown {
			continue
		}
		ov := newOfferView(v, o)
		ov.Token = o.Token
		if timed {
			ov.Timed = true
			ov.ExpiresUnix = strconv.FormatInt(o.ExpiresAt.Unix(), 10)
			ov.RemainingMS = strconv.FormatInt(left.Milliseconds(), 10)
			ov.Countdown = formatClock(left)
		}
		v.Offers = append(v.Offers, ov)
	}
	if len(v.Offers) == 0 && f.Notice == nil {
		return dst
	}
	if len(v.Offers) == 0 {
		// A notice alone: its message would only repeat the thank-you note's promise.
		v.ThankYou = false
	}
	h := newIDHash()
	for i := range v.Offers {
		h = h.add(v.Offers[i].Token)
	}
	v.ID = string(appendElementID(nil, h.end(f.Notice)))
	for i := range v.Offers {
		v.Offers[i].TitleID = v.ID + "-t" + strconv.Itoa(i)
	}
	w := appendWriter{buf: dst}
	if err := templateFor(v.Placement).Execute(&w, v); err != nil {
		// The template is fixed and the view holds only strings, numbers and
		// booleans, so this cannot happen short of a bug; show nothing rather
		// than half a widget.
		return dst
	}
	return w.buf
}

// newFragmentView fills in the parts of the view that do not change from one
// page view to the next: everything but ReturnTo, ID and Offers.
func newFragmentView(f Fragment) *fragmentView {
	v := &fragmentView{
		Prefix:        strings.TrimRight(f.Prefix, "/"),
		Mount:         f.Mount,
		Notice:        f.Notice,
		AfterAdd:      f.AfterAdd,
		StyleVersion:  style.version,
		ScriptVersion: script.version,
	}
	switch f.Placement {
	case PlacementCart:
		v.Placement, v.PlacementClass = PlacementCart, "kairo-widget--cart"
		v.T = inlineTextFor(PlacementCart, f.Text)
		v.AcceptLabel = v.T["button"]
	case PlacementProduct, PlacementCheckout, PlacementPopup:
		v.Placement, v.PlacementClass = f.Placement, "kairo-widget--"+f.Placement
		v.T = textFor(f.Placement, f.Text)
		v.AcceptLabel = v.T["button"]
		v.AfterAdd, v.Product = f.AfterAdd, f.Product
		v.PreStyleVersion, v.PreScriptVersion = prePurchaseStyle.version, prePurchaseScript.version
		if n := len(f.Totals); n > 0 {
			v.AllTotal, v.TotalsJSON = f.Totals[n-1], totalsJSON(f.Totals)
		}
	default:
		v.Placement, v.PlacementClass = PlacementThankYou, "kairo-widget--thank-you"
		v.T = inlineTextFor(PlacementThankYou, f.Text)
		v.AcceptLabel = v.T["button"]
		v.ThankYou = true
	}
	return v
}

// newOfferView fills in the parts of an offer's view that do not change from
// one page view to the next: everything but Token, TitleID and the countdown.
func newOfferView(w *fragmentView, o Offer) offerView {
	ov := offerView{
		Widget: w, OfferID: o.OfferID, Title: o.Title, Image: o.Image,
		Price: o.Price, OriginalPrice: o.OriginalPrice, Saving: o.Saving,
		Shipping: o.Shipping, Quantity: o.Quantity, Each: o.Quantity > 1,
		AcceptLabel:     w.AcceptLabel,
		DeclineLabel:    textOr(w.T, "decline", inlineText["decline"]),
		EndsIn:          textOr(w.T, "ends_in", inlineText["ends_in"]),
		ShippingLabel:   textOr(w.T, "shipping", inlineText["shipping"]),
		OfferPriceLabel: textOr(w.T, "offer_price", inlineText["offer_price"]),
		RegularLabel:    textOr(w.T, "regular", inlineText["regular"]),
		EachLabel:       textOr(w.T, "each", inlineText["each"]),
		QuantityLabel:   textOr(w.T, "quantity", inlineText["quantity"]),
	}
	if s, ok := o.Text["pay"]; ok {
		ov.AcceptLabel = strings.ReplaceAll(s, "{amount}", o.Due)
	}
	ov.DeclineLabel = textOr(o.Text, "decline", ov.DeclineLabel)
	ov.EndsIn = textOr(o.Text, "ends_in", ov.EndsIn)
	ov.ShippingLabel = textOr(o.Text, "shipping", ov.ShippingLabel)
	if !imageURLAllowed(o.Image) {
		// html/template would print "#ZgotmplZ", which the browser fetches
		// as an image from the page's own URL: show no image instead.
		ov.Image = ""
	}
	return ov
}

// inlineText are the words of the inline box, the cart's and the thank-you
// page's (fragment.gohtml), by key; an operator overrides any of them per
// placement (Fragment.Text), and an offer's own words (Offer.Text) come
// before those for its button, decline, countdown and shipping.
var inlineText = map[string]string{
	"heading": "Special offer",
	// Shown on the thank-you page only.
	"note":        "One click adds it to the order you just placed, paid with the same payment method. No need to check out again.",
	"button":      "",
	"decline":     "No thanks",
	"offer_price": "Offer price:",
	"regular":     "regular price:",
	"each":        "each",
	"quantity":    "Quantity:",
	"ends_in":     "Offer ends in",
	"shipping":    "Shipping",
}

// inlinePlacementText are the inline box's defaults that differ by
// placement.
var inlinePlacementText = map[string]map[string]string{
	PlacementCart:     {"button": "Add to cart"},
	PlacementThankYou: {"button": "Add to my order"},
}

// InlineTextKeys are the keys of the words the inline box of placement
// (PlacementCart or PlacementThankYou) shows, which Fragment.Text may
// override, sorted.
func InlineTextKeys(placement string) []string {
	keys := make([]string, 0, len(inlineText))
	for k := range inlineText {
		if k != "note" || placement == PlacementThankYou {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// inlineTextFor is the inline box's words on placement with the overrides
// applied.
func inlineTextFor(placement string, overrides map[string]string) map[string]string {
	return wordsFor(inlineText, inlinePlacementText[placement], overrides)
}

// textOr is the text of key, or def when texts has none.
func textOr(texts map[string]string, key, def string) string {
	if s, ok := texts[key]; ok {
		return s
	}
	return def
}

// timeLeft decides whether an offer expiring at expiresAt is shown at now:
// an offer without expiry always is (timed false), a timed one only while
// left, the time it has left, is positive.
func timeLeft(expiresAt, now time.Time) (left time.Duration, timed, shown bool) {
	if expiresAt.IsZero() {
		return 0, false, true
	}
	left = expiresAt.Sub(now)
	return left, true, left > 0
}

// appendWriter is an io.Writer that appends to a byte slice.
type appendWriter struct{ buf []byte }

// Write appends p.
func (w *appendWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// idHash is a running 64-bit FNV-1a hash over the tokens of the offers shown
// and the notice: the widget's element id prefix comes from it, so two
// widgets on one page do not share ids and the same input always renders the
// same bytes. It works on a plain integer so that Layout.Append can compute it
// without allocating.
type idHash uint64

// newIDHash starts a hash.
func newIDHash() idHash { return 14695981039346656037 }

// add hashes one offer's token and a separator.
func (h idHash) add(token string) idHash {
	for i := 0; i < len(token); i++ {
		h = (h ^ idHash(token[i])) * 1099511628211
	}
	return h * 1099511628211 // the separator, a zero byte
}

// end hashes the notice's message, if any, after the tokens.
func (h idHash) end(n *Notice) idHash {
	if n == nil {
		return h
	}
	for i := 0; i < len(n.Message); i++ {
		h = (h ^ idHash(n.Message[i])) * 1099511628211
	}
	return h
}

// appendElementID appends the id prefix for hash h, "kairo-" and the hash in
// base 36.
func appendElementID(dst []byte, h idHash) []byte {
	return strconv.AppendUint(append(dst, "kairo-"...), uint64(h), 36)
}

// imageURLAllowed reports whether an image URL is relative or http(s). The
// check mirrors html/template's own URL filter, which stays in place behind it.
func imageURLAllowed(u string) bool {
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true
	}
	scheme := u[:i]
	return strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "http")
}

// formatClock returns the time left as appendClock writes it.
func formatClock(d time.Duration) string {
	return string(appendClock(make([]byte, 0, 12), d))
}

// appendClock appends the time left as m:ss (h:mm:ss from an hour up),
// rounded up to the whole second, the same way widget.js does.
func appendClock(b []byte, d time.Duration) []byte {
	secs := int64((d + time.Second - 1) / time.Second)
	h, m, s := secs/3600, secs/60%60, secs%60
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, ':', byte('0'+m/10), byte('0'+m%10))
	} else {
		b = strconv.AppendInt(b, m, 10)
	}
	return append(b, ':', byte('0'+s/10), byte('0'+s%10))
}

// stripIndentation removes the leading blanks of every line of the template
// source, which keeps the template readable and the output small.
func stripIndentation(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " \t")
	}
	return strings.Join(lines, "\n")
}
