package offers

// Placement is where on the store an offer is shown.
type Placement string

// The placements Kairo knows. A catalog that names any other placement is
// refused.
const (
	// PlacementCart is the cart page, before payment: an accepted offer is
	// added to the cart.
	PlacementCart Placement = "cart"
	// PlacementThankYou is the order confirmation page, after payment: an
	// accepted offer is added to the paid order with one click.
	PlacementThankYou Placement = "thank_you"
	// PlacementProduct is a product page, before payment: offers bought
	// together with the page's product ("frequently bought together"),
	// several added to the cart with one click.
	PlacementProduct Placement = "product"
	// PlacementCheckout is the checkout page, before payment: one compact
	// order bump next to the pay button, added to the cart.
	PlacementCheckout Placement = "checkout"
	// PlacementPopup is the dialog that opens right after the customer adds
	// something to the cart: add-ons for the new cart.
	PlacementPopup Placement = "popup"
)

// placements lists the placements by index (see Placement.index): the
// order is part of the token format and must never change; add at the end.
var placements = [...]Placement{PlacementCart, PlacementThankYou, PlacementProduct, PlacementCheckout, PlacementPopup}

// placementCount is how many placements exist; index values are below it.
const placementCount = len(placements)

// Placements returns every placement Kairo knows, in a fixed order.
func Placements() []Placement {
	return placements[:]
}

// Valid reports whether p is one of the placements Kairo knows.
func (p Placement) Valid() bool {
	return p.index() >= 0
}

// PrePurchase reports whether an accepted offer on p goes into the
// customer's cart (with the customer's cookies) rather than into a paid
// order.
func (p Placement) PrePurchase() bool {
	return p.Valid() && p != PlacementThankYou
}

// index numbers the placements for compact storage (tokens, index tables);
// it is -1 for an unknown placement.
func (p Placement) index() int {
	for i, q := range placements {
		if p == q {
			return i
		}
	}
	return -1
}

// placementAt is the placement numbered i, and whether there is one.
func placementAt(i byte) (Placement, bool) {
	if int(i) < len(placements) {
		return placements[i], true
	}
	return "", false
}
