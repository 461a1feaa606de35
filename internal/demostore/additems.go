package demostore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Limits on an add-items request.
const (
	maxAddItemsBody = 64 << 10
	maxItemsPerAdd  = 20
	maxUnitPrice    = 100_000_000 // minor units; keeps every total far from overflow
	maxOfferIDLen   = 200
	maxIdemKeyLen   = 255
)

// addItemsRequest is the body of POST /api/orders/{order_id}/upsells and
// POST /api/cart/items (store contract v1; the cart form has no order_id).
type addItemsRequest struct {
	OrderID  string        `json:"order_id,omitempty"`
	OfferID  string        `json:"offer_id,omitempty"`
	Currency string        `json:"currency"`
	Items    []requestItem `json:"items"`
	// Shipping is an offer's shipping (store contract), in minor units:
	// charged once on the order with the items. A cart add takes none.
	Shipping int64 `json:"shipping,omitempty"`
}

// requestItem is one item to add. Prices are taken as given: Kairo signs
// them, the store only checks that they make sense. UnitPrice is what the
// customer pays per unit, discount already taken off; Discount is how much
// that is below the regular price, for display.
type requestItem struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice *int64 `json:"unit_price"`
	Discount  int64  `json:"discount,omitempty"`
}

// errBodyTooLarge is answered with 413.
var errBodyTooLarge = fmt.Errorf("the body is larger than %d bytes", maxAddItemsBody)

// decodeAddItems reads one JSON object from the body. Unknown fields are
// tolerated, as the contract allows extensions.
func decodeAddItems(w http.ResponseWriter, r *http.Request) (addItemsRequest, error) {
	var req addItemsRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAddItemsBody))
	if err := dec.Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return req, errBodyTooLarge
		}
		return req, fmt.Errorf("the body is not a JSON add-items request: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, errors.New("the body has data after the JSON object")
	}
	return req, nil
}

// linesFor checks a request against the catalog and the store currency
// and turns it into lines. pathOrderID is the order in the URL, or "" for
// the cart. Errors name the field.
func (req *addItemsRequest) linesFor(currency, pathOrderID string) ([]LineItem, error) {
	switch {
	case pathOrderID != "" && req.OrderID != "" && req.OrderID != pathOrderID:
		return nil, fmt.Errorf("order_id %q does not match the order in the URL", req.OrderID)
	case pathOrderID == "" && req.OrderID != "":
		return nil, errors.New("order_id is not expected when adding to a cart")
	case len(req.OfferID) > maxOfferIDLen:
		return nil, fmt.Errorf("offer_id is longer than %d bytes", maxOfferIDLen)
	case req.Shipping < 0 || req.Shipping > maxUnitPrice:
		return nil, fmt.Errorf("shipping: %d is outside 0 to %d", req.Shipping, maxUnitPrice)
	case pathOrderID == "" && req.Shipping != 0:
		return nil, errors.New("shipping is charged on an order, not on a cart add: nothing was added")
	case req.Currency == "":
		return nil, errors.New("currency is required")
	case req.Currency != currency:
		return nil, fmt.Errorf("currency %q is not the store currency %s", req.Currency, currency)
	case len(req.Items) == 0:
		return nil, errors.New("items must name at least one item")
	case len(req.Items) > maxItemsPerAdd:
		return nil, fmt.Errorf("items: at most %d per request", maxItemsPerAdd)
	}
	req.OrderID = pathOrderID // normalised, so equal requests fingerprint equally
	lines := make([]LineItem, 0, len(req.Items))
	for i := range req.Items {
		it := &req.Items[i]
		p, err := it.check()
		if err != nil {
			return nil, fmt.Errorf("items[%d].%w", i, err)
		}
		if it.VariantID == "" {
			it.VariantID = p.VariantID // normalised, so equal requests fingerprint equally
		}
		line := newLine(p, it.Quantity, *it.UnitPrice, it.Discount, req.OfferID)
		line.VariantID = it.VariantID
		lines = append(lines, line)
	}
	return lines, nil
}

// check validates one item; errors start with the field name.
func (it *requestItem) check() (*Product, error) {
	p, ok := productByID(it.ProductID)
	switch {
	case it.ProductID == "":
		return nil, errors.New("product_id is required")
	case !ok:
		return nil, fmt.Errorf("product_id: unknown product %q", it.ProductID)
	case it.VariantID != "" && !p.hasVariant(it.VariantID):
		return nil, fmt.Errorf("variant_id: %q is not a variant of %q (try %q)", it.VariantID, p.ProductID, p.VariantID)
	case it.Quantity < 1 || it.Quantity > maxLineQuantity:
		return nil, fmt.Errorf("quantity: %d is outside 1 to %d", it.Quantity, maxLineQuantity)
	case it.UnitPrice == nil:
		return nil, errors.New("unit_price is required (minor units)")
	case *it.UnitPrice < 0 || *it.UnitPrice > maxUnitPrice:
		return nil, fmt.Errorf("unit_price: %d is outside 0 to %d", *it.UnitPrice, maxUnitPrice)
	case it.Discount < 0 || it.Discount > maxUnitPrice-*it.UnitPrice:
		return nil, fmt.Errorf("discount: %d is negative or makes the regular price over %d", it.Discount, maxUnitPrice)
	}
	return p, nil
}

// fingerprint identifies a request's content, so that a reused
// Idempotency-Key with a different body is caught.
func (req *addItemsRequest) fingerprint() string {
	b, _ := json.Marshal(req) // plain structs: cannot fail
	return string(b)
}

// idempotencyKey returns the request's Idempotency-Key, or an error saying
// what is wrong with it.
func idempotencyKey(r *http.Request) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	switch {
	case key == "":
		return "", errors.New("the Idempotency-Key header is required")
	case len(key) > maxIdemKeyLen:
		return "", fmt.Errorf("the Idempotency-Key header is longer than %d bytes", maxIdemKeyLen)
	}
	return key, nil
}
