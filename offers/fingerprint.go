package offers

// Domain tags keep the parts of a fingerprint apart: a product id and a tag
// with the same spelling hash differently.
const (
	fingerprintProduct uint64 = iota + 1
	fingerprintItemTag
	fingerprintCustomerTag
)

// Fingerprint is a stable 64-bit hash of everything selection reads from the
// context: currency, subtotal, the set of product ids, the set of item tags,
// the set of customer tags, whether the customer is new, and the status.
// It leaves out the id, quantities, prices and variant ids, so carts that
// differ only in those share a fingerprint, and a cache keyed by (placement,
// fingerprint) serves them all. Order and case of items and tags do not
// matter; a product id or tag that repeats counts each time, which at worst
// costs a cache miss. The value is the same in every process and release.
func (c *Context) Fingerprint() uint64 {
	// Sets are hashed as the sum of their members' mixed hashes, which does
	// not depend on order and needs no sorting or allocation.
	var products, itemTags, customerTags uint64
	for i := range c.Items {
		it := &c.Items[i]
		products += mix64(hashString(fnvOffset^fingerprintProduct, it.ProductID))
		for _, tag := range it.Tags {
			itemTags += mix64(hashFolded(fnvOffset^fingerprintItemTag, tag))
		}
	}
	newCustomer := uint64(0)
	if c.NewCustomer() {
		newCustomer = 1
	}
	if c.Customer != nil {
		for _, tag := range c.Customer.Tags {
			customerTags += mix64(hashFolded(fnvOffset^fingerprintCustomerTag, tag))
		}
	}
	h := hashString(fnvOffset, c.Currency)
	h = hashUint64(h, uint64(c.Subtotal))
	h = hashUint64(h, products)
	h = hashUint64(h, itemTags)
	h = hashUint64(h, customerTags)
	h = hashUint64(h, newCustomer)
	h = hashFolded(h, c.Status)
	return mix64(h)
}
