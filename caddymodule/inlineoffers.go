package caddymodule

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
)

// pick asks the selection policy (offers.Catalog.Shelf) for the offers of
// the inline box, and resolves them for the subject. The declines of every
// offer the policy may ask about are read first, in one state lookup. An
// error means the state layer could not say what the subject declined.
func (h *Handler) pick(ctx context.Context, pl offers.Placement, sc *offers.Context, subject string) ([]offers.Pick, error) {
	now := h.now()
	cands := h.candidates(pl, sc, now)
	hist := h.history(ctx, subject, sc)
	var asked [8]string // a page's offers fit: the list stays on the stack
	ids := h.catalog.ShelfDeclines(asked[:0], cands)
	declines := h.readDeclines(ctx, subject, ids)
	hist.Declined = func(id string) bool { return declines.declined(ids, id) }
	shelf := h.catalog.Shelf(pl, sc, cands, hist, now, h.MaxOffers)
	if err := declines.firstErr; err != nil {
		return nil, err
	}
	picked := make([]offers.Pick, len(shelf))
	for i, o := range shelf {
		picked[i] = o.Resolve(subject)
	}
	return picked, nil
}

// inlineWindow is the honest window of the inline box on a thank-you
// page, the same as the offer page's: the order's deadline, fixed per order
// from placed_at or the first view, so a reload never restarts the
// countdown. It says why no offer may be shown ("order_closed",
// "window_closed"), or returns the deadline (zero when the state layer did
// not answer: each offer's own expires_after then bounds its token).
func (h *Handler) inlineWindow(ctx context.Context, orderID string, sc *offers.Context) (time.Time, string) {
	if !sc.Changeable() {
		return time.Time{}, "order_closed"
	}
	if h.otherSpelling(orderID, sc) {
		return time.Time{}, "order_mismatch"
	}
	if followUp, err := h.isFollowUp(ctx, orderID); err != nil {
		// As with the window below: the offers' own expiry bounds them.
		h.logger.Warn("inline offers: state layer", zap.Error(err))
	} else if followUp {
		return time.Time{}, "follow_up"
	}
	now := h.now()
	deadline, err := h.orderDeadline(ctx, orderID, sc.PlacedAt, now)
	if err != nil {
		h.logger.Warn("inline offers: state layer", zap.Error(err))
		return time.Time{}, ""
	}
	if !now.Before(deadline) {
		return time.Time{}, "window_closed"
	}
	return deadline, ""
}
