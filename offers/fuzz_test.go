package offers

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary text to Verify. It must never panic, every
// failure must wrap exactly one sentinel error, and a token it accepts must
// be one the signer itself produces for those claims: nothing else passes.
func FuzzVerify(f *testing.F) {
	clk := &clock{june}
	s := newTestSigner(f, clk, secretA)
	other := newTestSigner(f, clk, secretB)
	valid, _ := s.Sign(testClaims())
	forged, _ := other.Sign(testClaims())
	for _, seed := range []string{valid, forged, "", "A", valid[:len(valid)-1], valid + "A", strings.ToUpper(valid), "eyJhbGciOiJIUzI1NiJ9.e30.x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.Verify(token)
		if err != nil {
			wrapped(t, err)
			return
		}
		again, err := s.Sign(c)
		if err != nil || again != token {
			t.Fatalf("accepted %q, which signs as %q (%v)", token, again, err)
		}
	})
}

// FuzzTokenPayload signs arbitrary payloads with the signer's key and
// verifies them, exercising the decoder behind the signature check: it must
// never panic, never fail the signature, and accept only payloads in the one
// form Sign writes.
func FuzzTokenPayload(f *testing.F) {
	s := newTestSigner(f, &clock{june}, secretA)
	c := testClaims()
	c.Nonce = "seed"
	f.Add(appendPayload(nil, &c))
	c.Variant, c.ProductVariantID, c.Placement = "", "", PlacementCart
	f.Add(appendPayload(nil, &c))
	c.Placement = PlacementPopup
	f.Add(appendPayload(nil, &c))
	c.Shipping, c.Locale = 499, "de-DE"
	f.Add(appendPayload(nil, &c))
	f.Add([]byte{tokenVersion})
	f.Add([]byte{tokenVersion2, 1, 0x80, 0x80, 0x04, 1, 0xcf, 0x0f, 0, 'U', 'S', 'D', 1, 'o', 0, 1, 's', 1, 'p', 0, 1, 'n', 0})
	f.Fuzz(func(t *testing.T, payload []byte) {
		raw := s.keys[0].sum(bytes.Clone(payload), payload)
		token := tokenEncoding.EncodeToString(raw)
		got, err := s.Verify(token)
		switch {
		case err == nil, errors.Is(err, ErrExpired):
			again, err := s.Sign(got)
			if err != nil {
				t.Fatalf("payload %x accepted as %+v, which does not sign: %v", payload, got, err)
			}
			if payload[0] == tokenVersion2 {
				// Signed again it is a version 3 token of the same claims.
				if back, _ := s.authentic(again); back != got {
					t.Fatalf("version 2 payload %x accepted as %+v, signed again as %+v", payload, got, back)
				}
			} else if again != token {
				t.Fatalf("payload %x accepted as %+v, which signs as %q", payload, got, again)
			}
		case errors.Is(err, ErrMalformed):
		default:
			t.Fatalf("payload %x: %v", payload, err)
		}
	})
}

// FuzzParseCatalog feeds arbitrary documents to ParseCatalog. It must never
// panic; a refusal is a *CatalogError whose every line names the catalog;
// an accepted catalog holds only sound offers and survives a round trip
// through MarshalJSON.
func FuzzParseCatalog(f *testing.F) {
	example, err := os.ReadFile("testdata/offers.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(`[` + offerJSONText(`"id":"t","variants":[{"id":"a","weight":50},{"id":"b","weight":50,"discount":{"amount":3}}]`) + `]`))
	f.Add([]byte(`{"version":1,"offers":[{"id":"a","on_decline":"b"},{"id":"b","on_decline":"a"}]}`))
	f.Add([]byte(`{"offers":[{"id":"x","placements":["cart","cart"],"trigger":{"max_subtotal":0}}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[` + offerJSONText(`"id":"s","shadow":true`) + `]`))
	f.Add([]byte(`[` + offerJSONText(`"id":"s","shadow":"yes"`) + `]`))
	f.Add([]byte(`[` + offerJSONText(`"id":"fbt","placements":["product","checkout","popup"]`) + `]`))
	f.Add([]byte(`{"offers":[{"id":"x","placements":["popup","thank_you","popup"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog("f.json", data)
		if err != nil {
			var ce *CatalogError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v is not a *CatalogError with problems", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.json: ") {
					t.Fatalf("line %q does not name the catalog", line)
				}
			}
			return
		}
		for _, o := range c.Offers() {
			checkSoundOffer(t, o)
		}
		data, err = json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseCatalog("again.json", data)
		if err != nil {
			t.Fatalf("re-reading the marshalled catalog: %v\n%s", err, data)
		}
		if !reflect.DeepEqual(c.Offers(), again.Offers()) {
			t.Fatalf("round trip changed the catalog:\n%s", data)
		}
	})
}

// checkSoundOffer checks what validation promises about an offer.
func checkSoundOffer(t *testing.T, o *Offer) {
	t.Helper()
	if !validID(o.ID) || o.ID == "" || len(o.Placements) == 0 || o.Quantity < 1 || o.ExpiresAfter <= 0 {
		t.Fatalf("unsound offer %+v", o)
	}
	if _, ok := CurrencyDigits(o.Product.Currency); !ok || o.Product.UnitPrice <= 0 {
		t.Fatalf("unsound product %+v", o.Product)
	}
	subjects := []string{"1", "2", "3", "4", "5", "6", "7", "8"}
	for _, s := range subjects {
		p := o.Resolve(s)
		if p.FinalUnitPrice.Amount < 0 || p.Discount.Amount < 0 || p.FinalUnitPrice.Amount+p.Discount.Amount != p.UnitPrice.Amount {
			t.Fatalf("unsound prices %+v", p)
		}
	}
}

// FuzzParseContext feeds arbitrary documents to ParseContext. It must never
// panic, and an accepted context must have the same fingerprint after a
// round trip through JSON.
func FuzzParseContext(f *testing.F) {
	f.Add([]byte(`{"id":"1001","currency":"USD","subtotal":4599,"items":[{"product_id":"mug","variant_id":"mug-white","quantity":1,"unit_price":1999,"tags":["kitchen"]}],"customer":{"id":"c1","tags":["vip"],"orders_count":3},"status":"paid"}`))
	f.Add([]byte(`{"id":"c","currency":"eur","items":[]}`))
	f.Add([]byte(`{"id":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseContext(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "context: ") {
				t.Fatalf("error %q does not start with \"context: \"", err)
			}
			return
		}
		data, err = json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseContext(data)
		if err != nil {
			t.Fatalf("re-reading %s: %v", data, err)
		}
		if again.Fingerprint() != c.Fingerprint() {
			t.Fatalf("fingerprint changed over a round trip: %s", data)
		}
	})
}
