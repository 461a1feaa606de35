package offers

import (
	"strings"
	"sync"
	"time"
)

// maxPooledLists bounds the scratch kept for reuse, so that one enormous
// cart does not pin memory.
const maxPooledLists = 1 << 12

// scratchPool recycles the working memory of Select.
var scratchPool = sync.Pool{New: func() any { return new(selectScratch) }}

// selectScratch is the working memory of one selection.
type selectScratch struct {
	lists rankHeap // the rank lists being merged
	cart  []uint64 // productHash of every item of the cart or order
}

// inCart reports whether the offer's product is in the cart or order,
// comparing hashes first so that most offers cost no string comparison.
func (s *selectScratch) inCart(o *Offer, ctx *Context) bool {
	for i, h := range s.cart {
		if h == o.productHash && ctx.Items[i].ProductID == o.Product.ProductID {
			return true
		}
	}
	return false
}

// Select returns the offers to show on placement p for a cart or order at
// time now: at most max offers, best first (higher Priority, then lower ID).
// Every offer returned Matches the context: it is scheduled at now, it is in
// the context's currency, its product is not already in the cart or order,
// and its trigger holds; none is withheld (Withhold). Select returns nil
// when nothing matches, max is below 1 or ctx is nil.
//
// The result depends on the catalog, p, now and the parts of ctx that
// ctx.Fingerprint covers, so it can be cached by (p, fingerprint) for as
// long as schedules allow. The cost of a selection grows with the offers
// that share a product id or tag with the cart or a tag with the customer,
// not with the size of the catalog, and it stops as soon as max offers
// are found.
func (c *Catalog) Select(p Placement, ctx *Context, now time.Time, max int) []*Offer {
	pi := p.index()
	if ctx == nil || max < 1 || pi < 0 {
		return nil
	}
	b := c.index[pi][ctx.Currency]
	if b == nil {
		return nil
	}
	scratch := scratchPool.Get().(*selectScratch)
	h := &scratch.lists
	b.candidateLists(h, ctx)
	used := len(*h)
	h.init()
	for i := range ctx.Items {
		scratch.cart = append(scratch.cart, productHash(ctx.Items[i].ProductID))
	}

	// Take ranks from all lists in order, best first, until enough offers
	// match. A rank repeats when an offer shares several keys with the
	// cart; repeats come one after the other and are skipped.
	var selected []*Offer
	last := int32(-1)
	for len(selected) < max && len(*h) > 0 {
		r := h.pop()
		if r == last {
			continue
		}
		last = r
		// An offer reached through one of its keys, or through the general
		// list (no item condition), meets its item condition already.
		if o := c.ranked[r]; o.eligible(p, ctx, now) && !scratch.inCart(o, ctx) && !c.withheld[o.ID] {
			if selected == nil {
				selected = make([]*Offer, 0, min(max, 8))
			}
			selected = append(selected, o)
		}
	}
	// Drop the references to the index before pooling, so that a pooled
	// scratch does not keep a replaced catalog alive.
	*h = (*h)[:used]
	clear(*h)
	if used <= maxPooledLists && len(scratch.cart) <= maxPooledLists {
		*h = (*h)[:0]
		scratch.cart = scratch.cart[:0]
		scratchPool.Put(scratch)
	}
	return selected
}

// candidateLists collects the non-empty rank lists that can hold offers
// for the context: those filed under the cart's product ids and tags and
// the customer's tags, and the general list.
func (b *bucket) candidateLists(h *rankHeap, ctx *Context) {
	for i := range ctx.Items {
		it := &ctx.Items[i]
		h.add(b.byProduct[it.ProductID])
		for _, tag := range it.Tags {
			h.add(b.byTag[strings.ToLower(tag)])
		}
	}
	if ctx.Customer != nil {
		for _, tag := range ctx.Customer.Tags {
			h.add(b.byCustomerTag[strings.ToLower(tag)])
		}
	}
	h.add(b.general)
}

// rankHeap merges sorted rank lists: a min-heap of the lists, ordered by
// their first rank. Popping yields every rank of every list in ascending
// order, repeats included, at a cost of log(lists) per rank; building it
// costs one pass over the lists, so a selection that finds its offers early
// never pays for the ranks it does not reach.
type rankHeap [][]int32

// add puts a list in, unless it is empty. Call init before popping.
func (h *rankHeap) add(list []int32) {
	if len(list) > 0 {
		*h = append(*h, list)
	}
}

// init orders the heap.
func (h rankHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop removes and returns the smallest first rank.
func (h *rankHeap) pop() int32 {
	top := (*h)[0]
	r := top[0]
	if len(top) > 1 {
		(*h)[0] = top[1:]
	} else {
		n := len(*h) - 1
		(*h)[0] = (*h)[n]
		(*h)[n] = nil
		*h = (*h)[:n]
	}
	if len(*h) > 0 {
		h.down(0)
	}
	return r
}

// down moves the list at i towards the leaves until the heap is ordered.
func (h rankHeap) down(i int) {
	for {
		smallest := i
		left, right := 2*i+1, 2*i+2
		if left < len(h) && h[left][0] < h[smallest][0] {
			smallest = left
		}
		if right < len(h) && h[right][0] < h[smallest][0] {
			smallest = right
		}
		if smallest == i {
			return
		}
		h[i], h[smallest] = h[smallest], h[i]
		i = smallest
	}
}
