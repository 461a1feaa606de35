package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestThankYouResultsInTheOperatorsWords runs a declined payment through a
// real Caddy, on the inline box and on the offer page, with post_purchase
// wording it: the script's answer and the page a form post comes back to
// both read the operator's sentence.
func TestThankYouResultsInTheOperatorsWords(t *testing.T) {
	const words = "Ihre Zahlungsart wurde abgelehnt: nichts wurde hinzugefügt."
	for _, mode := range []string{"inline", "page"} {
		t.Run(mode, func(t *testing.T) {
			start(t, setup{postPurchase: mode + " {\n\t\t\ttext result_payment_failed \"" + words + "\"\n\t\t}"})
			storeFaults(t, map[string]any{"accept_status": 402})
			s, path, toks := thankYouTokens(t)
			endpoint := "/_upsell/accept"
			if mode == "page" {
				endpoint = "/_upsell/page/accept"
				status, ans := s.pageAction("accept", toks[0], path, 0)
				if status != http.StatusPaymentRequired || ans["message"] != words {
					t.Errorf("the offer page's script was answered %d %v, want 402 and the operator's words", status, ans)
				}
			} else {
				resp, ans := s.accept(toks[0], path)
				if resp.StatusCode != http.StatusPaymentRequired || ans.Status != "payment_failed" || ans.Message != words {
					t.Errorf("the box's script was answered %d %+v, want 402 payment_failed and the operator's words", resp.StatusCode, ans)
				}
			}
			resp, _ := s.postForm(kairoURL+endpoint, url.Values{"token": {toks[0]}, "return_to": {path}})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || loc != path+"?kairo=payment_failed" {
				t.Fatalf("the form post answered %d to %q", resp.StatusCode, loc)
			}
			if _, page := s.get(kairoURL + loc); !strings.Contains(page, words) || strings.Contains(page, "you were not charged") {
				t.Errorf("the page a form post came back to does not read the operator's words")
			}
		})
	}
}

// TestPrePurchaseResultsInTheOperatorsWords runs a sold-out add through a
// real Caddy from a product page whose placement words it, and a decline
// from the same page, which keeps the English sentence it was not given
// words for.
func TestPrePurchaseResultsInTheOperatorsWords(t *testing.T) {
	const words = "Leider gerade ausverkauft. Es wurde nichts hinzugefügt."
	s := prePurchase
	s.extra += `
		placement product {
			text result_out_of_stock "` + words + `"
		}`
	start(t, s)
	storeFaults(t, map[string]any{"cart_add_status": 409})
	b, toks := bundleTokens(t)
	resp, ans := b.accept(toks[0], "/products/coffee-beans")
	if resp.StatusCode != http.StatusConflict || ans.Status != "out_of_stock" || ans.Message != words {
		t.Errorf("a sold-out add was answered %d %+v, want 409 out_of_stock and the placement's words", resp.StatusCode, ans)
	}
	// The whole bundle: each offer's answer and the bundle's own.
	payload, _ := json.Marshal(map[string]any{"tokens": toks, "return_to": "/products/coffee-beans"})
	req, _ := http.NewRequest(http.MethodPost, kairoURL+"/_upsell/accept", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", kairoURL)
	bresp, body := b.do(req)
	var bundle struct {
		Status, Message string
		Results         []struct{ Status, Message string }
	}
	if err := json.Unmarshal([]byte(body), &bundle); err != nil || bresp.StatusCode != http.StatusConflict {
		t.Fatalf("the bundle's accept answered %d %q", bresp.StatusCode, body)
	}
	if bundle.Status != "out_of_stock" || bundle.Message != words || len(bundle.Results) != len(toks) {
		t.Errorf("the bundle's answer %+v, want out_of_stock in the placement's words for each offer", bundle)
	}
	for _, r := range bundle.Results {
		if r.Message != words {
			t.Errorf("a bundle offer's answer %+v, want the placement's words", r)
		}
	}
	resp, _ = b.postForm(kairoURL+"/_upsell/decline", url.Values{"token": {toks[1]}, "return_to": {"/products/coffee-beans"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d", resp.StatusCode)
	}
	if _, page := b.get(kairoURL + resp.Header.Get("Location")); !strings.Contains(page, "No problem, we won") {
		t.Errorf("the page after a decline does not read the English sentence it has no words for")
	}
}

// TestInlineBoxInTheOperatorsWords runs the cart's and the thank-you
// page's box through a real Caddy with their placements wording them: the
// box reads the operator's heading, button and decline words, the
// thank-you note too, and none of the English ones they replace.
func TestInlineBoxInTheOperatorsWords(t *testing.T) {
	start(t, setup{extra: `placement cart {
			text heading "Passt dazu"
			text button "In den Warenkorb"
			text decline "Nein danke"
		}
		placement thank_you {
			text heading "Noch etwas für Ihre Bestellung"
			text note "Ein Klick fügt es Ihrer Bestellung hinzu, bezahlt wie diese."
			text button "Zur Bestellung hinzufügen"
		}`})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	_, cart := s.get(kairoURL + "/cart")
	s2, order := orderWithBeans(t)
	_, thankYou := s2.get(kairoURL + "/checkout/success/" + order)
	for _, page := range []struct {
		name, body string
		want, gone []string
	}{
		{"cart", cart, []string{">Passt dazu</h2>", ">In den Warenkorb</button>", ">Nein danke</button>"},
			[]string{">Special offer<", ">Add to cart<", ">No thanks<"}},
		{"thank-you", thankYou, []string{">Noch etwas für Ihre Bestellung</h2>", "Ein Klick fügt es Ihrer Bestellung hinzu, bezahlt wie diese.", ">Zur Bestellung hinzufügen</button>"},
			[]string{">Special offer<", "One click adds it", ">Add to my order<"}},
	} {
		if len(tokens(page.body)) == 0 {
			t.Fatalf("%s: no offer on the page", page.name)
		}
		for _, w := range page.want {
			if !strings.Contains(page.body, w) {
				t.Errorf("%s: the box does not read %q", page.name, w)
			}
		}
		for _, w := range page.gone {
			if strings.Contains(page.body, w) {
				t.Errorf("%s: the box still reads %q", page.name, w)
			}
		}
	}
}
