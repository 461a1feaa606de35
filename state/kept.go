package state

import (
	"fmt"
	"strings"
)

// Prefixes of the records an order's post-purchase offers rest on, kept
// here beside the ledger's so that every Store knows them (see Kept).
const (
	// DeadlinePrefix starts the record of when an order's offers end.
	DeadlinePrefix = "deadline/"
	// DonePrefix starts the record that Kairo stepped aside for an order.
	DonePrefix = "done/"
	// FunnelPrefix starts the record of an order's offer page steps.
	FunnelPrefix = "funnel/"
	// FollowUpPrefix starts the record that an order is one an accept
	// made (a linked follow-up order), not one the buyer placed.
	FollowUpPrefix = "followup/"
)

// keptPrefixes are the namespaces Kept protects.
var keptPrefixes = [...]string{ledgerPrefix, DeadlinePrefix, DonePrefix, FunnelPrefix, FollowUpPrefix}

// Kept reports whether the record under key is one that exactly-once and
// an order's window rest on: the ledger's claims and answers, and an
// order's deadline, steps, stepping aside and follow-up mark. A Store's
// record cap never
// evicts these to make room (evicting a finished accept would let a
// repeat call the store again; evicting a claim in flight would let two
// holders call it at once). They still expire. When a store holds its
// cap's worth of them, a new one is refused with ErrFull: the accept
// fails closed instead of pushing one out.
func Kept(key string) bool {
	for _, p := range keptPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// ErrFull is wrapped by the error of a write of a kept record (see Kept)
// to a store that already holds its cap's worth of them. It wraps
// ErrUnavailable: accepts are refused, never applied twice.
var ErrFull = fmt.Errorf("%w: the store holds its cap of records that must not be evicted", ErrUnavailable)

// errFull is ErrFull for key.
func errFull(key string, max uint64) error {
	return fmt.Errorf("%w (%d; writing %q)", ErrFull, max, key)
}
