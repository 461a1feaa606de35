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
)

// placementCount is how many placements exist; index values are below it.
const placementCount = 2

// Valid reports whether p is one of the placements Kairo knows.
func (p Placement) Valid() bool {
	return p.index() >= 0
}

// index numbers the placements for compact storage (tokens, index tables);
// it is -1 for an unknown placement.
func (p Placement) index() int {
	switch p {
	case PlacementCart:
		return 0
	case PlacementThankYou:
		return 1
	}
	return -1
}
