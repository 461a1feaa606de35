package widget

import (
	_ "embed"
	"html/template"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The post-purchase offer page: a page of its own that Kairo answers with
// instead of the store's thank-you page, one offer at a time. Like the
// inline widget it is plain server-rendered HTML whose forms work without
// JavaScript; offerpage.js enhances it (the next step without a reload, a
// live quantity total, the countdown). No inline script or style.
//
// Stable hooks for stores and browser tests:
//
//	[data-kairo-page]        the page root; data-kairo-continue (the store's thank-you
//	                         URL), data-kairo-expires (unix seconds), data-kairo-remaining-ms;
//	                         the script adds data-kairo-ready
//	[data-kairo-banner]      the "Order #… confirmed" banner
//	[data-kairo-step]        the offer shown (value: offer id); data-kairo-state ready, busy, failed
//	[data-kairo-done]        what replaces the step once the funnel is over (after an accept)
//	form[data-kairo-action]  "accept", "decline", "continue" (real POST forms), "quantity" (GET)
//	button.kairo-pay         "Pay now · $23.99"
//	button.kairo-decline     "Decline this offer"
//	a.kairo-complete-payment "Complete payment": the store's pay page of a follow-up order,
//	                         after an accept the store took as a second order to pay
//	button.kairo-continue    "Continue to my order confirmation"
//	select[name=kairo_quantity] the quantity picker, when the offer has one
//	select[name=kairo_variant]  the variant picker (size, colour), when the offer has one
//	[data-kairo-amount]      the amount charged now (the items and the shipping)
//	[data-kairo-line]        the items' line of the summary
//	[data-kairo-shipping]    the shipping line's amount, when the offer charges shipping
//	[data-kairo-clock]       the m:ss of the countdown
//	[data-kairo-live]        the aria-live region with the result of the last action
//	[data-kairo-notice]      the result of the last action, as rendered by the server

// Asset names of the offer page, relative to the module's prefix.
const (
	// PageScriptName is the offer page's script.
	PageScriptName = "offerpage.js"
	// PageStyleName is the offer page's stylesheet.
	PageStyleName = "offerpage.css"
)

//go:embed offerpage.gohtml
var offerPageSource string

// offerPageTemplate holds the whole page and its parts "step" and "done",
// which an action answers with so the script can swap them in place.
var offerPageTemplate = template.Must(template.New("page").Parse(stripIndentation(offerPageSource)))

// DefaultTexts are the customer-facing strings of the offer page by key.
// An operator overrides any of them (Texts); {order}, {amount}, {total} and
// {method} are replaced where the key's comment says so.
//
// A key with the suffix _offline or _pay_link is the wording of that key
// for orders whose offers are paid that way (OfferPage.Collect): an order
// paid offline (cash on delivery, bank transfer) is not charged now, and a
// second order to pay is not one click. Without such a key the plain one
// is used.
var DefaultTexts = map[string]string{
	// The banner heading and the page title; {order} is the order number.
	"title":     "Order #{order} confirmed",
	"confirmed": "Your payment went through and your order is on its way. Before you go, here is one more thing at a special price.",
	"headline":  "It's not too late to add this to your order",
	// The primary button; {amount} is what is charged now.
	"pay":         "Pay now · {amount}",
	"busy":        "Processing…",
	"decline":     "Decline this offer",
	"continue":    "Continue to my order confirmation",
	"charge_note": "It is added to the order you just placed and charged to the same payment method. It shows as a separate line on your statement.",
	"tax_note":    "Taxes, if any, are added as on your order.",
	"quantity":    "Quantity",
	"option":      "Option",
	"update":      "Update total",
	"charged_now": "Charged now",
	// The line of the shipping the offer charges, beside its amount.
	"shipping":    "Shipping",
	"regular":     "Regular price:",
	"offer_price": "Offer price:",
	// {amount} is the saving per unit.
	"you_save": "You save {amount}",
	"ends_in":  "This offer ends in",
	"added":    "Added to your order.",
	// {total} is the store's new order total.
	"new_total":    "Your new order total is {total}.",
	"done_heading": "Thank you, that's everything",

	// Orders paid offline: the item joins the order, whose new total is
	// paid the way the buyer chose; {method} is that way's name.
	"confirmed_offline":   "Your order is placed. Before you go, here is one more thing at a special price.",
	"pay_offline":         "Add to my order · {amount}",
	"charged_now_offline": "Added to your order total",
	"charge_note_offline": "It is added to the order you just placed. Nothing is charged now: you pay the new total the way you chose for this order ({method}).",
	"new_total_offline":   "Your new order total is {total}, to pay the way you chose ({method}).",

	// Orders whose offers the store makes a second order of, paid on its
	// own payment page.
	"pay_pay_link":         "Add to my order · {amount}",
	"charged_now_pay_link": "To pay next",
	"charge_note_pay_link": "It comes as a second order, linked to the one you just placed. Nothing is charged until you complete payment on the store's payment page, next.",
	"added_pay_link":       "Added as a second order, linked to your order. It is not paid yet.",
	// {total} is the second order's total.
	"new_total_pay_link":    "Its total is {total}.",
	"done_heading_pay_link": "One step left: complete payment",
	// The link to the store's payment page of the second order.
	"complete_payment": "Complete payment",
	// {method} when the store does not name the order's payment method.
	"method_unnamed": "the payment method you chose",
	// The name of the foot's list of links, for screen readers.
	"policies": "Store policies",
}

// TextKeys lists the keys of DefaultTexts, sorted, for error messages.
func TextKeys() []string { return slices.Sorted(maps.Keys(DefaultTexts)) }

// PageOffer is the offer on one step of the page, already priced by the
// module.
type PageOffer struct {
	// OfferID identifies the offer; it lands in data-kairo-step.
	OfferID string
	// Token is the signed offer token posted back by every form.
	Token string
	// Title, Description and Image describe the product (escaped; an
	// image that is not http(s) or a path is dropped).
	Title, Description, Image string
	// Price is the formatted final unit price; RegularPrice the price before
	// the discount, "" without one; Saving the formatted saving per unit.
	Price, RegularPrice, Saving string
	// Shipping is the formatted shipping the offer charges on top of the
	// items, "" for none.
	Shipping string
	// Quantities are the choices of the quantity picker with the amount
	// charged for each; one choice shows no picker.
	Quantities []QuantityChoice
	// Texts are the offer's own words by key (DefaultTexts' keys), over
	// OfferPage.Texts, or nil.
	Texts map[string]string
	// Chosen is the index in Quantities of the quantity shown.
	Chosen int
	// Options are the variants the buyer may choose between (sizes,
	// colours) at the same price; fewer than two show no picker.
	Options []Option
	// OptionLabel names the choice, "" for the default text "option".
	OptionLabel string
	// ChosenOption is the index in Options of the variant shown.
	ChosenOption int
}

// Link is one link at the foot of the page.
type Link struct {
	Label, URL string
}

// Option is one variant the buyer may choose.
type Option struct {
	VariantID, Label string
}

// QuantityChoice is one quantity the buyer may pick and what it costs.
type QuantityChoice struct {
	Quantity int
	// Items is the formatted price of this many units; Amount what is
	// charged now for them, shipping included (the same without shipping).
	Items, Amount string
}

// OfferPage is everything one offer page needs.
type OfferPage struct {
	// Prefix is the URL prefix of Kairo's endpoints.
	Prefix string
	// OrderNumber is shown in the banner ("Order #…").
	OrderNumber string
	// Lang is the page's language tag (<html lang>), "" for "en".
	Lang string
	// ContinueURL is the store's own thank-you page (path and query).
	ContinueURL string
	// Stylesheet is an optional operator stylesheet loaded after Kairo's
	// (theming through the custom properties of offerpage.css).
	Stylesheet string
	// Icon is the page's icon URL, or "" for the browser's default.
	Icon string
	// Links are shown at the foot of the page (the store's policies).
	Links []Link
	// Texts override DefaultTexts by key.
	Texts map[string]string
	// Collect is how an accepted offer on this order gets paid: "" or
	// "charge" (one click on the payment method on file), "offline" (added
	// to the order, paid with it outside the store) or "pay_link" (a second
	// order, paid on the store's payment page); the values of
	// offers.Payment.Collect. It picks the wording (DefaultTexts).
	Collect string
	// PaymentMethod names how the order is paid ("Cash on delivery"), for
	// {method}; "" says "the payment method you chose".
	PaymentMethod string
	// Offer is the step shown; nil renders the "done" part.
	Offer *PageOffer
	// Result is the result of the last action, shown above the step, or
	// nil.
	Result *Result
	// ExpiresAt ends the window: the countdown runs to it, and the page
	// moves on to ContinueURL when it is reached.
	ExpiresAt time.Time
	// Now is the render time.
	Now time.Time
}

// Result is the outcome of an accept or decline, as the page reports it.
type Result struct {
	// Accepted is true when the offer was added to the order.
	Accepted bool
	// Total is the store's new order total after an accept, formatted; ""
	// when the store did not say.
	Total string
	// Message explains a failure in plain words (ignored when Accepted).
	Message string
	// PaymentURL is the store's payment page of the second order the store
	// made of the accepted offer, which the buyer must still pay ("" when
	// the offer needs no further step). Total is then that order's total.
	PaymentURL string
}

// offerPageView is what the template sees.
type offerPageView struct {
	OfferPage
	T                           func(key string) string
	Title                       string
	StyleVersion, ScriptVersion string
	ExpiresUnix, RemainingMS    string
	RefreshSeconds              string
	Clock                       string
	Lang                        string
	Pay                         string
	Amount                      string
	Line                        string
	Quantity                    int
	Picker                      bool
	Choice                      bool
	ChoiceLabel                 string
	Variant                     string
	Image                       string
	Save                        string
	Notice                      string
	NoticeOK                    bool
	PaymentURL                  string
}

func newOfferPageView(p OfferPage) *offerPageView {
	left := max(p.ExpiresAt.Sub(p.Now), 0)
	v := &offerPageView{
		OfferPage:      p,
		StyleVersion:   pageStyle.version,
		ScriptVersion:  pageScript.version,
		ExpiresUnix:    strconv.FormatInt(p.ExpiresAt.Unix(), 10),
		RemainingMS:    strconv.FormatInt(left.Milliseconds(), 10),
		RefreshSeconds: strconv.FormatInt(int64((left+time.Second-1)/time.Second), 10),
		Clock:          formatClock(left),
	}
	v.Prefix = strings.TrimRight(p.Prefix, "/")
	v.Lang = p.Lang
	if v.Lang == "" {
		v.Lang = "en"
	}
	texts := p.Texts
	if p.Offer != nil && len(p.Offer.Texts) > 0 {
		texts = make(map[string]string, len(p.Texts)+len(p.Offer.Texts))
		maps.Copy(texts, p.Texts)
		maps.Copy(texts, p.Offer.Texts)
	}
	collect := p.Collect
	if p.Result != nil && p.Result.PaymentURL != "" {
		// Whatever the order said, this accept left a second order to pay.
		collect = "pay_link"
		v.PaymentURL = p.Result.PaymentURL
	}
	v.T = func(key string) string {
		text := pageText(texts, key, collect)
		if strings.Contains(text, "{method}") {
			method := p.PaymentMethod
			if method == "" {
				method = pageText(texts, "method_unnamed", "")
			}
			text = strings.ReplaceAll(text, "{method}", method)
		}
		return text
	}
	v.Title = strings.ReplaceAll(v.T("title"), "{order}", p.OrderNumber)
	if o := p.Offer; o != nil && len(o.Quantities) > 0 {
		chosen := o.Quantities[min(max(o.Chosen, 0), len(o.Quantities)-1)]
		v.Quantity, v.Amount, v.Line = chosen.Quantity, chosen.Amount, chosen.Items
		if v.Line == "" {
			v.Line = chosen.Amount
		}
		v.Pay = strings.ReplaceAll(v.T("pay"), "{amount}", chosen.Amount)
		v.Picker = len(o.Quantities) > 1
		if len(o.Options) > 1 {
			v.Choice = true
			v.Variant = o.Options[min(max(o.ChosenOption, 0), len(o.Options)-1)].VariantID
			v.ChoiceLabel = o.OptionLabel
			if v.ChoiceLabel == "" {
				v.ChoiceLabel = v.T("option")
			}
		}
		if imageURLAllowed(o.Image) {
			v.Image = o.Image
		}
		if o.Saving != "" {
			v.Save = strings.ReplaceAll(v.T("you_save"), "{amount}", o.Saving)
		}
	}
	if r := p.Result; r != nil {
		v.NoticeOK, v.Notice = r.Accepted, r.Message
		if r.Accepted {
			v.Notice = v.T("added")
			if r.Total != "" {
				v.Notice += " " + strings.ReplaceAll(v.T("new_total"), "{total}", r.Total)
			}
		}
	}
	return v
}

// pageText is the text of key for orders paid the collect way: the
// operator's or the default wording for that way (key_collect), else the
// operator's or the default plain key.
func pageText(texts map[string]string, key, collect string) string {
	if collect != "" && collect != "charge" {
		specific := key + "_" + collect
		if s, ok := texts[specific]; ok {
			return s
		}
		if s, ok := DefaultTexts[specific]; ok {
			return s
		}
	}
	if s, ok := texts[key]; ok {
		return s
	}
	return DefaultTexts[key]
}

// RenderOfferPage appends the whole offer page (a complete HTML document)
// to dst.
func RenderOfferPage(dst []byte, p OfferPage) []byte {
	return runPageTemplate(dst, "page", p)
}

// RenderOfferStep appends the part of the page that an action replaces:
// the next step, or the "done" part when p.Offer is nil.
func RenderOfferStep(dst []byte, p OfferPage) []byte {
	return runPageTemplate(dst, "main", p)
}

func runPageTemplate(dst []byte, name string, p OfferPage) []byte {
	w := appendWriter{buf: dst}
	if err := offerPageTemplate.ExecuteTemplate(&w, name, newOfferPageView(p)); err != nil {
		// A fixed template over strings and numbers: only a bug gets here.
		return dst
	}
	return w.buf
}
