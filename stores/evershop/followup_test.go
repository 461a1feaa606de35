package evershop

import (
	"context"
	"net/http"
	"testing"

	"github.com/kairoedge/kairo/stores"
)

// An offer that charges shipping is refused before the store is asked
// anything: the connector cannot charge it, and must not drop it.
func TestOrderAcceptRefusesShipping(t *testing.T) {
	c := &Connector{Endpoint: stores.Endpoint{URL: "http://127.0.0.1:1"}} // nothing answers there
	ans, err := c.OrderAccept(context.Background(), stores.AcceptRequest{
		Key: "k", OrderID: "o", OfferID: "mug", Currency: "USD", Shipping: 499,
		Items: []stores.Line{{ProductID: "1", Quantity: 1, UnitPrice: 1000}},
	})
	if err != nil || ans.Status != http.StatusConflict || ans.Reason != stores.ReasonConflict || ans.Detail != shippingRefused {
		t.Errorf("answer %+v, %v; want 409 conflict saying why", ans, err)
	}
}
