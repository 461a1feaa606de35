package stores

import (
	"context"

	"github.com/kairoedge/kairo/offers"
)

// ProductContexter is a Store that can describe the product of a product
// page (the contract's optional product_context): its price, currency,
// tags, variants and stock. A store without it, or one that answers nil
// without an error (not configured), leaves product pages with the product
// id from the page's address alone.
type ProductContexter interface {
	ProductContext(ctx context.Context, shopper Shopper, productID string) (*offers.ProductContext, error)
}
