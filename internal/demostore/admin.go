package demostore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// maxAdminBody bounds /_demo request bodies.
const maxAdminBody = 16 << 10

// serveGetFaults answers GET /_demo/faults with the faults in force.
func (s *Store) serveGetFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

// serveSetFaults answers POST /_demo/faults: the body replaces all faults
// (absent fields are cleared) and the answer echoes what is in force.
func (s *Store) serveSetFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := decodeAdminBody(w, r, &f); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.Faults())
}

// serveClearFaults answers DELETE /_demo/faults.
func (s *Store) serveClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	writeJSON(w, http.StatusOK, s.Faults())
}

// serveStats answers GET /_demo/stats.
func (s *Store) serveStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

// serveResetStats answers DELETE /_demo/stats.
func (s *Store) serveResetStats(w http.ResponseWriter, r *http.Request) {
	s.ResetStats()
	writeJSON(w, http.StatusOK, s.Stats())
}

// createOrderRequest is the body of POST /_demo/orders.
type createOrderRequest struct {
	Items []struct {
		ProductID string `json:"product_id"`
		Quantity  int    `json:"quantity"`
	} `json:"items"`
	// PlacedAt backdates the order (RFC 3339); absent means now.
	PlacedAt time.Time `json:"placed_at"`
}

// serveCreateOrder answers POST /_demo/orders with a new paid order, e.g.
// {"items":[{"product_id":"mug","quantity":1}]} (quantity defaults to 1),
// optionally with "placed_at" to backdate it.
// Prices come from the catalog. The answer is the order, status 201.
func (s *Store) serveCreateOrder(w http.ResponseWriter, r *http.Request) {
	var req createOrderRequest
	if err := decodeAdminBody(w, r, &req); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	var productIDs []string
	for i, it := range req.Items {
		if it.Quantity == 0 {
			it.Quantity = 1
		}
		if it.Quantity < 0 || it.Quantity > maxLineQuantity {
			writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("items[%d].quantity: %d is outside 1 to %d", i, it.Quantity, maxLineQuantity))
			return
		}
		for range it.Quantity {
			productIDs = append(productIDs, it.ProductID)
		}
	}
	id, err := s.CreateOrderAt(req.PlacedAt, productIDs...)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	o, _ := s.Order(id)
	w.Header().Set("Location", "/api/orders/"+id)
	writeJSON(w, http.StatusCreated, o)
}

// serveExpireOrder answers POST /_demo/orders/{order_id}/expire: the
// order's accept window closes now.
func (s *Store) serveExpireOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("order_id")
	if !s.ExpireOrder(id) {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	o, _ := s.Order(id)
	writeJSON(w, http.StatusOK, o)
}

// decodeAdminBody reads one small JSON object into v.
func decodeAdminBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the body is not valid JSON for this endpoint: %w", err)
	}
	return nil
}
