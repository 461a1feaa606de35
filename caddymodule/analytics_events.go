package caddymodule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/state"
)

// recorderQueue is how many events may wait for the state layer. A page
// never waits on it: when it is full, events are dropped and counted.
const recorderQueue = 1 << 16

// recorderWakeAt is how many events may wait before the recorder is woken
// for them even if none needs writing at once: an impression only adds to
// a counter written at the tick, and waking a goroutine for each one costs
// the page more than the event itself.
const recorderWakeAt = 1024

// recorderSpareMax bounds the queue buffer the recorder keeps for reuse,
// so that a burst does not hold its memory for good.
const recorderSpareMax = 4 * recorderWakeAt

// stateOpTimeout bounds one write of the recorder.
const stateOpTimeout = 2 * time.Second

// eventKind says what happened.
type eventKind uint8

const (
	evImpression eventKind = iota + 1 // an offer was shown
	evShadow                          // a shadow offer was selected, not shown
	evAccepted                        // the store applied an accept
	evFailed                          // the store refused an accept (402, 409, 5xx)
	evDeclined                        // a customer turned an offer down
	evOrder                           // a thank-you page brought the order's context
	evCartShown                       // offers were shown on a customer's cart
	evBarrier                         // flush: close done once everything before is written
)

// event is one thing to count. The page and accept paths only fill it
// in and queue it; the recorder's goroutine writes it to the state layer.
type event struct {
	kind      eventKind
	at        time.Time
	offer     string
	variant   string
	placement offers.Placement
	arm       offers.Arm
	subject   string // evImpression, evShadow: the cart or order it was shown for
	amount    int64  // evAccepted: what the store charged, minor units
	// unconfirmed: evAccepted: the store did not say what it charged, and
	// amount is the offer's price.
	unconfirmed bool
	claims      offers.Claims   // evAccepted on a cart: what to match in a later order
	acceptKey   string          // evAccepted: the accept's key, counted once
	order       *offers.Context // evOrder: the order; evCartShown: the cart
	done        chan struct{}   // evBarrier
}

// recorder writes analytics events to the state layer in the background,
// so that a page or an accept never waits on a counter. Counters are summed
// in a batch and written every flushEvery; what must be known at once (an
// order seen for the first time, a cart accept waiting for its order) is
// written as its event comes.
type recorder struct {
	store      state.Store
	metrics    *analyticsMetrics
	logger     *zap.Logger
	pause      *autoPause
	flushEvery time.Duration // 0: after every event (benchmarks compare)

	mu      sync.Mutex // guards closed and queue
	closed  bool
	queue   []event       // events sent and not taken by run yet, in order
	wake    chan struct{} // (buffer 1) the queue holds an event to write now
	stop    chan struct{} // closed by close
	stopped chan struct{}

	// Owned by run.
	spare     []event // the queue's other buffer, reused
	batch     *counterBatch
	batchFail bool // the last write failed: wait for the tick to try again
	// cartsWritten is what this recorder last wrote of each cart's
	// customer, and when: a customer's every cart view would otherwise be
	// one state commit (an fsync on the embedded file) saying the same.
	cartsWritten map[string]cartWritten
	// today is dayOf the last event, and todayDate its date, so that the
	// events of one day share one string.
	today     string
	todayDate [3]int
}

// cartWritten is a cart's customer as last written, and when.
type cartWritten struct {
	customer string
	at       time.Time
}

// maxCartsWritten bounds cartsWritten; past it the map starts afresh,
// which costs no more than one write per cart.
const maxCartsWritten = 1 << 16

func newRecorder(store state.Store, m *analyticsMetrics, pause *autoPause, logger *zap.Logger, flushEvery time.Duration) *recorder {
	r := &recorder{
		store:      store,
		metrics:    m,
		logger:     logger,
		pause:      pause,
		flushEvery: flushEvery,
		wake:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		stopped:    make(chan struct{}),
		batch:      newCounterBatch(),

		cartsWritten: make(map[string]cartWritten),
	}
	go r.run()
	return r
}

