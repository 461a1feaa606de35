package caddymodule

import (
	"crypto/sha256"
	"encoding/hex"
	"math/bits"
	"strings"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// The analytics records in the state layer. Counters are plain Incr keys,
// one per offer × variant × placement × arm × day and figure, so a fleet
// on one shared store adds up without coordination, and the dashboard
// reads them by building every key from the catalog and the days shown:
// the state layer has no scan, and needs none.
//
//	an/<day>/o/<offer>/<variant>/<placement>/<arm>/<figure>   offer counters
//	an/<day>/order/<arm>/<currency>/<n|sum|sq>                orders seen
//	an/seen/<order>                                           an order counted (JSON orderSeen)
//	an/shown/<placement>/<offer>:<cart or order>              an impression counted
//	an/cartcust/<cart>                                        the customer of a cart offers were shown on
//	an/pending/<identity>                                     cart accepts waiting for an order (JSON)
const analyticsNS = "an/"

// Lifetimes of the analytics records.
const (
	// counterTTL keeps a year of daily counters, and a month to spare.
	counterTTL = 400 * 24 * time.Hour
	// seenTTL is how long an order is remembered as counted: its thank-you
	// page revisited later is not counted again, and its post-purchase
	// accepts still find its value.
	seenTTL = 90 * 24 * time.Hour
	// pendingTTL is how long a cart accept waits for an order that
	// contains it; an order placed later is not credited to the offer.
	pendingTTL = 30 * 24 * time.Hour
	// shownTTL is how long an offer shown for a cart or order is
	// remembered, so that reloads are not counted as impressions.
	shownTTL = 7 * 24 * time.Hour
	// cartCustomerTTL is how long a cart is remembered with its customer,
	// long enough for any cart token.
	cartCustomerTTL = 7 * 24 * time.Hour
)

// Offer figures counted per offer × variant × placement × arm × day.
const (
	figImpressions = "imp"    // carts or orders an offer was shown for (reloads not counted)
	figShadow      = "shadow" // carts or orders a shadow offer was selected for, not shown
	figAccepts     = "acc"    // accepts the store applied
	figFailures    = "fail"   // accepts the store refused (402, 409, 5xx)
	figDeclines    = "dec"    // offers turned down
	figRevenue     = "rev"    // attributed revenue, minor units of the offer's currency
	figOrders      = "conv"   // orders that contain an accepted cart offer
	// figUnconfirmed is the part of figRevenue counted at the offer's price
	// because the store's answer did not say what it charged.
	figUnconfirmed = "revu"
)

// offerFigures are all the figures of an offer, in report order.
var offerFigures = []string{figImpressions, figShadow, figAccepts, figFailures, figDeclines, figRevenue, figOrders, figUnconfirmed}

// Order figures per arm × currency × day.
const (
	figOrderCount = "n"   // orders seen at the thank-you page
	figOrderSum   = "sum" // sum of their totals, minor units
	// The sum of the squares of their totals, in two parts (squareParts):
	// one square of a total in a currency of large minor units (3.1e9
	// for IDR 31,000,000.00) is near the most a counter holds.
	figOrderSquaresHigh = "sqh" // in units of 2³²
	figOrderSquaresLow  = "sql" // the rest
	// figOrderSquaresOld is the one counter of squares written before
	// they were split, still read for the days it holds.
	figOrderSquaresOld = "sq"
)

// squareParts splits x² into the parts its counters keep, x² = high·2³² +
// low, low < 2³²: a day's sums stay exact while its orders' squares add up
// to less than 2⁹⁵ (a million orders of up to 1.9e11 minor units each;
// one counter of squares overflowed with a single order of 3.1e9). Of a
// total changed from w to x, the change in its square is squareParts(x)
// less squareParts(w), part by part.
func squareParts(x int64) (high, low int64) {
	if x < 0 {
		x = -x
	}
	// A total past 2⁴⁷ minor units (1.4e14) is no order: counted at that,
	// not wrapped.
	x = min(x, 1<<47)
	hi, lo := bits.Mul64(uint64(x), uint64(x))
	return int64(hi<<32 | lo>>32), int64(lo & (1<<32 - 1))
}

// squaresOf joins the sums of squareParts' parts (and the sum kept in one
// counter before they were split) into the sum of the squares.
func squaresOf(high, low, old int64) float64 {
	return float64(high)*(1<<32) + float64(low) + float64(old)
}

// noVariant stands for the variant of an offer without an A/B test.
const noVariant = "-"

// dayOf is the UTC day a counter is kept under.
func dayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// offerKey names one offer counter.
func offerKey(day, offer, variant string, pl offers.Placement, arm offers.Arm, figure string) string {
	if variant == "" {
		variant = noVariant
	}
	return analyticsNS + day + "/o/" + offer + "/" + variant + "/" + string(pl) + "/" + string(arm) + "/" + figure
}

// orderKey names one order counter.
func orderKey(day string, arm offers.Arm, currency, figure string) string {
	return analyticsNS + day + "/order/" + string(arm) + "/" + currency + "/" + figure
}

// idKey puts an id from the store (an order, cart or customer id) into a
// key: short ids as they are, long or odd ones by their hash, so that a
// store's id cannot make a key unbounded or reach into another namespace.
func idKey(kind, id string) string {
	if len(id) <= 96 && !strings.ContainsAny(id, "/\x00") {
		return analyticsNS + kind + "/" + id
	}
	sum := sha256.Sum256([]byte(id))
	return analyticsNS + kind + "/#" + hex.EncodeToString(sum[:16])
}
