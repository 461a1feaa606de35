package widget

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestInlineBoxWords renders the cart's and the thank-you page's box with
// every one of its words set, through Render and through a Layout, and
// finds each word where the box shows it and none of the English ones;
// an offer's own words still come first for its buttons.
func TestInlineBoxWords(t *testing.T) {
	words := map[string]string{
		"heading": "Sonderangebot", "note": "Ein Klick fügt es Ihrer Bestellung hinzu.",
		"button": "Hinzufügen", "decline": "Nein danke", "offer_price": "Angebotspreis:",
		"regular": "statt", "each": "je", "quantity": "Menge:", "ends_in": "Endet in", "shipping": "Versand",
		"headline": "not a word of the box",
	}
	for _, placement := range []string{PlacementCart, PlacementThankYou} {
		t.Run(placement, func(t *testing.T) {
			f := sampleFragment(placement)
			f.Text = words
			f.Offers[1].Shipping = "$4.95"
			v := Values{ReturnTo: f.ReturnTo, Now: f.Now}
			for _, o := range f.Offers {
				v.Tokens, v.ExpiresAt = append(v.Tokens, o.Token), append(v.ExpiresAt, o.ExpiresAt)
			}
			for _, out := range [][]byte{Render(nil, f), NewLayout(f).Append(nil, v)} {
				nodes := parseFragment(t, out)
				checks := []struct{ class, want string }{
					{"kairo-heading", "Sonderangebot"},
					{"kairo-accept", "Hinzufügen"},
					{"kairo-decline", "Nein danke"},
					{"kairo-price-now", "Angebotspreis: $14.99"},
					{"kairo-price-was", "statt $19.99"},
					{"kairo-each", "je"},
					{"kairo-quantity", "Menge: 2"},
					{"kairo-shipping", "Versand: $4.95"},
				}
				if placement == PlacementThankYou {
					checks = append(checks, struct{ class, want string }{"kairo-note", words["note"]},
						struct{ class, want string }{"kairo-countdown", "Endet in 14:59"})
				}
				for _, c := range checks {
					found := byClass(nodes, c.class)
					if len(found) == 0 || !slices.ContainsFunc(found, func(n *html.Node) bool { return strings.TrimSpace(text(n)) == c.want }) {
						t.Errorf("%s: no .%s reading %q in %s", placement, c.class, c.want, out)
					}
				}
				for _, english := range []string{"Special offer", "One click", "No thanks", "Offer price", "regular price", "Quantity", "Add to", "Offer ends", "Shipping"} {
					if strings.Contains(string(out), english) {
						t.Errorf("%s: %q still in the box: %s", placement, english, out)
					}
				}
				if strings.Contains(string(out), "not a word of the box") {
					t.Errorf("%s: a key that is no word of the box was shown", placement)
				}
			}
			// The offer's own words come before the placement's.
			f.Offers[0].Text = map[string]string{"decline": "Nicht jetzt"}
			if out := string(Render(nil, f)); !strings.Contains(out, "Nicht jetzt") || strings.Count(out, "Nein danke") != 1 {
				t.Errorf("%s: the offer's own decline word does not come first: %s", placement, out)
			}
		})
	}
}

// TestInlineTextKeys lists the box's words: the thank-you note is the
// thank-you page's only.
func TestInlineTextKeys(t *testing.T) {
	cart, thankYou := InlineTextKeys(PlacementCart), InlineTextKeys(PlacementThankYou)
	if slices.Contains(cart, "note") || !slices.Contains(thankYou, "note") || len(thankYou) != len(cart)+1 {
		t.Errorf("cart %v, thank_you %v: want the note on the thank-you page only", cart, thankYou)
	}
	for _, k := range thankYou {
		if k != "button" && inlineText[k] == "" {
			t.Errorf("%q has no default word", k)
		}
	}
}