// send queues an event without waiting; a full queue drops it. Only an
// event that needs writing at once (or a long queue) wakes the recorder;
// counted-only events wait for its tick.
func (r *recorder) send(ev event) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if len(r.queue) >= recorderQueue {
		r.mu.Unlock()
		r.metrics.dropped.WithLabelValues("queue_full").Inc()
		return
	}
	r.queue = append(r.queue, ev)
	now := !ev.kind.countedOnly() || r.flushEvery <= 0 || len(r.queue) >= recorderWakeAt
	r.mu.Unlock()
	if now {
		r.signal()
	}
}

// countedOnly reports whether an event only adds to the batch's counters,
// so that it can wait for the batch's write.
func (k eventKind) countedOnly() bool {
	return k == evImpression || k == evShadow || k == evDeclined
}

// signal wakes the recorder, or leaves it to the wake already pending.
func (r *recorder) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// flush waits until every event queued before it is written (its counters
// too), or ctx ends.
func (r *recorder) flush(ctx context.Context) error {
	done := make(chan struct{})
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errors.New("analytics recorder closed")
	}
	r.queue = append(r.queue, event{kind: evBarrier, done: done})
	r.mu.Unlock()
	r.signal()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops accepting events and writes those queued and the batch, for
// at most wait.
func (r *recorder) close(wait time.Duration) {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.stop)
	}
	r.mu.Unlock()
	select {
	case <-r.stopped:
	case <-time.After(wait):
		r.logger.Warn("analytics: gave up writing queued events at shutdown")
	}
}

func (r *recorder) run() {
	defer close(r.stopped)
	var tick <-chan time.Time
	if r.flushEvery > 0 {
		t := time.NewTicker(r.flushEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-r.wake:
			r.drain()
		case <-tick:
			r.drain()
			r.writeBatch(false)
		case <-r.stop:
			r.drain() // nothing is sent after stop
			r.writeBatch(true)
			return
		}
	}
}

// drain takes the queue and records its events in the order they were
// sent.
func (r *recorder) drain() {
	r.mu.Lock()
	evs := r.queue
	r.queue = r.spare[:0]
	r.mu.Unlock()
	for i := range evs {
		if ev := evs[i]; ev.kind == evBarrier {
			r.writeBatch(false)
			close(ev.done)
		} else {
			r.record(ev)
			if r.flushEvery <= 0 || (r.batch.events >= batchMaxEvents && !r.batchFail) {
				r.writeBatch(false)
			}
		}
		evs[i] = event{} // let go of what the event points to
	}
	if cap(evs) > recorderSpareMax {
		evs = nil
	}
	r.spare = evs[:0]
}

// record counts one event into the batch, and writes at once what cannot
// wait for it.
func (r *recorder) record(ev event) {
	var err error
	if ev.kind.countedOnly() {
		err = r.apply(context.Background(), ev) // the batch alone, no state call
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), stateOpTimeout)
		err = r.apply(ctx, ev)
		cancel()
	}
	if err != nil {
		r.metrics.dropped.WithLabelValues("state_error").Inc()
		if ce := r.logger.Check(zapcore.WarnLevel, "analytics: an event was not recorded"); ce != nil {
			ce.Write(zap.String("offer", ev.offer), zap.Error(err))
		}
		return
	}
	r.batch.events++
}

