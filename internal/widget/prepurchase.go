package widget

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"maps"
	"slices"
	"strings"
)

// The pre-purchase placements besides the cart. Their widgets are drawn by
// their own templates (fbt.gohtml, bump.gohtml, popup.gohtml) and run by
// prepurchase.js, styled by prepurchase.css on top of widget.css.
//
// Stable hooks, besides those of the package documentation:
//
//	[data-kairo-placement=product]   "frequently bought together": form[data-kairo-action=accept-many]
//	                                 with one checkbox input[name=token] per offer ([data-kairo-offer] li),
//	                                 [data-kairo-total-price], [data-kairo-total-saving], [data-kairo-together]
//	[data-kairo-placement=checkout]  the order bump: form[data-kairo-offer] with button.kairo-bump-toggle
//	                                 (aria-pressed true once the offer is in the cart)
//	dialog[data-kairo-placement=popup]  the add-to-cart pop-up; [data-kairo-close] closes it
//	[data-kairo-popup-loader]        where the pop-up is fetched from (data-kairo-popup-src) and
//	                                 which store requests open it (data-kairo-popup-after)
//	[data-kairo-after-add=reload]    on a widget root: the page reloads once an offer is in the cart
//
// Besides the events of widget.js, prepurchase.js dispatches a bubbling
// "kairo:cart-changed" on the widget root once something is in the cart,
// with detail {placement, offerIds, total}, so a store can redraw its cart.
const (
	// PlacementProduct is a product page's "frequently bought together".
	PlacementProduct = "product"
	// PlacementCheckout is the checkout's order bump.
	PlacementCheckout = "checkout"
	// PlacementPopup is the add-to-cart pop-up.
	PlacementPopup = "popup"

	// AfterAddReload makes the page reload once an offer is in the cart.
	AfterAddReload = "reload"

	// PrePurchaseScriptName is the script of the pre-purchase placements.
	PrePurchaseScriptName = "prepurchase.js"
	// PrePurchaseStyleName is their stylesheet.
	PrePurchaseStyleName = "prepurchase.css"
)

var (
	//go:embed fbt.gohtml
	fbtSource string
	//go:embed bump.gohtml
	bumpSource string
	//go:embed popup.gohtml
	popupSource string
	//go:embed assets/prepurchase.js
	prePurchaseScriptBody []byte
	//go:embed assets/prepurchase.css
	prePurchaseStyleBody []byte
)

var (
	prePurchaseScript = newAsset(withSharedScript(prePurchaseScriptBody), "text/javascript; charset=utf-8")
	prePurchaseStyle  = newAsset(prePurchaseStyleBody, "text/css; charset=utf-8")
)

// Each template defines the parts "head", "offer" and "foot" that a Layout
// renders, as fragment.gohtml does.
var (
	fbtTemplate   = template.Must(template.New("fbt").Parse(stripIndentation(fbtSource)))
	bumpTemplate  = template.Must(template.New("bump").Parse(stripIndentation(bumpSource)))
	popupTemplate = template.Must(template.New("popup").Parse(stripIndentation(popupSource)))
)

// templateFor is the template that draws a placement's widget.
func templateFor(placement string) *template.Template {
	switch placement {
	case PlacementProduct:
		return fbtTemplate
	case PlacementCheckout:
		return bumpTemplate
	case PlacementPopup:
		return popupTemplate
	}
	return fragmentTemplate
}

// templateSources are the sources of every template, which layout markers
// must not occur in.
var templateSources = []string{fragmentSource, fbtSource, bumpSource, popupSource}

// defaultText are the words of the pre-purchase widgets, by key; an
// operator overrides any of them per placement (Fragment.Text).
var defaultText = map[string]string{
	"heading":       "",
	"button":        "",
	"this_item":     "This item",
	"total":         "Price of the selected add-ons",
	"together":      "Together with this item",
	"save":          "save",
	"you_save":      "You save",
	"add":           "Add",
	"for":           "for",
	"added":         "Added to your cart.",
	"added_note":    "It's in your cart. These go well with it:",
	"none_selected": "Choose at least one item to add.",
	"continue":      "Continue shopping",
	"view_cart":     "Go to cart",
	"cart_url":      "/cart",
	"close":         "Close",
	"offer_price":   "Offer price:",
	"regular":       "regular price:",
	"each":          "each",
}

