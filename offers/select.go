package offers

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// maxPooledCandidates bounds the scratch lists kept for reuse, so that one
// enormous cart does not pin memory.
const maxPooledCandidates = 1 << 14

// candidatePool recycles the scratch lists of Select.
var candidatePool = sync.Pool{New: func() any { return new([]int32) }}

// Select returns the offers to show on placement p for a cart or order at
// time now: at most max offers, best first (higher Priority, then lower ID).
// Every offer returned Matches the context: it is scheduled at now, it is in
// the context's currency, its product is not already in the cart or order,
// and its trigger holds. Select returns nil when nothing matches, max is
// below 1 or ctx is nil.
//
// The result depends on the catalog, p, now and the parts of ctx that
// ctx.Fingerprint covers, so it can be cached by (p, fingerprint) for as
// long as schedules allow. The cost of a selection grows with the offers
// that share a product id or tag with the cart, or a tag with the customer,
// not with the size of the catalog.
func (c *Catalog) Select(p Placement, ctx *Context, now time.Time, max int) []*Offer {
	pi := p.index()
	if ctx == nil || max < 1 || pi < 0 {
		return nil
	}
	b := c.index[pi][ctx.Currency]
	if b == nil {
		return nil
	}
	scratch := candidatePool.Get().(*[]int32)
	keyed := b.candidates((*scratch)[:0], ctx)
	slices.Sort(keyed)

	// Walk the keyed candidates and the general list together, in rank
	// order, until enough offers match. A rank repeats when an offer shares
	// several keys with the cart; the walk skips repeats.
	var selected []*Offer
	general := b.general
	i, j, last := 0, 0, int32(-1)
	for len(selected) < max && (i < len(keyed) || j < len(general)) {
		var r int32
		if j == len(general) || (i < len(keyed) && keyed[i] < general[j]) {
			r, i = keyed[i], i+1
		} else {
			r, j = general[j], j+1
		}
		if r == last {
			continue
		}
		last = r
		// An offer reached through one of its keys, or through the general
		// list (no item condition), meets its item condition already.
		if o := c.ranked[r]; o.eligible(p, ctx, now) {
			if selected == nil {
				selected = make([]*Offer, 0, min(max, 8))
			}
			selected = append(selected, o)
		}
	}
	if cap(keyed) <= maxPooledCandidates {
		*scratch = keyed[:0]
		candidatePool.Put(scratch)
	}
	return selected
}

// candidates appends the ranks of the offers filed under the cart's product
// ids and tags and the customer's tags. Ranks may repeat.
func (b *bucket) candidates(dst []int32, ctx *Context) []int32 {
	for i := range ctx.Items {
		it := &ctx.Items[i]
		dst = append(dst, b.byProduct[it.ProductID]...)
		for _, tag := range it.Tags {
			dst = append(dst, b.byTag[strings.ToLower(tag)]...)
		}
	}
	if ctx.Customer != nil {
		for _, tag := range ctx.Customer.Tags {
			dst = append(dst, b.byCustomerTag[strings.ToLower(tag)]...)
		}
	}
	return dst
}
