package offers

import (
	"slices"
	"time"
)

// The one place that decides which offers a cart or order is shown: the
// inline box (Shelf) and the post-purchase offer page (Next) ask here, and
// only render what they are told.
//
// The rules:
//   - An offer that another offer names in on_decline or on_accept is a
//     follower: it is shown only when reached through that offer (a downsell
//     after a decline, the next step after an accept), never on its own. The
//     other offers are entries.
//   - A follower reached this way must still apply on its own terms
//     (Offer.Matches); one that does not is passed over for its own follower
//     of the same kind, up to maxFollowHops offers down the chain.
//   - An offer whose frequency cap is reached for the customer is skipped,
//     like one that does not match; so is an offer the catalog withholds
//     (Withhold), wherever it would come.
//   - The offer page shows one offer at a time and never the same offer
//     twice for one order; after maxSteps steps it is done.

// maxFollowHops bounds how far a decline or an accept is followed down a
// chain of offers that do not apply.
const maxFollowHops = 4

// DefaultCapPeriod is the period of a frequency cap whose catalog entry
// gives max_per_customer without cap_period.
const DefaultCapPeriod = 30 * 24 * time.Hour

// FrequencyCap limits how often one customer (by the store's customer id)
// is shown an offer: in at most MaxPerCustomer orders within Period. The
// zero FrequencyCap sets no limit.
type FrequencyCap struct {
	MaxPerCustomer int           `json:"max_per_customer,omitzero"`
	Period         time.Duration `json:"cap_period,omitzero"`
}

// History is what a choice needs to know beyond the cart or order itself.
// Nil functions mean "nothing recorded".
type History struct {
	// Declined reports whether this cart or order turned the offer down
	// (in the inline box).
	Declined func(offerID string) bool
	// ShownElsewhere returns in how many other orders of the same customer
	// the offer was shown within its cap period. It is asked only for
	// offers with a FrequencyCap, and only when the context names a
	// customer.
	ShownElsewhere func(offerID string) int
	// Hidden reports offers that must not be shown now (paused, or only
	// measured in the shadow); Next passes over them. Shelf leaves them in,
	// so that a caller can count a shadow offer in its slot.
	Hidden func(offerID string) bool
}

// hidden reports whether the offer must not be shown now.
func (h History) hidden(id string) bool {
	return h.Hidden != nil && h.Hidden(id)
}

// capped reports whether the customer has seen the offer as often as its
// cap allows.
func (h History) capped(o *Offer, ctx *Context) bool {
	if o.Cap.MaxPerCustomer <= 0 || h.ShownElsewhere == nil || ctx.Customer == nil || ctx.Customer.ID == "" {
		return false
	}
	return h.ShownElsewhere(o.ID) >= o.Cap.MaxPerCustomer
}

// declined reports whether the cart or order declined the offer.
func (h History) declined(id string) bool {
	return h.Declined != nil && h.Declined(id)
}

// Follower reports whether some offer names id in on_decline or on_accept,
// which makes it a step that is shown only when reached.
func (c *Catalog) Follower(id string) bool {
	return c.followers[id]
}

// followersOf lists the ids named by some offer's on_decline or on_accept.
func followersOf(offers []*Offer) map[string]bool {
	m := make(map[string]bool)
	for _, o := range offers {
		if o.OnDecline != "" {
			m[o.OnDecline] = true
		}
		if o.OnAccept != "" {
			m[o.OnAccept] = true
		}
	}
	return m
}

// Shelf chooses the offers for a page that shows several at once (the
// inline box): from candidates, Select's answer best first, the entry
// offers in order, each declined one replaced by its downsell when that
// applies, capped offers left out, no offer twice, at most max.
func (c *Catalog) Shelf(p Placement, ctx *Context, candidates []*Offer, h History, now time.Time, max int) []*Offer {
	var picked []*Offer
	for _, o := range candidates {
		if len(picked) >= max {
			break
		}
		if c.followers[o.ID] || h.capped(o, ctx) {
			continue
		}
		for hops := 0; o != nil && h.declined(o.ID); hops++ {
			if hops == maxFollowHops {
				o = nil
				break
			}
			o = c.follow(o.OnDecline, p, ctx, h, now)
		}
		if o != nil && !slices.Contains(picked, o) {
			picked = append(picked, o)
		}
	}
	return picked
}

