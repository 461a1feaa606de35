package caddymodule

import (
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
	"github.com/kairoedge/kairo/stores/contract"
	"github.com/kairoedge/kairo/stores/evershop"
)

// shippingOffers is a catalog of two thank-you offers for an order of
// beans: the thermos with shipping, the mug without.
const shippingOffers = `[
{"id":"thermos","placements":["thank_you"],"shipping":499,
 "product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"}},
{"id":"mug","placements":["thank_you"],
 "product":{"product_id":"mug","title":"Mug","unit_price":1299,"currency":"USD"}}]`

// TestOffersWithShippingWithheldFromStoresThatCannotChargeIt: behind
// EverShop's connector, which cannot charge an offer's shipping, the
// thermos is never selected and one warn line names it; behind the
// contract store it is selected and nothing is said.
func TestOffersWithShippingWithheldFromStoresThatCannotChargeIt(t *testing.T) {
	order := &offers.Context{Currency: "USD", Items: []offers.Item{{ProductID: "beans", Quantity: 1}}}
	tests := []struct {
		name  string
		store stores.Store
		shown []string
		warn  bool
	}{
		{"evershop", new(evershop.Connector), []string{"mug"}, true},
		{"contract", new(contract.Store), []string{"mug", "thermos"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := offers.ParseCatalog("offers.json", []byte(shippingOffers))
			if err != nil {
				t.Fatal(err)
			}
			core, logs := observer.New(zapcore.InfoLevel)
			h := &Handler{Catalog: "offers.json", catalog: cat, store: tt.store, logger: zap.New(core)}
			h.withholdShipping()
			var shown []string
			for _, o := range h.catalog.Select(offers.PlacementThankYou, order, time.Now(), 10) {
				shown = append(shown, o.ID)
			}
			if !slices.Equal(shown, tt.shown) {
				t.Errorf("selected %v, want %v", shown, tt.shown)
			}
			entries := logs.All()
			switch {
			case !tt.warn && len(entries) != 0:
				t.Errorf("logged %v, want nothing", entries)
			case tt.warn && (len(entries) != 1 || entries[0].Level != zapcore.WarnLevel || !slices.Equal(entries[0].ContextMap()["offers"].([]any), []any{"thermos"})):
				t.Errorf("logged %v, want one warn line naming the thermos", entries)
			}
		})
	}
}
