package demostore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Faults make the store misbehave on purpose so tests can show what Kairo
// does when its store fails. The zero value is a healthy store. Set them
// with Store.SetFaults or POST /_demo/faults. They affect the JSON API
// under /api/, except PageDelay, which slows the cart and thank-you pages.
type Faults struct {
	// AcceptStatus, when not zero, is the status (400-599) that
	// POST /api/orders/{order_id}/upsells answers with, e.g. 402 for a
	// failed payment or 409 for out of stock. Nothing is added.
	AcceptStatus int
	// CartAddStatus, when not zero, is the status (400-599) that
	// POST /api/cart/items answers with. Nothing is added.
	CartAddStatus int
	// ContextStatus, when not zero, is the status (400-599) that the cart
	// and order context endpoints answer with.
	ContextStatus int
	// ContextDelay holds the cart and order context answers back this
	// long. A client that gives up earlier is counted in
	// Stats.ContextCancelled.
	ContextDelay time.Duration
	// AcceptDelay holds both add-items endpoints back this long before
	// anything is added. A client that gives up earlier is counted in
	// Stats.AcceptCancelled and nothing is added.
	AcceptDelay time.Duration
	// PageDelay holds the cart and thank-you pages back this long before
	// their first byte, as a store that renders its pages on the server
	// takes time to.
	PageDelay time.Duration
	// Down drops every /api/ connection without an answer, as a crashed
	// backend would.
	Down bool
}

// maxFaultDelay bounds injected delays, so a typo cannot hang a test run
// for days.
const maxFaultDelay = time.Hour

// faultsJSON is the wire shape of Faults: durations as Go duration strings
// ("500ms", "2s").
type faultsJSON struct {
	AcceptStatus  int    `json:"accept_status,omitempty"`
	CartAddStatus int    `json:"cart_add_status,omitempty"`
	ContextStatus int    `json:"context_status,omitempty"`
	ContextDelay  string `json:"context_delay,omitempty"`
	AcceptDelay   string `json:"accept_delay,omitempty"`
	PageDelay     string `json:"page_delay,omitempty"`
	Down          bool   `json:"down"`
}

// MarshalJSON writes faults as POST /_demo/faults accepts them.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{
		AcceptStatus:  f.AcceptStatus,
		CartAddStatus: f.CartAddStatus,
		ContextStatus: f.ContextStatus,
		ContextDelay:  delayString(f.ContextDelay),
		AcceptDelay:   delayString(f.AcceptDelay),
		PageDelay:     delayString(f.PageDelay),
		Down:          f.Down,
	})
}

// UnmarshalJSON reads faults such as
// {"accept_status":402,"context_delay":"2s","accept_delay":"500ms","page_delay":"300ms","down":false};
// absent fields are zero.
func (f *Faults) UnmarshalJSON(data []byte) error {
	var w faultsJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt fault must not pass silently
	if err := dec.Decode(&w); err != nil {
		return err
	}
	var err error
	out := Faults{AcceptStatus: w.AcceptStatus, CartAddStatus: w.CartAddStatus, ContextStatus: w.ContextStatus, Down: w.Down}
	if out.ContextDelay, err = parseFaultDelay("context_delay", w.ContextDelay); err != nil {
		return err
	}
	if out.AcceptDelay, err = parseFaultDelay("accept_delay", w.AcceptDelay); err != nil {
		return err
	}
	if out.PageDelay, err = parseFaultDelay("page_delay", w.PageDelay); err != nil {
		return err
	}
	*f = out
	return nil
}

// delayString writes a delay, or nothing when there is none.
func delayString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// parseFaultDelay reads a delay; empty means none.
func parseFaultDelay(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

// Validate checks that statuses are errors and delays are sane.
func (f Faults) Validate() error {
	for _, s := range []struct {
		field  string
		status int
	}{{"accept_status", f.AcceptStatus}, {"cart_add_status", f.CartAddStatus}, {"context_status", f.ContextStatus}} {
		if s.status != 0 && (s.status < 400 || s.status > 599) {
			return fmt.Errorf("%s: %d is not an error status (400-599)", s.field, s.status)
		}
	}
	for _, d := range []struct {
		field string
		delay time.Duration
	}{{"context_delay", f.ContextDelay}, {"accept_delay", f.AcceptDelay}, {"page_delay", f.PageDelay}} {
		if d.delay < 0 || d.delay > maxFaultDelay {
			return fmt.Errorf("%s: %s is outside 0s to %s", d.field, d.delay, maxFaultDelay)
		}
	}
	return nil
}
