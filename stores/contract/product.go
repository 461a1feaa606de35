package contract

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

// productIDPlaceholder is replaced by the product id in the product_context
// path.
const productIDPlaceholder = "{product_id}"

// ProductContext asks for a product page's product at ProductContextPath,
// with the customer's cookies (a store may price per customer). Without a
// path it answers nil: the store does not describe its products.
func (s *Store) ProductContext(ctx context.Context, shopper stores.Shopper, productID string) (*offers.ProductContext, error) {
	if s.ProductContextPath == "" {
		return nil, nil
	}
	path := strings.ReplaceAll(s.ProductContextPath, productIDPlaceholder, url.PathEscape(productID))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if shopper.Cookie != "" {
		req.Header.Set("Cookie", shopper.Cookie)
	}
	stores.SetClientAddr(req.Header, shopper.ClientAddr)
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, stores.TransportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, stores.MaxAnswer))
	if err != nil {
		return nil, stores.TransportError(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: resp.StatusCode}
	}
	p, err := offers.ParseProductContext(body)
	if err != nil {
		return nil, &stores.Failure{Reason: stores.FailBadAnswer, Err: err}
	}
	return p, nil
}

var _ stores.ProductContexter = (*Store)(nil)