// writeBatch writes the batch to the state layer. What a failed write
// leaves is tried again at the next tick; at the last write (final) it is
// dropped and counted.
func (r *recorder) writeBatch(final bool) {
	if r.batch.empty() {
		r.batch.events = 0
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), stateOpTimeout)
	err := r.batch.write(ctx, r.store)
	cancel()
	r.batchFail = err != nil
	switch {
	case err == nil:
	case final:
		r.logger.Error("analytics: the counts of the last moments were not written at shutdown", zap.Int("events", r.batch.events), zap.Error(err))
		r.metrics.dropped.WithLabelValues("state_error").Add(float64(r.batch.events))
	default:
		if ce := r.logger.Check(zapcore.WarnLevel, "analytics: counters not written; trying again"); ce != nil {
			ce.Write(zap.Int("events", r.batch.events), zap.Error(err))
		}
		if len(r.batch.claims) > batchMaxClaims {
			n := r.batch.dropClaims()
			r.metrics.dropped.WithLabelValues("state_error").Add(float64(n))
			r.batch.events = max(r.batch.events-n, 0)
		}
	}
}

// apply counts one event: counters go to the batch, the records an event
// needs at once are written now.
func (r *recorder) apply(ctx context.Context, ev event) error {
	day := r.dayOf(ev.at)
	count := func(figure string, delta int64) {
		r.batch.add(offerKey(day, ev.offer, ev.variant, ev.placement, ev.arm, figure), delta)
	}
	switch ev.kind {
	case evImpression, evShadow:
		// One impression per cart or order and offer: a reload of the page
		// is the same customer seeing the same offer, not a new chance.
		figure := figImpressions
		if ev.kind == evShadow {
			figure = figShadow
		}
		r.batch.addShown(idKey("shown/"+string(ev.placement), ev.offer+":"+ev.subject),
			offerKey(day, ev.offer, ev.variant, ev.placement, ev.arm, figure))
	case evDeclined:
		count(figDeclines, 1)
	case evFailed:
		if r.pause != nil {
			r.pause.failed(ev.offer, ev.acceptKey, ev.at)
		}
		count(figFailures, 1)
	case evAccepted:
		if r.pause != nil {
			r.pause.succeeded(ev.offer, ev.acceptKey, ev.at)
		}
		if ev.acceptKey != "" {
			if _, first, err := r.store.SetNX(ctx, idKey("accepted", ev.acceptKey), []byte{1}, seenTTL); err != nil || !first {
				return err
			}
		}
		count(figAccepts, 1)
		if ev.placement != offers.PlacementThankYou {
			// Pre-purchase: only an order placed later makes it revenue.
			return r.remember(ctx, ev)
		}
		// Post-purchase: the store has charged it; revenue now.
		count(figRevenue, ev.amount)
		r.metrics.revenue(ev.placement, ev.offer, ev.variant, ev.claims.Currency, ev.amount)
		if ev.unconfirmed {
			count(figUnconfirmed, ev.amount)
			r.metrics.unconfirmedRevenue(ev.placement, ev.offer, ev.variant, ev.claims.Currency, ev.amount)
		}
		return r.addToOrder(ctx, ev.claims.Subject, ev.claims.Currency, ev.amount)
	case evCartShown:
		if ev.order.Customer == nil || ev.order.Customer.ID == "" {
			return nil
		}
		return r.rememberCartCustomer(ctx, ev.order.ID, ev.order.Customer.ID, ev.at)
	case evOrder:
		return r.orderSeen(ctx, ev)
	}
	return nil
}

// dayOf is dayOf(t), made once per day.
func (r *recorder) dayOf(t time.Time) string {
	y, m, d := t.UTC().Date()
	if date := [3]int{y, int(m), d}; date != r.todayDate || r.today == "" {
		r.today, r.todayDate = dayOf(t), date
	}
	return r.today
}

// rememberCartCustomer keeps which customer a cart is, for a cart accept
// to be credited to the customer's later order. The record is written
// again only when the customer changes or half its lifetime has passed
// (its expiry is renewed by then).
func (r *recorder) rememberCartCustomer(ctx context.Context, cartID, customerID string, at time.Time) error {
	if w, ok := r.cartsWritten[cartID]; ok && w.customer == customerID && at.Sub(w.at) < cartCustomerTTL/2 {
		return nil
	}
	if err := r.store.Set(ctx, idKey("cartcust", cartID), []byte(customerID), cartCustomerTTL); err != nil {
		return err
	}
	if len(r.cartsWritten) >= maxCartsWritten {
		clear(r.cartsWritten)
	}
	// Cloned: a context's strings may be slices of the whole document it
	// was decoded from, which this map would otherwise keep alive.
	r.cartsWritten[strings.Clone(cartID)] = cartWritten{customer: strings.Clone(customerID), at: at}
	return nil
}

