package woocommerce

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// An edited order says what an accept added by the lines marked with its
// key, tax included, and only by those: the order's other lines, another
// accept's, and an order from before the lines were marked do not count.
func TestAddedByCountsOnlyTheAcceptsMarkedLines(t *testing.T) {
	const order = `{"id":7,"currency":"EUR","total":"53.19",
	 "line_items":[
	  {"product_id":1,"quantity":1,"total":"12.50","total_tax":"2.38","meta_data":[]},
	  {"product_id":2,"quantity":2,"total":"30.00","total_tax":"5.70","meta_data":[{"key":"_kairo_accept","value":"k1"}]},
	  {"product_id":3,"quantity":1,"total":"9.00","total_tax":"0","meta_data":[{"key":"_kairo_accept","value":"k2"}]}],
	 "shipping_lines":[
	  {"total":"4.99","total_tax":"0.95","meta_data":[{"key":"_kairo_accept","value":"k1"}]},
	  {"total":"bad","total_tax":"0","meta_data":[{"key":"_kairo_accept","value":"k3"}]}]}`
	var o restOrder
	if err := json.Unmarshal([]byte(order), &o); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key  string
		want int64
		ok   bool
	}{
		{"k1", 3000 + 570 + 499 + 95, true}, // two items with their tax, and the offer's shipping
		{"k2", 900, true},
		{"k3", 0, false}, // an amount that cannot be read: not said
		{"k4", 0, false}, // no line of its own (an accept from before the marks)
	} {
		if got, ok := o.addedBy(tt.key, 2); got != tt.want || ok != tt.ok {
			t.Errorf("addedBy(%s) = %d, %v; want %d, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}

	// A currency without decimals, a meta value that is not a string (a
	// line staff marked by hand), and a tax with more decimals than the
	// currency has (an amount is never rounded: not said).
	const yen = `{"id":8,"currency":"JPY","total":"5400",
	 "line_items":[
	  {"product_id":2,"quantity":1,"total":"4000","total_tax":"400","meta_data":[{"key":"_kairo_accept","value":"k1"}]},
	  {"product_id":3,"quantity":1,"total":"1000","total_tax":"0","meta_data":[{"key":"_kairo_accept","value":7}]},
	  {"product_id":4,"quantity":1,"total":"1000","total_tax":"0.5","meta_data":[{"key":"_kairo_accept","value":"k2"}]}]}`
	o = restOrder{}
	if err := json.Unmarshal([]byte(yen), &o); err != nil {
		t.Fatal(err)
	}
	if got, ok := o.addedBy("k1", 0); got != 4400 || !ok {
		t.Errorf("addedBy(k1) in yen = %d, %v; want 4400, true", got, ok)
	}
	if got, ok := o.addedBy("k2", 0); ok {
		t.Errorf("addedBy(k2) with a tax of half a yen = %d, true; want not said", got)
	}
}

// An order that holds the accepted item is an applied accept even when its
// total cannot be read (a JPY store left at two price decimals): the
// answer goes without the total and says why, and a repeat answers the
// same, where an error told the buyer nothing was added, every time.
func TestAnswerForAnUnreadableTotal(t *testing.T) {
	c := &Connector{}
	for _, mode := range []stores.Mode{stores.ModeEdited, stores.ModeFollowUp} {
		ans, err := c.answerFor(&restOrder{ID: 7, Currency: "jpy", Total: "1332.72"}, mode, 0)
		if err != nil || !ans.Applied() || ans.Total != 0 || ans.Charged != (offers.Money{}) || !strings.Contains(ans.Detail, `"1332.72"`) {
			t.Errorf("%s: %+v, %v; want applied, no total or charge, and why", mode, ans, err)
		}
	}
	ans, err := c.answerFor(&restOrder{ID: 8, Currency: "jpy", Total: "1333"}, stores.ModeFollowUp, 0)
	if err != nil || ans.Total != 1333 || ans.Charged != (offers.Money{Amount: 1333, Currency: "JPY"}) || ans.FollowUpOrderID != "8" || ans.Detail != "" {
		t.Errorf("a readable total: %+v, %v", ans, err)
	}
}
