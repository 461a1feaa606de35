package caddymodule

import (
	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

// offerResult is the answer about one offer of an accept request that named
// several (a product page's bundle of add-ons).
type offerResult struct {
	OfferID string `json:"offer_id"`
	Outcome
	placement offers.Placement // where the offer was shown (for the words of the whole answer)
}

// combineResults is the answer to a whole accept request: the one offer's
// answer; for several, "accepted" when every offer was added (with the
// last total the store gave), the first failure when none was, and
// "partly_added" in between. Each offer keeps its own answer in results.
func combineResults(results []offerResult) Outcome {
	if len(results) == 1 {
		return results[0].Outcome
	}
	added, total := 0, ""
	var firstFailure *Outcome
	for i := range results {
		out := &results[i].Outcome
		if out.Status == "accepted" {
			added++
			if out.Total != "" {
				total = out.Total
			}
		} else if firstFailure == nil {
			firstFailure = out
		}
	}
	switch added {
	case len(results):
		out := results[len(results)-1].Outcome
		out.Total = total
		return out
	case 0:
		return *firstFailure
	}
	out := outcomes["partly_added"]
	out.Total = total
	return out
}

// bundleView prices a product page's bundle for the widget: the page's
// product as shown beside its add-ons, and the total and saving of every
// choice of add-ons (by bit mask), so that the browser only picks one.
func bundleView(picked []offers.Pick, product *offers.ProductContext, loc offers.Locale) (*widget.PageProduct, []widget.Total) {
	var page *widget.PageProduct
	var pagePrice *offers.Money
	if product != nil {
		page = &widget.PageProduct{Title: product.Title, Image: product.Image}
		if !widget.ImageURLAllowed(product.Image) {
			page.Image = ""
		}
		if product.UnitPrice > 0 && product.Currency != "" {
			m := offers.Money{Amount: product.UnitPrice, Currency: product.Currency}
			page.Price, pagePrice = m.FormatIn(loc), &m
		}
	}
	if len(picked) == 0 || len(picked) > maxBundleOffers {
		return page, nil
	}
	currency := picked[0].FinalUnitPrice.Currency
	totals := make([]widget.Total, 1<<len(picked))
	for mask := range totals {
		var price, saving int64
		for i, pk := range picked {
			if mask&(1<<i) != 0 {
				price += pk.Total().Amount
				saving += pk.Discount.Amount * int64(pk.Quantity)
			}
		}
		t := widget.Total{Price: offers.Money{Amount: price, Currency: currency}.FormatIn(loc)}
		if saving > 0 {
			t.Saving = offers.Money{Amount: saving, Currency: currency}.FormatIn(loc)
		}
		if pagePrice != nil && pagePrice.Currency == currency {
			t.Together = offers.Money{Amount: price + pagePrice.Amount, Currency: currency}.FormatIn(loc)
		}
		totals[mask] = t
	}
	return page, totals
}

// maxBundleOffers bounds the offers whose every combination is priced.
const maxBundleOffers = 6
