package state

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/redistest"
)

// answerDropper stands between the client and a real redis-server and, while
// armed, lets a request through but cuts the client's connection as soon as
// the server answers: the server has applied the command, the client never
// hears of it. That is the fault a timeout or a broken connection makes,
// on demand.
type answerDropper struct {
	ln     net.Listener
	server string
	drops  atomic.Int32 // answers still to drop
	wg     sync.WaitGroup
}

func newAnswerDropper(t *testing.T, server string) *answerDropper {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &answerDropper{ln: ln, server: server}
	d.wg.Add(1)
	go d.serve()
	t.Cleanup(func() { ln.Close(); d.wg.Wait() })
	return d
}

func (d *answerDropper) serve() {
	defer d.wg.Done()
	for {
		client, err := d.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", d.server)
		if err != nil {
			client.Close()
			continue
		}
		d.wg.Add(2)
		go func() { defer d.wg.Done(); io.Copy(server, client); server.Close() }()
		go func() {
			defer d.wg.Done()
			defer client.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 {
					if d.drops.Load() > 0 && d.drops.Add(-1) >= 0 {
						server.Close()
						return // the answer is lost with the connection
					}
					if _, werr := client.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

// redisBehindDropper starts a redis-server and opens a Store on it through
// an answerDropper.
func redisBehindDropper(t *testing.T) (*Redis, *answerDropper) {
	srv := redistest.Start(t, 0)
	drop := newAnswerDropper(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port)))
	return openTestRedis(t, "redis://"+drop.ln.Addr().String()+"/0"), drop
}

// TestRedisAddAllOnceWhenAnswersAreLost checks that counters are added once
// when the server's answer to a batch is lost after the server applied it:
// on go-redis's own retry of the script, and when both tries lose theirs
// and the batch is sent again on the next AddAll, with more counted on the
// same keys meanwhile.
func TestRedisAddAllOnceWhenAnswersAreLost(t *testing.T) {
	r, drop := redisBehindDropper(t)
	ctx := context.Background()
	count := func(key string) int64 {
		t.Helper()
		n, err := r.Incr(ctx, key, 0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The script is loaded on the server first, so that the answer dropped
	// below is the one to the batch, not a NOSCRIPT.
	if err := r.AddAll(ctx, map[string]int64{"warm": 1}, time.Minute); err != nil {
		t.Fatal(err)
	}

	drop.drops.Store(1) // go-redis's retry gets through
	deltas := map[string]int64{"a": 5, "b": 7}
	if err := r.AddAll(ctx, deltas, time.Minute); err != nil || len(deltas) != 0 {
		t.Fatalf("AddAll with one lost answer: %v, %d counters left", err, len(deltas))
	}
	if a, b := count("a"), count("b"); a != 5 || b != 7 {
		t.Fatalf("after a lost answer and go-redis's retry: a=%d b=%d, want 5 and 7 (added once)", a, b)
	}

	drop.drops.Store(2) // both tries lose their answer
	deltas = map[string]int64{"a": 1, "c": 3}
	if err := r.AddAll(ctx, deltas, time.Minute); err == nil {
		t.Fatal("AddAll with every answer lost reported success")
	}
	if len(deltas) != 0 {
		t.Fatalf("after lost answers deltas holds %v: sent again under another grouping, they could be added twice", deltas)
	}
	deltas["a"] = 10 // counted meanwhile
	if err := r.AddAll(ctx, deltas, time.Minute); err != nil || len(deltas) != 0 {
		t.Fatalf("AddAll after the lost answers: %v, %d counters left", err, len(deltas))
	}
	if a, c := count("a"), count("c"); a != 5+1+10 || c != 3 {
		t.Fatalf("after a batch sent again: a=%d c=%d, want 16 and 3 (each delta once)", a, c)
	}
}

// TestRedisAddAllRefusedKeepsCounters checks that a batch the server
// refuses (a key that is not a counter) adds nothing and leaves every
// counter to be tried again, also when it was the batch kept after a lost
// answer.
func TestRedisAddAllRefusedKeepsCounters(t *testing.T) {
	r, drop := redisBehindDropper(t)
	ctx := context.Background()
	if err := r.Set(ctx, "text", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	deltas := map[string]int64{"n": 2, "text": 1}
	if err := r.AddAll(ctx, deltas, time.Minute); err == nil || len(deltas) != 2 {
		t.Fatalf("AddAll with a non-counter: %v, deltas %v, want an error and both left", err, deltas)
	}
	// The refusal's answer lost: the client cannot tell it from a batch
	// applied, and keeps the batch; sent again, it is refused again, and
	// its counters go back into deltas.
	if err := r.AddAll(ctx, map[string]int64{"warm": 1}, time.Minute); err != nil {
		t.Fatal(err)
	}
	drop.drops.Store(2)
	deltas = map[string]int64{"n": 2, "text": 1}
	if err := r.AddAll(ctx, deltas, time.Minute); err == nil {
		t.Fatal("AddAll with every answer lost reported success")
	}
	deltas["n"] = 4
	if err := r.AddAll(ctx, deltas, time.Minute); err == nil || deltas["n"] != 6 || deltas["text"] != 1 {
		t.Fatalf("the kept batch refused: %v, deltas %v, want an error and n=6 text=1", err, deltas)
	}
	if n, _, _ := r.Get(ctx, "n"); n != nil {
		t.Fatalf("n = %q after refused batches, want none", n)
	}
}

// TestLedgerClaimsWhenTheAnswerIsLost checks that a claim whose answer was
// lost after the server stored it is this caller's at once: the Redis
// client sends the claim again, which finds the caller's own record, and
// the caller must not wait for itself until its lease runs out.
func TestLedgerClaimsWhenTheAnswerIsLost(t *testing.T) {
	r, drop := redisBehindDropper(t)
	l := NewLedger(r, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, _, err := r.SetNX(ctx, "warm", []byte("x"), time.Minute); err != nil {
		t.Fatal(err) // loads the claim's script, so that the answer dropped is the claim's
	}
	drop.drops.Store(1)
	claim, answer, err := l.Begin(ctx, "order-1/offer-1")
	if err != nil || claim == nil || answer != nil {
		t.Fatalf("Begin with its answer lost: claim %v, answer %q, %v; want the claim within the lease", claim, answer, err)
	}
	if claim.TookOver {
		t.Error("the claim counts as taken over from another holder")
	}
	if err := claim.Finish(ctx, []byte("done"), time.Minute); err != nil {
		t.Fatal(err)
	}
}

// TestRedisSetNXAllWhenTheAnswerIsLost checks that claims stored by a
// script whose answer was lost still count as this call's when go-redis
// sends the script again (which then finds them there).
func TestRedisSetNXAllWhenTheAnswerIsLost(t *testing.T) {
	r, drop := redisBehindDropper(t)
	ctx := context.Background()
	if _, err := r.SetNXAll(ctx, []string{"warm", "taken"}, []byte{1}, time.Minute); err != nil {
		t.Fatal(err) // loads the script; "taken" is there before the call below
	}
	drop.drops.Store(1)
	stored, err := r.SetNXAll(ctx, []string{"s1", "taken", "s2"}, []byte{1}, time.Minute)
	if err != nil || len(stored) != 3 || !stored[0] || stored[1] || !stored[2] {
		t.Fatalf("SetNXAll with its answer lost: %v, %v; want [true false true]", stored, err)
	}
}

// TestRedisIncrOnceWhenTheAnswerIsLost checks that a counter is added to
// once when the server's answer to Incr is lost after the server applied
// it, and go-redis sends the call again: the retry answers the count the
// first try made.
func TestRedisIncrOnceWhenTheAnswerIsLost(t *testing.T) {
	r, drop := redisBehindDropper(t)
	ctx := context.Background()
	// The script is loaded on the server first, so that the answer dropped
	// below is the one to the increment, not a NOSCRIPT.
	if _, err := r.Incr(ctx, "warm", 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	drop.drops.Store(1) // go-redis's retry gets through
	n, err := r.Incr(ctx, "seen", 3, time.Minute)
	if err != nil || n != 3 {
		t.Fatalf("Incr with its answer lost once = %d, %v; want 3", n, err)
	}
	if n, err := r.Incr(ctx, "seen", 1, time.Minute); err != nil || n != 4 {
		t.Fatalf("the next Incr = %d, %v; want 4 (the lost answer's increment applied once)", n, err)
	}
}

// TestRedisConditionalWritesWhenTheAnswerIsLost checks that SetNX,
// CompareAndSet and DeleteIf whose answer is lost after the server applied
// them, and which go-redis sends again, answer that they did: a caller told
// otherwise would try its change again (revenue added twice to an order).
func TestRedisConditionalWritesWhenTheAnswerIsLost(t *testing.T) {
	r, drop := redisBehindDropper(t)
	ctx := context.Background()
	// Each script is loaded on the server first, so that the answers
	// dropped below are the writes', not NOSCRIPTs.
	if _, _, err := r.SetNX(ctx, "warm", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CompareAndSet(ctx, "warm", []byte("x"), []byte("y"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteIf(ctx, "warm", []byte("y")); err != nil {
		t.Fatal(err)
	}
	drop.drops.Store(1)
	if cur, stored, err := r.SetNX(ctx, "k", []byte("1"), time.Minute); err != nil || !stored || string(cur) != "1" {
		t.Errorf("SetNX with its answer lost = %q, %v, %v; want stored", cur, stored, err)
	}
	drop.drops.Store(1)
	if ok, err := r.CompareAndSet(ctx, "k", []byte("1"), []byte("2"), time.Minute); err != nil || !ok {
		t.Errorf("CompareAndSet with its answer lost = %v, %v; want true", ok, err)
	}
	if v, _, _ := r.Get(ctx, "k"); string(v) != "2" {
		t.Errorf("k holds %q, want 2", v)
	}
	drop.drops.Store(1)
	if ok, err := r.DeleteIf(ctx, "k", []byte("2")); err != nil || !ok {
		t.Errorf("DeleteIf with its answer lost = %v, %v; want true", ok, err)
	}
	// A call of its own is not answered by another's marker.
	if _, stored, _ := r.SetNX(ctx, "k2", []byte("a"), time.Minute); !stored {
		t.Fatal("k2 not stored")
	}
	if cur, stored, err := r.SetNX(ctx, "k2", []byte("b"), time.Minute); stored || string(cur) != "a" || err != nil {
		t.Errorf("a second SetNX = %q, %v, %v; want the first value, not stored", cur, stored, err)
	}
	if ok, _ := r.CompareAndSet(ctx, "k2", []byte("b"), []byte("c"), time.Minute); ok {
		t.Error("CompareAndSet from a value the key does not hold succeeded")
	}
}
