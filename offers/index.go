package offers

// selectionIndex finds, for one placement and currency, the offers a cart or
// order could match without looking at the others. Every offer sits in
// exactly one kind of list per placement:
//
//   - offers with a product id or tag condition, under each of their product
//     ids and tags;
//   - otherwise offers with a customer tag condition, under each customer
//     tag;
//   - otherwise (offers for everyone, perhaps within a subtotal range or
//     for new customers), in the general list.
//
// A selection therefore looks only at offers that share a product id or tag
// with the cart, a tag with the customer, or that have no such condition.
// Lists hold ranks and are sorted, best first.
type selectionIndex [placementCount]map[string]*bucket

// bucket holds the offers of one placement and one currency.
type bucket struct {
	byProduct     map[string][]int32
	byTag         map[string][]int32
	byCustomerTag map[string][]int32
	general       []int32
}

// buildSelectionIndex indexes offers given in rank order, so that every
// list comes out sorted.
func buildSelectionIndex(ranked []*Offer) selectionIndex {
	var idx selectionIndex
	for p := range idx {
		idx[p] = map[string]*bucket{}
	}
	for _, o := range ranked {
		for _, p := range o.Placements {
			b := idx[p.index()][o.Product.Currency]
			if b == nil {
				b = &bucket{
					byProduct:     map[string][]int32{},
					byTag:         map[string][]int32{},
					byCustomerTag: map[string][]int32{},
				}
				idx[p.index()][o.Product.Currency] = b
			}
			b.add(o)
		}
	}
	return idx
}

// add files the offer under its keys.
func (b *bucket) add(o *Offer) {
	t := &o.Trigger
	switch {
	case len(t.ProductIDs) > 0 || len(t.Tags) > 0:
		for _, id := range t.ProductIDs {
			b.byProduct[id] = appendRank(b.byProduct[id], o.rank)
		}
		for _, tag := range t.Tags {
			b.byTag[tag] = appendRank(b.byTag[tag], o.rank)
		}
	case len(t.CustomerTags) > 0:
		for _, tag := range t.CustomerTags {
			b.byCustomerTag[tag] = appendRank(b.byCustomerTag[tag], o.rank)
		}
	default:
		b.general = append(b.general, o.rank)
	}
}

// appendRank adds a rank to a sorted list, once: an offer listing the same
// key twice is filed once.
func appendRank(list []int32, rank int32) []int32 {
	if n := len(list); n > 0 && list[n-1] == rank {
		return list
	}
	return append(list, rank)
}
