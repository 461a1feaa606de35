package widget

import (
	_ "embed"
	"hash/fnv"
	"html/template"
	"strconv"
	"strings"
	"time"
)

//go:embed fragment.gohtml
var fragmentSource string

// fragmentTemplate is parsed once; Execute is safe for concurrent use.
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
}

// offerView is one Offer with its element id and countdown worked out. Its
// fields are copied rather than embedded: the template looks fields up by
// name on every execution, and promoted fields cost much more to find.
type offerView struct {
	Token, OfferID, Title, Image string
	Price, OriginalPrice         string
	Quantity                     int
	Each                         bool
	TitleID                      string
	Timed                        bool
	ExpiresUnix                  int64
	RemainingMS                  int64
	Countdown                    string
}

// Render appends the widget's HTML fragment for f to dst and returns the
// extended slice. With no offer left to show and no notice it appends nothing.
func Render(dst []byte, f Fragment) []byte {
	v := fragmentView{
		Prefix:        strings.TrimRight(f.Prefix, "/"),
		ReturnTo:      f.ReturnTo,
		Mount:         f.Mount,
		Notice:        f.Notice,
		StyleVersion:  style.version,
		ScriptVersion: script.version,
	}
	if f.Placement == PlacementCart {
		v.Placement, v.PlacementClass, v.AcceptLabel = PlacementCart, "kairo-widget--cart", "Add to cart"
	} else {
		v.Placement, v.PlacementClass, v.AcceptLabel = PlacementThankYou, "kairo-widget--thank-you", "Add to my order"
		v.ThankYou = true
	}
	v.Offers = make([]offerView, 0, len(f.Offers))
	for _, o := range f.Offers {
		ov := offerView{
			Token: o.Token, OfferID: o.OfferID, Title: o.Title, Image: o.Image,
			Price: o.Price, OriginalPrice: o.OriginalPrice,
			Quantity: o.Quantity, Each: o.Quantity > 1,
		}
		if !imageURLAllowed(o.Image) {
			// html/template would print "#ZgotmplZ", which the browser fetches
			// as an image from the page's own URL: show no image instead.
			ov.Image = ""
		}
		if !o.ExpiresAt.IsZero() {
			left := o.ExpiresAt.Sub(f.Now)
			if left <= 0 {
				continue
			}
			ov.Timed = true
			ov.ExpiresUnix = o.ExpiresAt.Unix()
			ov.RemainingMS = left.Milliseconds()
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
	v.ID = elementID(&v)
	for i := range v.Offers {
		v.Offers[i].TitleID = v.ID + "-t" + strconv.Itoa(i)
	}
	w := appendWriter{buf: dst}
	if err := fragmentTemplate.Execute(&w, &v); err != nil {
		// The template is fixed and the view holds only strings, numbers and
		// booleans, so this cannot happen short of a bug; show nothing rather
		// than half a widget.
		return dst
	}
	return w.buf
}

// appendWriter is an io.Writer that appends to a byte slice.
type appendWriter struct{ buf []byte }

// Write appends p.
func (w *appendWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// elementID derives the id prefix for the widget's aria references from its
// tokens and notice, so two widgets on one page do not share ids and the same
// input always renders the same bytes.
func elementID(v *fragmentView) string {
	h := fnv.New64a()
	for i := range v.Offers {
		h.Write([]byte(v.Offers[i].Token))
		h.Write([]byte{0})
	}
	if v.Notice != nil {
		h.Write([]byte(v.Notice.Message))
	}
	var b [6 + 16]byte
	return string(strconv.AppendUint(append(b[:0], "kairo-"...), h.Sum64(), 36))
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

// formatClock writes the time left as m:ss (h:mm:ss from an hour up), rounded
// up to the whole second, the same way widget.js does.
func formatClock(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	h, m, s := secs/3600, secs/60%60, secs%60
	b := make([]byte, 0, 12)
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, ':', byte('0'+m/10), byte('0'+m%10))
	} else {
		b = strconv.AppendInt(b, m, 10)
	}
	b = append(b, ':', byte('0'+s/10), byte('0'+s%10))
	return string(b)
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
