package caddymodule_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"

	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/contract"
)

// noShippingStore is the contract store saying it cannot charge an
// offer's shipping, as EverShop's connector does; in front of the demo
// store it lets a test see what Kairo shows the buyers of such a store.
type noShippingStore struct{ contract.Store }

func init() { caddy.RegisterModule(noShippingStore{}) }

// CaddyModule returns the Caddy module information.
func (noShippingStore) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  stores.Namespace + ".contract_no_shipping",
		New: func() caddy.Module { return new(noShippingStore) },
	}
}

// ChargesShipping is false.
func (*noShippingStore) ChargesShipping() bool { return false }

// startWithoutShipping runs s with its store as noShippingStore: the
// Caddyfile adapted, its connector renamed in the JSON.
func startWithoutShipping(t *testing.T, s setup) {
	t.Helper()
	cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(s.caddyfile()), map[string]any{"filename": "Caddyfile"})
	if err != nil {
		t.Fatal(err)
	}
	renamed := bytes.Replace(cfg, []byte(`"connector":"contract"`), []byte(`"connector":"contract_no_shipping"`), 1)
	if bytes.Equal(renamed, cfg) {
		t.Fatalf("no contract store in the adapted config:\n%s", cfg)
	}
	loadConfig(t, string(renamed), "json")
}

// TestShippingOffersShownOnlyWhereTheStoreChargesShipping: the thermos,
// with shipping, is the offer for an order of beans on both post-purchase
// pages behind a store that charges shipping; behind one that cannot it is
// never shown, and the downsells that follow it are not either.
func TestShippingOffersShownOnlyWhereTheStoreChargesShipping(t *testing.T) {
	catalog := shippingCatalog(t)
	for _, mode := range []string{"page", ""} {
		for _, charges := range []bool{true, false} {
			name := map[bool]string{true: "charges", false: "cannot charge"}[charges] + "/" + map[string]string{"page": "offer page", "": "inline box"}[mode]
			t.Run(name, func(t *testing.T) {
				s := setup{postPurchase: mode, catalog: catalog}
				if charges {
					start(t, s)
				} else {
					startWithoutShipping(t, s)
				}
				_, page := newShopper(t).get(kairoURL + "/checkout/success/" + createOrder(t, time.Time{}))
				shown := strings.Contains(page, "data-kairo-shipping")
				if mode == "page" {
					if offer := isOfferPage(t, page); offer != charges || offer && !shown {
						t.Errorf("offer page %v with shipping %v, want both %v", offer, shown, charges)
					}
					return
				}
				if box := strings.Contains(page, `data-kairo-offer="thermos-20"`); box != charges || shown != charges || !strings.Contains(page, `id="order-summary"`) {
					t.Errorf("thank-you page with the thermos %v and shipping %v, want both %v", box, shown, charges)
				}
				if !charges && strings.Contains(page, "data-kairo-offer=") {
					t.Errorf("an offer is on the page; the thermos's downsells must not be:\n%s", page)
				}
			})
		}
	}
}
