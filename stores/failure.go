package stores

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Reasons a store call gave no usable answer. They are metric labels, so
// the set is small and fixed.
const (
	FailUnreachable = "unreachable" // no connection, or it broke
	FailTimeout     = "timeout"     // no answer in time
	FailCancelled   = "cancelled"   // the caller gave up
	FailStatus      = "status"      // an HTTP status the call cannot use
	FailBadAnswer   = "bad_answer"  // an answer that does not parse or make sense
)

// Busy reports whether a store's HTTP status says the same request may
// succeed in a moment: it timed out waiting (408), came too early (425)
// or came too often (429, a rate limit). An accept so answered was not
// applied, and is free to be tried again, not refused for good.
func Busy(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooEarly || status == http.StatusTooManyRequests
}

// Failure says why a store call did not give a usable answer.
type Failure struct {
	Reason string // one of the Fail* constants
	Status int    // the store's HTTP status, for FailStatus
	Err    error
}

func (f *Failure) Error() string {
	if f.Reason == FailStatus {
		if f.Err != nil {
			return fmt.Sprintf("store answered %d: %v", f.Status, f.Err)
		}
		return fmt.Sprintf("store answered %d", f.Status)
	}
	return fmt.Sprintf("store %s: %v", strings.ReplaceAll(f.Reason, "_", " "), f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// BadAnswer is a Failure for an answer that cannot be used.
func BadAnswer(format string, args ...any) *Failure {
	return &Failure{Reason: FailBadAnswer, Err: fmt.Errorf(format, args...)}
}

// TransportError tells a timeout from a store that cannot be reached.
func TransportError(err error) *Failure {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &Failure{Reason: FailTimeout, Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &Failure{Reason: FailCancelled, Err: err}
	}
	return &Failure{Reason: FailUnreachable, Err: err}
}

// FailureReason is the reason of a Failure in err's chain, or "" when
// there is none.
func FailureReason(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	return ""
}
