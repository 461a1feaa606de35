package widget

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// Layout is a fragment rendered once, with its per-page-view values left open.
// Appending a page view costs a copy of the fragment's bytes and a few
// escaped values instead of a run of the template, which is what the module's
// hot path needs. A Layout holds everything in the Fragment it was made from
// except the per-page-view values, so a cache of Layouts must be keyed by all
// of it: prefix, placement, mount, notice and the offers' catalog fields.
//
// A Layout never changes after NewLayout; it is safe for concurrent use.
type Layout struct {
	// head opens the widget when at least one offer is shown; noticeOnlyHead
	// when only the notice is (it leaves out the thank-you note).
	head, noticeOnlyHead layoutPart
	// offers are the parts of the offers, in Fragment.Offers order.
	offers []offerParts
	// foot closes the widget.
	foot layoutPart
	// notice is Fragment.Notice: it makes the widget show even without an
	// offer, and its message goes into the element id.
	notice *Notice
}

// offerParts are the two ways one offer can be shown: without expiry, and
// with the expiry attributes and countdown.
type offerParts struct{ untimed, timed layoutPart }

// layoutPart is a run of constant text and open values.
type layoutPart []segment

// segment is constant text followed by one open value (or none).
type segment struct {
	text string
	slot slotKind
}

// slotKind names a per-page-view value and the way it is written.
type slotKind byte

// The open values of a layout. Each is written exactly as the template would
// write it in its place.
const (
	// slotNone: nothing follows the segment's text.
	slotNone slotKind = iota
	// slotID: the element id prefix, "kairo-" and the id hash in base 36.
	slotID
	// slotTitleID: the offer title's id, the prefix, "-t" and the offer's
	// position among the offers shown.
	slotTitleID
	// slotToken: the offer's token, in a quoted attribute.
	slotToken
	// slotReturnTo: Values.ReturnTo, in a quoted attribute.
	slotReturnTo
	// slotExpiresUnix: the offer's expiry in unix seconds.
	slotExpiresUnix
	// slotRemainingMS: the time the offer has left, in milliseconds.
	slotRemainingMS
	// slotCountdown: the time the offer has left as the countdown shows it.
	slotCountdown
	// slotKinds counts the kinds; it is no kind itself.
	slotKinds
)

// Values are the per-page-view parts of a fragment.
type Values struct {
	// ReturnTo is the path and query of the page, as Fragment.ReturnTo.
	ReturnTo string
	// Now is the time of the page view, as Fragment.Now.
	Now time.Time
	// Tokens are the offers' signed tokens, one per offer in Fragment.Offers
	// order. They are base64url, but are escaped anyway. A missing one is "".
	Tokens []string
	// ExpiresAt are the offers' expiry times, one per offer in Fragment.Offers
	// order; zero for cart offers (and for a missing one). An offer whose
	// ExpiresAt is not after Now is left out, as Render does.
	ExpiresAt []time.Time
}

// token returns the token of offer i, or "".
func (v *Values) token(i int) string {
	if i < len(v.Tokens) {
		return v.Tokens[i]
	}
	return ""
}

// expiresAt returns the expiry of offer i, or the zero time.
func (v *Values) expiresAt(i int) time.Time {
	if i < len(v.ExpiresAt) {
		return v.ExpiresAt[i]
	}
	return time.Time{}
}

// NewLayout renders f through the template with slots for the values that
// change per page view: each offer's token, expiry, time left and countdown,
// the return_to path and the element ids (which hash the tokens). The Token,
// ExpiresAt, ReturnTo and Now values in f are ignored; Layout.Append takes
// them from its Values.
//
// It runs the template a few times per offer, so it costs several times what
// Render does: make a Layout once and keep it.
func NewLayout(f Fragment) *Layout {
	m := newMarkers(f)
	v := newFragmentView(f)
	v.ReturnTo, v.ID = m.of(slotReturnTo), m.of(slotID)
	l := &Layout{notice: f.Notice, offers: make([]offerParts, len(f.Offers))}
	tmpl := templateFor(v.Placement)
	l.head = m.split(renderPart(tmpl, "head", v))
	v.ThankYou = false
	l.noticeOnlyHead = m.split(renderPart(tmpl, "head", v))
	for i, o := range f.Offers {
		ov := newOfferView(v, o)
		ov.Token, ov.TitleID = m.of(slotToken), m.of(slotTitleID)
		l.offers[i].untimed = m.split(renderPart(tmpl, "offer", &ov))
		ov.Timed = true
		ov.ExpiresUnix, ov.RemainingMS, ov.Countdown = m.of(slotExpiresUnix), m.of(slotRemainingMS), m.of(slotCountdown)
		l.offers[i].timed = m.split(renderPart(tmpl, "offer", &ov))
	}
	l.foot = m.split(renderPart(tmpl, "foot", v))
	return l
}

// renderPart runs one named part of a widget template.
func renderPart(tmpl *template.Template, name string, data any) string {
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		// The template and its parts are fixed and the views hold only
		// strings, numbers and booleans: only a bug gets here.
		panic("widget: rendering the " + name + " part: " + err.Error())
	}
	return b.String()
}

// markers stand in for the open values while NewLayout runs the template.
// A marker is a prefix and one letter for the slot kind, all letters and
// digits, so no escaper changes it. The prefix starts with a 'k' and occurs
// nowhere in the template or in the fragment's own strings; an escaper writes
// a character it replaces as a sequence that starts with '&' or '%' and holds
// no 'k', so it cannot make one either: every occurrence in the output is a
// marker.
type markers struct{ prefix string }