// ShelfDeclines appends to dst the offers whose declines Shelf may ask
// about for candidates: each entry offer and the downsells its declines
// can lead to, each once. A caller that reads declines from a store reads
// these at once (one read per page); Shelf asks about no other offer.
func (c *Catalog) ShelfDeclines(dst []string, candidates []*Offer) []string {
	for _, o := range candidates {
		if c.followers[o.ID] {
			continue
		}
		// Shelf asks about the entry and up to maxFollowHops downsells.
		for hops := 0; o != nil && hops <= maxFollowHops; hops++ {
			if !slices.Contains(dst, o.ID) {
				dst = append(dst, o.ID)
			}
			o = c.byID[o.OnDecline]
		}
	}
	return dst
}

// follow returns the offer id names when it applies to the context and its
// cap allows it, or nil.
func (c *Catalog) follow(id string, p Placement, ctx *Context, h History, now time.Time) *Offer {
	o := c.byID[id]
	if o == nil || c.withheld[id] || !o.Matches(p, ctx, now) || h.capped(o, ctx) {
		return nil
	}
	return o
}

// StepOutcome is what became of one step of the offer page.
type StepOutcome string

// The outcomes of a step.
const (
	// StepShown: the offer is on the page, waiting for an answer.
	StepShown StepOutcome = "shown"
	// StepAccepted: the customer added it to the order.
	StepAccepted StepOutcome = "accepted"
	// StepDeclined: the customer turned it down.
	StepDeclined StepOutcome = "declined"
)

// Step is one offer of an order's offer page and what became of it.
type Step struct {
	OfferID string      `json:"offer"`
	Outcome StepOutcome `json:"outcome"`
}

// Funnel is the steps of one order's offer page so far, in order. It is
// kept by the caller (in the state layer) and handed back to Next; the
// browser never supplies it.
type Funnel struct {
	Steps []Step `json:"steps"`
}

// Current is the offer shown and waiting for an answer, or "".
func (f Funnel) Current() string {
	if n := len(f.Steps); n > 0 && f.Steps[n-1].Outcome == StepShown {
		return f.Steps[n-1].OfferID
	}
	return ""
}

// Outcome returns what became of the offer on this order's page, and
// whether it was shown at all.
func (f Funnel) Outcome(offerID string) (StepOutcome, bool) {
	for _, s := range f.Steps {
		if s.OfferID == offerID {
			return s.Outcome, true
		}
	}
	return "", false
}

// Show returns the funnel with offerID shown as its next step, unless it
// is the current step already.
func (f Funnel) Show(offerID string) Funnel {
	if f.Current() == offerID {
		return f
	}
	return Funnel{Steps: append(slices.Clone(f.Steps), Step{OfferID: offerID, Outcome: StepShown})}
}

// Answer returns the funnel with the current step answered (accepted or
// declined). It reports false, and the funnel unchanged, when offerID is
// not the current step: a page from an earlier step, or another tab, does
// not get to answer twice.
func (f Funnel) Answer(offerID string, out StepOutcome) (Funnel, bool) {
	if f.Current() != offerID || out == StepShown {
		return f, false
	}
	steps := slices.Clone(f.Steps)
	steps[len(steps)-1].Outcome = out
	return Funnel{Steps: steps}, true
}

// Next answers "what next for this order?" on the offer page: the offer
// waiting for an answer when it still applies, else the next step, or nil
// when the page is done. After an accept the next step is the offer's
// on_accept, after a decline its on_decline (each only if it applies);
// otherwise, and when the chain runs out, the best entry offer among
// candidates (Select's answer, best first) that was not shown yet. The
// page is done after maxSteps steps.
func (c *Catalog) Next(p Placement, ctx *Context, candidates []*Offer, f Funnel, h History, now time.Time, maxSteps int) *Offer {
	usable := func(o *Offer) bool {
		_, seen := f.Outcome(o.ID)
		return !seen && o.Matches(p, ctx, now) && !h.capped(o, ctx) && !h.hidden(o.ID) && !c.withheld[o.ID]
	}
	if cur := f.Current(); cur != "" {
		if o := c.byID[cur]; o != nil && o.Matches(p, ctx, now) && !h.hidden(o.ID) && !c.withheld[cur] {
			return o
		}
	}
	if len(f.Steps) >= maxSteps {
		return nil
	}
	if n := len(f.Steps); n > 0 {
		last := c.byID[f.Steps[n-1].OfferID]
		for hops := 0; last != nil && hops < maxFollowHops; hops++ {
			var id string
			switch f.Steps[n-1].Outcome {
			case StepAccepted:
				id = last.OnAccept
			case StepDeclined:
				id = last.OnDecline
			}
			if last = c.byID[id]; last != nil && usable(last) {
				return last
			}
		}
	}
	for _, o := range candidates {
		if !c.followers[o.ID] && usable(o) {
			return o
		}
	}
	return nil
}
