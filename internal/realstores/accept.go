package realstores

import (
	"context"
	"sync"
	"testing"

	"github.com/kairoedge/kairo/stores"
)

// OrderAcceptAtOnce sends one accept to a store module n times at once, as
// when an answer was lost and the accept comes again with the same key
// while the first may still run, and returns the n answers.
func OrderAcceptAtOnce(t testing.TB, s stores.Store, req stores.AcceptRequest, n int) []stores.Answer {
	t.Helper()
	answers := make([]stores.Answer, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			ans, err := s.OrderAccept(context.Background(), req)
			if err != nil {
				t.Errorf("OrderAccept: %v", err)
			}
			answers[i] = ans
		})
	}
	wg.Wait()
	return answers
}
