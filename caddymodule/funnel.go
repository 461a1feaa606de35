package caddymodule

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
)

// What the offer page keeps per order in the state layer, so that every
// tab, reload and instance sees the same window and the same steps, and the
// browser never supplies any of it:
//
//	deadline/<order>   unix seconds when the order's offers end (SetNX: fixed once)
//	funnel/<order>     the steps so far and the last result (orderJourney, JSON)
//	done/<order>       Kairo stepped aside: the store's own page from now on
//	capseen/<order>/<offer>, cap/<customer>/<offer>   frequency caps
//
// Records outlive the window by far (orderRecordKeep), so that a visit days
// later does not start a new window for an order without placed_at.

// orderRecordKeep is how long the per-order records are kept.
const orderRecordKeep = 30 * 24 * time.Hour

// journeyWriteTries bounds the compare-and-set retries of one funnel update
// when tabs race.
const journeyWriteTries = 4

// errJourneyBusy is returned when a funnel update kept losing races.
var errJourneyBusy = errors.New("the order's offer steps changed too often to update")

// orderJourney is one order's offer page: its steps and the result of the
// last answer, shown above the next step.
type orderJourney struct {
	offers.Funnel
	// Result is the last answer: "accepted" or "declined", "" before any.
	Result string `json:"result,omitempty"`
	// Total is the store's order total after the last accept, formatted
	// for the buyer, "" when the store did not say.
	Total string `json:"total,omitempty"`
}

// An order's records are kept (state.Kept): no record cap evicts them.
func deadlineKey(order string) string { return state.DeadlinePrefix + order }
func doneKey(order string) string     { return state.DonePrefix + order }
func funnelKey(order string) string   { return state.FunnelPrefix + order }
func followUpKey(order string) string { return state.FollowUpPrefix + order }

// noteFollowUp records that order was made by an accept of the order
// parent (a linked follow-up order the buyer pays at its own link): its
// thank-you page, shown once it is paid, gets no offers of its own and
// is not counted as an order the buyer placed.
func (h *Handler) noteFollowUp(ctx context.Context, order, parent string) error {
	return h.state.Set(ctx, followUpKey(order), []byte(parent), orderRecordKeep)
}

// otherSpelling reports whether the store names the order of a thank-you
// page otherwise than its address does ("0123" for 123): everything Kairo
// keeps of an order (its window, steps, accepts and their
// Idempotency-Key) is under the id as the address writes it, so a second
// spelling would open a fresh window and accept again. Such a page gets
// no offers. A warn line says so, once per process: a store whose order
// contexts always name orders otherwise gets no offers on any.
func (h *Handler) otherSpelling(orderID string, sc *offers.Context) bool {
	if sc.ID == "" || sc.ID == orderID {
		return false
	}
	if h.spellingWarned.CompareAndSwap(false, true) {
		h.logger.Warn("thank-you page: the store's order context names the order otherwise than the page's address; the page gets no offers (an order context's id must be the address's order id)",
			zap.String("order", orderID), zap.String("store_id", sc.ID))
	}
	return true
}

// isFollowUp reports whether an accept made the order (noteFollowUp).
func (h *Handler) isFollowUp(ctx context.Context, order string) (bool, error) {
	_, found, err := h.state.Get(ctx, followUpKey(order))
	return found, err
}

// steppedAside reports whether Kairo stepped aside for the order.
func (h *Handler) steppedAside(ctx context.Context, order string) (bool, error) {
	_, found, err := h.state.Get(ctx, doneKey(order))
	return found, err
}

// stepAside records that the order gets the store's own page from now on.
func (h *Handler) stepAside(ctx context.Context, order string) error {
	return h.state.Set(ctx, doneKey(order), []byte("1"), orderRecordKeep)
}

// orderDeadline returns when the order's offers end: the window counted
// from placedAt when the store sent it, else from the first view (now).
// The first answer is kept, so a reload never restarts the countdown.
func (h *Handler) orderDeadline(ctx context.Context, order string, placedAt, now time.Time) (time.Time, error) {
	start := now
	if !placedAt.IsZero() && placedAt.Before(now) {
		// A placed_at ahead of this clock (the store's clock runs fast)
		// must not stretch the window.
		start = placedAt
	}
	want := start.Add(time.Duration(h.PostPurchase.Window)).Truncate(time.Second)
	cur, _, err := h.state.SetNX(ctx, deadlineKey(order), []byte(strconv.FormatInt(want.Unix(), 10)), orderRecordKeep)
	if err != nil {
		return time.Time{}, err
	}
	secs, err := strconv.ParseInt(string(cur), 10, 64)
	if err != nil {
		return time.Time{}, errors.New("the order's deadline record is damaged")
	}
	return time.Unix(secs, 0), nil
}

// loadJourney reads the order's steps and the raw record, for a later
// compare-and-set.
func (h *Handler) loadJourney(ctx context.Context, order string) (orderJourney, []byte, error) {
	raw, found, err := h.state.Get(ctx, funnelKey(order))
	if err != nil || !found {
		return orderJourney{}, nil, err
	}
	var j orderJourney
	if err := json.Unmarshal(raw, &j); err != nil {
		return orderJourney{}, nil, errors.New("the order's offer steps record is damaged")
	}
	return j, raw, nil
}