// placementText are the defaults that differ by placement.
var placementText = map[string]map[string]string{
	PlacementProduct:  {"heading": "Frequently bought together", "button": "Add selected to cart"},
	PlacementCheckout: {"heading": "Add to your order", "button": "Add"},
	PlacementPopup:    {"heading": "Added to your cart", "button": "Add to cart"},
}

// PrePurchaseTextKeys are the keys of the words a pre-purchase widget shows, which
// Fragment.Text may override.
func PrePurchaseTextKeys() []string {
	keys := make([]string, 0, len(defaultText))
	for k := range defaultText {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// textFor is the words of a pre-purchase placement with the overrides
// applied.
func textFor(placement string, overrides map[string]string) map[string]string {
	return wordsFor(defaultText, placementText[placement], overrides)
}

// wordsFor is a widget's words: the defaults, then those that differ on
// its placement, then the operator's overrides of them (keys that are not
// among the defaults are left out).
func wordsFor(defaults, onPlacement, overrides map[string]string) map[string]string {
	t := maps.Clone(defaults)
	maps.Copy(t, onPlacement)
	for k, v := range overrides {
		if _, ok := defaults[k]; ok {
			t[k] = v
		}
	}
	return t
}

// PageProduct is a product page's own product, shown next to its add-ons.
type PageProduct struct {
	// Title and Image are the store's; either may be "".
	Title, Image string
	// Price is the formatted price of one unit, or "" when unknown.
	Price string
}

// Total is what a choice of add-ons costs, formatted.
type Total struct {
	// Price is the sum of the chosen offers' prices.
	Price string `json:"price"`
	// Saving is how much below their regular prices that is; "" for none.
	Saving string `json:"saving,omitempty"`
	// Together is Price plus the page's product, "" when its price is unknown.
	Together string `json:"together,omitempty"`
}

// totalsJSON writes the totals for a widget attribute: the script shows
// the one whose index is the bit mask of the checked offers (bit i for
// offer i), so no money is computed in the browser.
func totalsJSON(totals []Total) string {
	if len(totals) == 0 {
		return ""
	}
	b, _ := json.Marshal(totals) // strings only: cannot fail
	return string(b)
}

// PopupLoader is what product and cart pages carry when the pop-up is on:
// the stylesheets, the place the pop-up is fetched from (prefix/popup),
// the store requests after which it opens ("POST /cart/add"), and the
// script. It shows nothing by itself, and without JavaScript nothing ever.
func PopupLoader(prefix string, after []string) []byte {
	prefix = strings.TrimRight(prefix, "/")
	var b strings.Builder
	b.WriteString(`<link rel="stylesheet" href="`)
	template.HTMLEscape(&b, []byte(prefix+"/"+StyleName+"?v="+style.version))
	b.WriteString(`"><link rel="stylesheet" href="`)
	template.HTMLEscape(&b, []byte(prefix+"/"+PrePurchaseStyleName+"?v="+prePurchaseStyle.version))
	b.WriteString(`"><div hidden data-kairo-popup-loader data-kairo-popup-src="`)
	template.HTMLEscape(&b, []byte(prefix+"/popup"))
	b.WriteString(`" data-kairo-popup-after="`)
	template.HTMLEscape(&b, []byte(strings.Join(after, ",")))
	b.WriteString(`"></div><script src="`)
	template.HTMLEscape(&b, []byte(prefix+"/"+PrePurchaseScriptName+"?v="+prePurchaseScript.version))
	b.WriteString(`" defer></script>` + "\n")
	return []byte(b.String())
}

// ImageURLAllowed reports whether an image URL may be shown: relative or
// http(s), as the widget's own images.
func ImageURLAllowed(u string) bool { return imageURLAllowed(u) }