// newMarkers picks a marker prefix that f and the template do not contain.
func newMarkers(f Fragment) markers {
	texts := append([]string{f.Prefix, f.Mount, f.AfterAdd}, templateSources...)
	if f.Notice != nil {
		texts = append(texts, f.Notice.Message)
	}
	for _, o := range f.Offers {
		texts = append(texts, o.OfferID, o.Title, o.Image, o.Price, o.OriginalPrice, o.Saving)
	}
	for _, t := range f.Text {
		texts = append(texts, t)
	}
	if p := f.Product; p != nil {
		texts = append(texts, p.Title, p.Image, p.Price)
	}
	for _, t := range f.Totals {
		texts = append(texts, t.Price, t.Saving, t.Together)
	}
	for n := uint64(0); ; n++ {
		prefix := "kairoslot" + strconv.FormatUint(n, 36) + "z"
		clash := false
		for _, s := range texts {
			if strings.Contains(s, prefix) {
				clash = true
				break
			}
		}
		if !clash {
			return markers{prefix: prefix}
		}
	}
}

// of returns the marker for kind k.
func (m markers) of(k slotKind) string {
	return m.prefix + string(rune('a'+k))
}

// split cuts a rendered part at its markers.
func (m markers) split(out string) layoutPart {
	var p layoutPart
	for {
		i := strings.Index(out, m.prefix)
		if i < 0 {
			return append(p, segment{text: out})
		}
		end := i + len(m.prefix)
		k := slotKind(out[end] - 'a')
		if k == slotNone || k >= slotKinds {
			panic("widget: unknown marker in a rendered part")
		}
		p = append(p, segment{text: out[:i], slot: k})
		out = out[end+1:]
	}
}

// Append writes the fragment for one page view to dst and returns the
// extended slice: byte for byte what Render writes for the Fragment the Layout
// was made from with v's values filled in. With no offer left to show and no
// notice it appends nothing. It allocates nothing beyond growing dst.
func (l *Layout) Append(dst []byte, v Values) []byte {
	h, shown := newIDHash(), 0
	for i := range l.offers {
		if _, _, ok := timeLeft(v.expiresAt(i), v.Now); ok {
			h = h.add(v.token(i))
			shown++
		}
	}
	if shown == 0 && l.notice == nil {
		return dst
	}
	var idBuf [32]byte
	pv := pageView{id: appendElementID(idBuf[:0], h.end(l.notice)), returnTo: v.ReturnTo}
	if shown == 0 {
		dst = pv.appendPart(dst, l.noticeOnlyHead)
	} else {
		dst = pv.appendPart(dst, l.head)
	}
	for i := range l.offers {
		left, timed, ok := timeLeft(v.expiresAt(i), v.Now)
		if !ok {
			continue
		}
		pv.token, pv.expiresAt, pv.left = v.token(i), v.expiresAt(i), left
		if timed {
			dst = pv.appendPart(dst, l.offers[i].timed)
		} else {
			dst = pv.appendPart(dst, l.offers[i].untimed)
		}
		pv.position++
	}
	return pv.appendPart(dst, l.foot)
}

// SizeHint is about what Append writes for v, a little over when no value
// needs escaping, so that dst can be made in one allocation of the right
// size.
func (l *Layout) SizeHint(v Values) int {
	n := 0
	for i := range l.offers {
		switch _, timed, ok := timeLeft(v.expiresAt(i), v.Now); {
		case !ok:
		case timed:
			n += l.offers[i].timed.sizeHint(v.ReturnTo, v.token(i))
		default:
			n += l.offers[i].untimed.sizeHint(v.ReturnTo, v.token(i))
		}
	}
	switch {
	case n > 0:
		n += l.head.sizeHint(v.ReturnTo, "")
	case l.notice != nil:
		n += l.noticeOnlyHead.sizeHint(v.ReturnTo, "")
	default:
		return 0
	}
	return n + l.foot.sizeHint(v.ReturnTo, "") + 64
}

// sizeHint is about the length of p written with returnTo and token; the
// other values are short numbers and ids.
func (p layoutPart) sizeHint(returnTo, token string) int {
	n := 0
	for _, s := range p {
		n += len(s.text)
		switch s.slot {
		case slotNone:
		case slotToken:
			n += len(token)
		case slotReturnTo:
			n += len(returnTo)
		default:
			n += 24
		}
	}
	return n
}

// pageView holds the values of the slots while Append writes a page view.
type pageView struct {
	id       []byte // the element id prefix
	returnTo string
	// the offer being written
	position  int // among the offers shown
	token     string
	expiresAt time.Time
	left      time.Duration
}

// appendPart appends p with the slots filled in.
func (pv *pageView) appendPart(dst []byte, p layoutPart) []byte {
	for _, s := range p {
		dst = append(dst, s.text...)
		switch s.slot {
		case slotID:
			dst = append(dst, pv.id...)
		case slotTitleID:
			dst = append(append(dst, pv.id...), "-t"...)
			dst = strconv.AppendInt(dst, int64(pv.position), 10)
		case slotToken:
			dst = appendAttributeEscaped(dst, pv.token)
		case slotReturnTo:
			dst = appendAttributeEscaped(dst, pv.returnTo)
		case slotExpiresUnix:
			dst = strconv.AppendInt(dst, pv.expiresAt.Unix(), 10)
		case slotRemainingMS:
			dst = strconv.AppendInt(dst, pv.left.Milliseconds(), 10)
		case slotCountdown:
			dst = appendClock(dst, pv.left)
		}
	}
	return dst
}
