package vendure

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/stores"
)

// slowAfterChange is the admin API of a Vendure whose answers become slow
// right after an order was modified, past the accept's deadline: the
// fault of a store that is busy at that moment, which a real Vendure
// cannot be made to have on demand. It answers the calls of an order
// accept only.
type slowAfterChange struct {
	mu       sync.Mutex
	state    string
	total    int64
	mods     []map[string]any
	payments int
	slow     time.Duration
}

func (f *slowAfterChange) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query     string
		Variables map[string]any
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	modified := len(f.mods) > 0
	f.mu.Unlock()
	if modified {
		time.Sleep(f.slow)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("vendure-auth-token", "t")
	order := map[string]any{"id": "1", "code": "ABC", "state": f.state, "currencyCode": "USD",
		"subTotalWithTax": f.total, "totalWithTax": f.total, "lines": []any{}, "modifications": f.mods,
		"payments": []any{map[string]any{"state": "Settled", "transactionId": "x"}}}
	data := map[string]any{}
	switch q := in.Query; {
	case strings.Contains(q, "login("):
		data["login"] = map[string]any{"__typename": "CurrentUser"}
	case strings.Contains(q, "orders(options"):
		data["orders"] = map[string]any{"items": []any{order}}
	case strings.Contains(q, "transitionOrderToState"):
		f.state = in.Variables["state"].(string)
		data["transitionOrderToState"] = map[string]any{"__typename": "Order", "id": "1", "state": f.state}
	case strings.Contains(q, "modifyOrder"):
		input := in.Variables["input"].(map[string]any)
		if input["dryRun"] != true {
			f.total += 2000
			f.mods = append(f.mods, map[string]any{"note": input["note"], "priceChange": 2000})
		}
		data["modifyOrder"] = map[string]any{"__typename": "Order", "id": "1", "state": f.state, "totalWithTax": f.total + 2500}
	case strings.Contains(q, "addManualPaymentToOrder"):
		f.payments++
		data["addManualPaymentToOrder"] = map[string]any{"__typename": "Order", "id": "1"}
	default:
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// Once the order holds the offer's items, the rest of the accept (reading
// the order back, the payment, the way back to its paid state) runs to its
// end though the accept's own deadline passes meanwhile: cut short, it
// left the order in Modifying with nothing paid, and the buyer was told
// nothing was added.
func TestOrderAcceptFinishesPastTheDeadlineOnceApplied(t *testing.T) {
	store := &slowAfterChange{state: "PaymentSettled", total: 5000, slow: 300 * time.Millisecond}
	srv := httptest.NewServer(store)
	defer srv.Close()
	c := &Connector{Endpoint: stores.Endpoint{URL: srv.URL}, AdminUser: "a", AdminPassword: "b"}
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	defer c.Cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	ans, err := c.OrderAccept(ctx, stores.AcceptRequest{Key: "ABC/offer-1", OrderID: "ABC", OfferID: "offer-1", Currency: "USD",
		Items: []stores.Line{{ProductID: "3", VariantID: "7", Quantity: 1, UnitPrice: 2000, Discount: 500}}})
	store.mu.Lock()
	defer store.mu.Unlock()
	if err != nil || !ans.Applied() {
		t.Errorf("accept: %+v, %v; want applied (the order holds the items)", ans, err)
	}
	if len(store.mods) != 1 || store.state == "Modifying" {
		t.Errorf("the store: %d modifications, state %s; want one, and the order out of Modifying", len(store.mods), store.state)
	}
}