// updateJourney applies change to the order's steps and stores the result
// atomically, retrying when another tab or instance changed them first.
// change returns false to leave the record as it is.
func (h *Handler) updateJourney(ctx context.Context, order string, change func(*orderJourney) bool) (orderJourney, error) {
	for range journeyWriteTries {
		j, raw, err := h.loadJourney(ctx, order)
		if err != nil {
			return j, err
		}
		if !change(&j) {
			return j, nil
		}
		next, err := json.Marshal(j)
		if err != nil {
			return j, err
		}
		var stored bool
		if raw == nil {
			_, stored, err = h.state.SetNX(ctx, funnelKey(order), next, orderRecordKeep)
		} else {
			stored, err = h.state.CompareAndSet(ctx, funnelKey(order), raw, next, orderRecordKeep)
		}
		if err != nil || stored {
			return j, err
		}
	}
	return orderJourney{}, errJourneyBusy
}

// stepNonce is the nonce of every token of one (order, offer), the same in
// every tab and on every reload. (The accept's idempotency key does not
// rest on it: acceptKey derives it from the order and the offer.)
func stepNonce(order, offerID string) string {
	sum := sha256.Sum256([]byte("kairo-step\x00" + order + "\x00" + offerID))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// history is what the selection policy needs from the state layer for an
// order or cart beyond its declines (shelfDeclines): the frequency caps.
func (h *Handler) history(ctx context.Context, subject string, sc *offers.Context) (hist offers.History) {
	if sc.Customer != nil && sc.Customer.ID != "" {
		hist.ShownElsewhere = func(id string) int {
			n, err := h.shownElsewhere(ctx, subject, sc.Customer.ID, id)
			if err != nil {
				// Caps fail closed: without the count, the capped offer is
				// not shown.
				return int(^uint(0) >> 1)
			}
			return n
		}
	}
	return hist
}

// shelfDeclines answers History.Declined for the inline box from one state
// lookup: whether the subject declined each offer the policy may ask
// about (offers.Catalog.ShelfDeclines), read before the policy runs. An
// offer outside that list is asked on its own. A decline that cannot be
// read counts as declined (the offer is not shown), and firstErr is the
// first such error of an offer the policy asked about, for a caller that
// would rather leave the page unchanged. The list of offers is not kept
// here but handed to each call, so that it may live on the caller's stack.
type shelfDeclines struct {
	h        *Handler
	ctx      context.Context
	subject  string
	answers  []bool // answers[i] for the i-th offer of the list read
	readErr  error  // of the one lookup
	firstErr error  // of a decline the policy asked about
}

// readDeclines looks up at once which of offerIDs the subject declined.
func (h *Handler) readDeclines(ctx context.Context, subject string, offerIDs []string) shelfDeclines {
	d := shelfDeclines{h: h, ctx: ctx, subject: subject}
	d.answers, d.readErr = h.declines.DeclinedAmong(ctx, subject, offerIDs)
	return d
}

// declined answers History.Declined for id; offerIDs is the list read.
func (d *shelfDeclines) declined(offerIDs []string, id string) bool {
	var yes bool
	var err error
	if i := slices.Index(offerIDs, id); i >= 0 {
		yes, err = d.readErr == nil && d.answers[i], d.readErr
	} else {
		yes, err = d.h.declines.Declined(d.ctx, d.subject, id)
	}
	if err != nil {
		d.firstErr = cmp.Or(d.firstErr, err)
		return true
	}
	return yes
}

func capKey(customer, offerID string) string { return "cap/" + customer + "/" + offerID }
func capSeenKey(order, offerID string) string {
	return "capseen/" + order + "/" + offerID
}

// shownElsewhere counts the other orders of the customer that were shown
// the offer within its cap period.
func (h *Handler) shownElsewhere(ctx context.Context, order, customer, offerID string) (int, error) {
	raw, found, err := h.state.Get(ctx, capKey(customer, offerID))
	if err != nil || !found {
		return 0, err
	}
	n, _ := strconv.Atoi(string(raw))
	if _, seen, err := h.state.Get(ctx, capSeenKey(order, offerID)); err != nil {
		return 0, err
	} else if seen {
		n-- // this order's own showing
	}
	return n, nil
}

// countShown counts a capped offer as shown to the customer, once per
// order. The count lives one cap period after the last order that added to
// it: it may still count an order a little older than the period, never
// fewer than the orders within it.
func (h *Handler) countShown(ctx context.Context, order string, sc *offers.Context, o *offers.Offer) {
	if o.Cap.MaxPerCustomer <= 0 || sc.Customer == nil || sc.Customer.ID == "" {
		return
	}
	if _, first, err := h.state.SetNX(ctx, capSeenKey(order, o.ID), []byte("1"), o.Cap.Period); err != nil || !first {
		return
	}
	if _, err := h.state.Incr(ctx, capKey(sc.Customer.ID, o.ID), 1, o.Cap.Period); err != nil {
		h.logger.Warn("counting an offer for its frequency cap", zap.Error(err))
	}
}
