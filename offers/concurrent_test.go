package offers

import (
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse runs selection, resolution, signing and verification
// from several goroutines at once over one catalog and one signer, which
// the race detector checks, and compares every answer with the one a single
// goroutine gets.
func TestConcurrentUse(t *testing.T) {
	c, err := ParseCatalog("synthetic.json", syntheticCatalog(2000))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSigner(t, &clock{june}, secretA, secretB)
	contexts := syntheticContexts(32)
	now := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	want := make([]string, len(contexts))
	found := false
	for i, ctx := range contexts {
		want[i] = ids(c.Select(PlacementThankYou, ctx, now, 5))
		found = found || want[i] != ""
	}
	if !found {
		t.Fatal("no context selects anything; the test would check nothing")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(contexts))
	for g := range 8 {
		wg.Go(func() {
			for k := range contexts {
				i := (k + g) % len(contexts)
				ctx := contexts[i]
				selected := c.Select(PlacementThankYou, ctx, now, 5)
				if got := ids(selected); got != want[i] {
					errs <- "selection " + got + ", want " + want[i]
				}
				for _, o := range selected {
					claims := o.Resolve(ctx.ID).Claims(PlacementThankYou, ctx.ID, june)
					token, err := s.Sign(claims)
					if err != nil {
						errs <- err.Error()
						continue
					}
					if got, err := s.VerifyFor(token, ctx.ID); err != nil || got.OfferID != o.ID {
						errs <- "verify: " + got.OfferID + " " + o.ID
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