// orderSeen is what the recorder keeps of a counted order, under
// an/seen/<order>: post-purchase accepts add to its value and its squares.
type orderSeen struct {
	Day      string     `json:"day"`
	Arm      offers.Arm `json:"arm"`
	Currency string     `json:"currency"`
	Total    int64      `json:"total"`
}

// orderSeen counts an order once (the first of any number of visits to its
// thank-you page, on any instance) and credits the cart offers it contains.
func (r *recorder) orderSeen(ctx context.Context, ev event) error {
	o := ev.order
	rec := orderSeen{Day: dayOf(ev.at), Arm: ev.arm, Currency: o.Currency, Total: o.Subtotal}
	val, _ := json.Marshal(rec)
	_, stored, err := r.store.SetNX(ctx, idKey("seen", o.ID), val, seenTTL)
	if err != nil || !stored {
		return err
	}
	high, low := squareParts(o.Subtotal)
	r.addOrderFigures(rec.Day, rec.Arm, rec.Currency, 1, o.Subtotal, high, low)
	r.metrics.orders.WithLabelValues(string(rec.Arm), rec.Currency).Inc()
	return r.attribute(ctx, ev, rec)
}

// addOrderFigures adds to the order counters of one arm and currency:
// n orders, sum to their totals, and the parts of the change in the sum
// of their squares (squareParts).
func (r *recorder) addOrderFigures(day string, arm offers.Arm, currency string, n, sum, squaresHigh, squaresLow int64) {
	r.batch.add(orderKey(day, arm, currency, figOrderCount), n)
	r.batch.add(orderKey(day, arm, currency, figOrderSum), sum)
	r.batch.add(orderKey(day, arm, currency, figOrderSquaresHigh), squaresHigh)
	r.batch.add(orderKey(day, arm, currency, figOrderSquaresLow), squaresLow)
	addMoney(r.metrics.orderValue.WithLabelValues(string(arm), currency), sum)
}

// addToOrder adds a post-purchase accept to a counted order's value, and
// the change of its square to the sums of squares, which stay exact.
func (r *recorder) addToOrder(ctx context.Context, orderID, currency string, amount int64) error {
	key := idKey("seen", orderID)
	for range 8 {
		old, found, err := r.store.Get(ctx, key)
		if err != nil || !found {
			return err // an order not seen at its thank-you page is not in the figures
		}
		var rec orderSeen
		if json.Unmarshal(old, &rec) != nil || rec.Currency != currency {
			return nil
		}
		x := rec.Total
		rec.Total += amount
		val, _ := json.Marshal(rec)
		ok, err := r.store.CompareAndSet(ctx, key, old, val, seenTTL)
		if err != nil {
			return err
		}
		if ok {
			fromHigh, fromLow := squareParts(x)
			toHigh, toLow := squareParts(rec.Total)
			r.addOrderFigures(rec.Day, rec.Arm, currency, 0, amount, toHigh-fromHigh, toLow-fromLow)
			return nil
		}
	}
	return errors.New("analytics: the order's record kept changing")
}

// pendingAccept is a cart accept waiting for an order that contains it.
type pendingAccept struct {
	Offer     string           `json:"offer"`
	Variant   string           `json:"variant,omitempty"`
	Placement offers.Placement `json:"placement"`
	Arm       offers.Arm       `json:"arm"`
	ProductID string           `json:"product_id"`
	UnitPrice int64            `json:"unit_price"`
	Quantity  int              `json:"quantity"`
	Currency  string           `json:"currency"`
}

