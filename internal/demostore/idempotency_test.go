package demostore

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds; the generous deadline only stops a
// broken test from hanging, it is not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConcurrentAcceptsWithOneKeyAppendOnce(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("coffee-beans")
	// Hold the first request back so that the others arrive while it runs.
	if err := s.SetFaults(Faults{AcceptDelay: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, body := apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken,
				upsellBody(orderID, "thermos", "thermos-500ml", 1, 2399, 600), map[string]string{"Idempotency-Key": "one-key"})
			answers[i] = answer{resp.StatusCode, body}
		})
	}
	wg.Wait()
	for i, a := range answers {
		if a != answers[0] {
			t.Errorf("answer %d = %+v, answer 0 = %+v", i, a, answers[0])
		}
	}
	if answers[0].status != http.StatusOK {
		t.Fatalf("answer = %+v", answers[0])
	}
	o, _ := s.Order(orderID)
	if len(o.Items) != 2 || o.Total != 1499+2399 {
		t.Errorf("order has %d lines, total %d; want 2 lines, 3898", len(o.Items), o.Total)
	}
	if st := s.Stats(); st.AcceptCalls != n || st.AcceptApplied != 1 || st.AcceptReplayed != n-1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderA, _ := s.CreateOrder("mug")
	orderB, _ := s.CreateOrder("mug")
	accept := func(orderID, key, product string) (int, string) {
		resp, body := apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken,
			upsellBody(orderID, product, "", 1, 1000, 0), map[string]string{"Idempotency-Key": key})
		return resp.StatusCode, body
	}
	steps := []struct {
		name, order, key, product string
		faults                    Faults
		status                    int
		linesA, linesB            int
	}{
		{"first", orderA, "k", "thermos", Faults{}, http.StatusOK, 2, 1},
		{"same key, other body", orderA, "k", "socks", Faults{}, http.StatusUnprocessableEntity, 2, 1},
		{"same key, other order", orderB, "k", "thermos", Faults{}, http.StatusOK, 2, 2},
		{"payment fails", orderA, "pay", "socks", Faults{AcceptStatus: http.StatusPaymentRequired}, http.StatusPaymentRequired, 2, 2},
		{"retry after the failure", orderA, "pay", "socks", Faults{}, http.StatusOK, 3, 2},
		{"replay of the retry", orderA, "pay", "socks", Faults{AcceptStatus: http.StatusConflict}, http.StatusOK, 3, 2},
		{"store error", orderA, "err", "tote-bag", Faults{AcceptStatus: http.StatusServiceUnavailable}, http.StatusServiceUnavailable, 3, 2},
	}
	for _, st := range steps {
		if err := s.SetFaults(st.faults); err != nil {
			t.Fatal(err)
		}
		status, body := accept(st.order, st.key, st.product)
		a, _ := s.Order(orderA)
		b, _ := s.Order(orderB)
		if status != st.status || len(a.Items) != st.linesA || len(b.Items) != st.linesB {
			t.Errorf("%s: %d (%d, %d lines), want %d (%d, %d lines)\n%s", st.name, status, len(a.Items), len(b.Items), st.status, st.linesA, st.linesB, body)
		}
	}
}

func TestCancelledAcceptAddsNothingAndCanBeRetried(t *testing.T) {
	s, srv := startStore(t, Config{})
	orderID, _ := s.CreateOrder("mug")
	if err := s.SetFaults(Faults{AcceptDelay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/orders/"+orderID+"/upsells",
			jsonReader(t, upsellBody(orderID, "thermos", "", 1, 2399, 600)))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Idempotency-Key", "slow")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the accept to arrive", func() bool { return s.Stats().AcceptCalls == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the slow accept ended with %v, want it cancelled", err)
	}
	waitFor(t, "the store to notice", func() bool { return s.Stats().AcceptCancelled == 1 })

	s.ClearFaults()
	resp, body := apiCall(t, srv, http.MethodPost, "/api/orders/"+orderID+"/upsells", testToken,
		upsellBody(orderID, "thermos", "", 1, 2399, 600), map[string]string{"Idempotency-Key": "slow"})
	o, _ := s.Order(orderID)
	if resp.StatusCode != http.StatusOK || len(o.Items) != 2 || s.Stats().AcceptApplied != 1 {
		t.Errorf("retry: %d, %d lines\n%s", resp.StatusCode, len(o.Items), body)
	}
}

func TestReplayLedger(t *testing.T) {
	l := newReplayLedger()
	k := replayKey{scope: "order:o1", key: "k"}
	owner, owned, err := l.claim(context.Background(), k, "fp")
	if err != nil || !owned {
		t.Fatalf("first claim: owned %v, %v", owned, err)
	}

	// A waiter whose client leaves gives up without an answer.
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, _, err := l.claim(ctx, k, "fp")
		gaveUp <- err
	}()
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v", err)
	}

	// A waiter gets the owner's answer once it is kept.
	type result struct {
		e     *replayEntry
		owned bool
		err   error
	}
	waiter := make(chan result, 1)
	go func() {
		e, owned, err := l.claim(context.Background(), k, "fp")
		waiter <- result{e, owned, err}
	}()
	l.keep(k, owner, http.StatusOK, []byte(`{"ok":true}`))
	r := <-waiter
	if r.err != nil || r.owned || r.e.status != http.StatusOK || string(r.e.body) != `{"ok":true}` {
		t.Errorf("waiter got %+v", r)
	}
	if _, _, err := l.claim(context.Background(), k, "other"); !errors.Is(err, errKeyReused) {
		t.Errorf("other fingerprint: %v", err)
	}

	// A forgotten claim hands the key to the next request.
	k2 := replayKey{scope: "cart:c1", key: "k"}
	first, _, _ := l.claim(context.Background(), k2, "fp")
	next := make(chan bool, 1)
	go func() {
		_, owned, _ := l.claim(context.Background(), k2, "fp")
		next <- owned
	}()
	l.forget(k2, first)
	if !<-next {
		t.Errorf("after forget the next request does not own the key")
	}
}