// remember keeps a cart accept under the customer's identity: their store
// customer id when the cart's page told it, else the cart id.
func (r *recorder) remember(ctx context.Context, ev event) error {
	identity := "cart:" + ev.claims.Subject
	if cust, found, err := r.store.Get(ctx, idKey("cartcust", ev.claims.Subject)); err != nil {
		return err
	} else if found {
		identity = "customer:" + string(cust)
	}
	p := pendingAccept{
		Offer: ev.offer, Variant: ev.variant, Placement: ev.placement, Arm: ev.arm,
		ProductID: ev.claims.ProductID, UnitPrice: ev.claims.UnitPrice,
		Quantity: ev.claims.Quantity, Currency: ev.claims.Currency,
	}
	return r.updatePending(ctx, identity, func(list []pendingAccept) []pendingAccept {
		for _, q := range list {
			if q == p {
				return list // a second accept of the same offer on the same cart
			}
		}
		return append(list, p)
	})
}

// attribute credits the cart offers an order contains: an item with the
// offered product at the offered price. Each accept is credited once, to
// the day of the order.
func (r *recorder) attribute(ctx context.Context, ev event, rec orderSeen) error {
	o := ev.order
	identities := []string{"cart:" + o.ID}
	if o.Customer != nil && o.Customer.ID != "" {
		identities = append(identities, "customer:"+o.Customer.ID)
	}
	for _, identity := range identities {
		var credited []pendingAccept
		err := r.updatePending(ctx, identity, func(list []pendingAccept) []pendingAccept {
			credited = credited[:0]
			var keep []pendingAccept
			for _, p := range list {
				if qty := orderedAtPrice(o, p); qty > 0 {
					p.Quantity = min(p.Quantity, qty)
					credited = append(credited, p)
				} else {
					keep = append(keep, p)
				}
			}
			return keep
		})
		if err != nil {
			return err
		}
		for _, p := range credited {
			amount := p.UnitPrice * int64(p.Quantity)
			r.batch.add(offerKey(rec.Day, p.Offer, p.Variant, p.Placement, p.Arm, figOrders), 1)
			r.batch.add(offerKey(rec.Day, p.Offer, p.Variant, p.Placement, p.Arm, figRevenue), amount)
			r.metrics.revenue(p.Placement, p.Offer, p.Variant, p.Currency, amount)
		}
	}
	return nil
}

// orderedAtPrice is how many units of the accepted product the order holds
// at the offered price (0 when it does not).
func orderedAtPrice(o *offers.Context, p pendingAccept) int {
	if o.Currency != p.Currency {
		return 0
	}
	n := 0
	for _, it := range o.Items {
		if it.ProductID == p.ProductID && it.UnitPrice == p.UnitPrice {
			n += it.Quantity
		}
	}
	return n
}

// updatePending changes the list of pending accepts of an identity with a
// compare-and-set loop, so that instances sharing the store never lose
// each other's updates.
func (r *recorder) updatePending(ctx context.Context, identity string, change func([]pendingAccept) []pendingAccept) error {
	key := idKey("pending", identity)
	for range 8 {
		old, found, err := r.store.Get(ctx, key)
		if err != nil {
			return err
		}
		var list []pendingAccept
		if found {
			_ = json.Unmarshal(old, &list)
		}
		next := change(list)
		var ok bool
		switch {
		case len(next) == 0 && !found:
			return nil
		case len(next) == 0:
			ok, err = r.store.DeleteIf(ctx, key, old)
		default:
			val, _ := json.Marshal(next)
			if found && bytes.Equal(val, old) {
				return nil
			}
			if found {
				ok, err = r.store.CompareAndSet(ctx, key, old, val, pendingTTL)
			} else {
				_, ok, err = r.store.SetNX(ctx, key, val, pendingTTL)
			}
		}
		if err != nil || ok {
			return err
		}
	}
	return errors.New("analytics: the pending accepts kept changing")
}
