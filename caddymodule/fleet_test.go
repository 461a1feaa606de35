package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/redistest"
)

// The fleet tests run real Caddy processes (this repository's cmd/caddy,
// built once) against a real redis-server and a store that counts what it
// is asked and applies per Idempotency-Key, as the contract says.

// countingStore is a store speaking the contract: thank-you pages, order
// contexts, and order accepts applied once per key. hold, when set, keeps
// accepts waiting until it is closed (the store is slow, or the instance
// that asked dies meanwhile).
type countingStore struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    map[string]int // accept requests per key
	applied  map[string]int // applications per key
	hold     chan struct{}
	received chan string // a key, when a held accept arrives
}

func newCountingStore(t *testing.T) *countingStore {
	s := &countingStore{calls: map[string]int{}, applied: map[string]int{}, received: make(chan string, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *countingStore) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/checkout/success/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Thanks</title></head><body><h1>Thank you</h1></body></html>")
	case strings.HasPrefix(r.URL.Path, "/api/orders/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(r.URL.Path, "/api/orders/")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"currency":"USD","subtotal":1500,"status":"paid","items":[{"product_id":"beans","quantity":1,"unit_price":1500}]}`, id)
	case strings.HasSuffix(r.URL.Path, "/upsells") && r.Method == http.MethodPost:
		key := r.Header.Get("Idempotency-Key")
		s.mu.Lock()
		s.calls[key]++
		hold := s.hold
		s.mu.Unlock()
		if hold != nil {
			s.received <- key
			<-hold // applied whether or not the caller is still there
		}
		s.mu.Lock()
		if s.applied[key] == 0 {
			s.applied[key]++
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"order_id":"x","total":3899}`)
	default:
		http.NotFound(w, r)
	}
}

// counts returns the calls and applications of every key so far.
func (s *countingStore) counts() (calls, applied map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls, applied = map[string]int{}, map[string]int{}
	for k, v := range s.calls {
		calls[k] = v
	}
	for k, v := range s.applied {
		applied[k] = v
	}
	return calls, applied
}

// total adds up a count map.
func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

var (
	caddyBinOnce sync.Once
	caddyBin     string
	caddyBinErr  error
)

// buildCaddy builds cmd/caddy once per test binary.
func buildCaddy(t *testing.T) string {
	t.Helper()
	caddyBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kairo-fleet-")
		if err != nil {
			caddyBinErr = err
			return
		}
		caddyBin = filepath.Join(dir, "caddy")
		out, err := exec.Command("go", "build", "-o", caddyBin, "../cmd/caddy").CombinedOutput()
		if err != nil {
			caddyBinErr = fmt.Errorf("building cmd/caddy: %v\n%s", err, out)
		}
	})
	if caddyBinErr != nil {
		t.Fatal(caddyBinErr)
	}
	return caddyBin
}

// instance is one Caddy process with Kairo.
type instance struct {
	t      *testing.T
	base   string // http://127.0.0.1:port
	config string
	data   string
	cmd    *exec.Cmd
}

// fleetCatalog is one thank-you offer for any order.
const fleetCatalog = `{"offers":[{"id":"thermos","placements":["thank_you"],
 "product":{"product_id":"thermos","title":"Thermos","unit_price":2999,"currency":"USD"},"expires_after":"15m"}]}`

// newInstance writes the configuration of a Caddy on port with the given
// state option and the inline thank-you box, and starts it.
func newInstance(t *testing.T, port int, stateOpt string, store *countingStore) *instance {
	return newInstanceWith(t, port, "post_purchase inline\n\t\t"+stateOpt, store)
}

// newInstanceWith is newInstance with the upsell block's own lines (the
// post-purchase mode and state options).
func newInstanceWith(t *testing.T, port int, opts string, store *countingStore) *instance {
	return newInstanceSite(t, port, "", opts, store)
}

// newInstanceSite is newInstanceWith with lines of the site's own before
// the upsell block (basic_auth, a metrics route).
func newInstanceSite(t *testing.T, port int, site, opts string, store *countingStore) *instance {
	dir := t.TempDir()
	catalog := filepath.Join(dir, "offers.json")
	if err := os.WriteFile(catalog, []byte(fleetCatalog), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{
	admin off
	auto_https off
	persist_config off
}
http://127.0.0.1:%d {
	bind 127.0.0.1
	%s
	upsell {
		catalog %s
		secret %s
		thank_you /checkout/success/{order_id}
		%s
		store %s {
			header Authorization "Bearer t"
			accept_timeout 30s
		}
	}
	reverse_proxy %s
}
`, port, site, catalog, secret, opts, store.srv.URL, strings.TrimPrefix(store.srv.URL, "http://"))
	in := &instance{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), config: filepath.Join(dir, "Caddyfile"), data: filepath.Join(dir, "data")}
	if err := os.WriteFile(in.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	in.start()
	t.Cleanup(in.kill)
	return in
}

// start runs the process and waits until it listens.
func (in *instance) start() {
	in.t.Helper()
	in.cmd = exec.Command(buildCaddy(in.t), "run", "--config", in.config, "--adapter", "caddyfile")
	in.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+in.data, "XDG_CONFIG_HOME="+in.data)
	var logs bytes.Buffer
	in.cmd.Stdout, in.cmd.Stderr = &logs, &logs
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	addr := strings.TrimPrefix(in.base, "http://")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			in.kill()
			in.t.Fatalf("caddy on %s did not start:\n%s", addr, logs.String())
		}
	}
}

// kill ends the process at once, as a crash would.
func (in *instance) kill() {
	if in.cmd != nil && in.cmd.Process != nil && in.cmd.ProcessState == nil {
		_ = in.cmd.Process.Kill()
		_ = in.cmd.Wait()
	}
}

// restart kills the process and starts it again.
func (in *instance) restart() {
	in.kill()
	in.start()
}

// acceptAt posts a token to an instance as the widget's script does.
func (s *shopper) acceptAt(base, token, returnTo string) (int, acceptAnswer) {
	s.t.Helper()
	return s.actAt(base, "accept", token, returnTo)
}

// actAt posts a token to an instance's accept or decline endpoint (action)
// as the widget's script does.
func (s *shopper) actAt(base, action, token, returnTo string) (int, acceptAnswer) {
	s.t.Helper()
	payload, _ := json.Marshal(map[string]string{"token": token, "return_to": returnTo})
	req, _ := http.NewRequest(http.MethodPost, base+"/_upsell/"+action, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", base)
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, acceptAnswer{Status: "transport: " + err.Error()}
	}
	defer resp.Body.Close()
	var ans acceptAnswer
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &ans); err != nil {
		return resp.StatusCode, acceptAnswer{Status: "not JSON: " + string(body)}
	}
	return resp.StatusCode, ans
}

// thankYouToken opens an order's thank-you page on an instance as its
// buyer, and returns the offer's token.
func thankYouToken(t *testing.T, s *shopper, in *instance, orderID string) string {
	t.Helper()
	_, page := s.get(in.base + "/checkout/success/" + orderID)
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatalf("no offer on %s's thank-you page:\n%s", orderID, page)
	}
	return toks[0]
}

func TestFleetOnOneRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Caddy processes")
	}
	redis := redistest.Start(t, 6391)
	store := newCountingStore(t)
	stateOpt := "state " + redis.URL
	a := newInstance(t, 9180, stateOpt, store)
	b := newInstance(t, 9181, stateOpt, store)
	fleet := []*instance{a, b}

	t.Run("200 concurrent repeats across two instances", func(t *testing.T) {
		s := newShopper(t)
		order := "fleet-1"
		tok := thankYouToken(t, s, a, order)
		// Slow the store so that the repeats overlap the first call.
		store.mu.Lock()
		store.hold = make(chan struct{})
		store.mu.Unlock()
		go func() {
			<-store.received
			time.Sleep(300 * time.Millisecond)
			store.mu.Lock()
			close(store.hold)
			store.hold = nil
			store.mu.Unlock()
		}()
		calls0, _ := store.counts()
		answers := make([]acceptAnswer, 200)
		statuses := make([]int, 200)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				statuses[i], answers[i] = s.acceptAt(fleet[i%2].base, tok, "/checkout/success/"+order)
			})
		}
		wg.Wait()
		for i := range answers {
			if answers[i] != answers[0] || statuses[i] != http.StatusOK || answers[i].Status != "accepted" {
				t.Errorf("answer %d: %d %+v; answer 0: %d %+v", i, statuses[i], answers[i], statuses[0], answers[0])
			}
		}
		calls, _ := store.counts()
		if got := total(calls) - total(calls0); got != 1 {
			t.Errorf("%d store calls for 200 repeats on two instances, want 1", got)
		}
	})

	t.Run("the instance holding the claim dies mid-call", func(t *testing.T) {
		s := newShopper(t)
		order := "fleet-2"
		tok := thankYouToken(t, s, a, order)
		store.mu.Lock()
		store.hold = make(chan struct{})
		store.mu.Unlock()
		go s.acceptAt(a.base, tok, "/checkout/success/"+order) // its answer is lost with a
		key := <-store.received
		a.kill()
		// The store applies the call it was given; a's answer is lost.
		store.mu.Lock()
		close(store.hold)
		store.hold = nil
		store.mu.Unlock()
		status, ans := s.acceptAt(b.base, tok, "/checkout/success/"+order)
		if status != http.StatusOK || ans.Status != "accepted" {
			t.Errorf("the repeat on the other instance: %d %+v, want accepted", status, ans)
		}
		calls, applied := store.counts()
		if calls[key] != 2 || applied[key] != 1 {
			t.Errorf("key %s: %d calls, %d applications; want 2 calls (the take-over repeats the key) and 1 application", key, calls[key], applied[key])
		}
		a.start()
	})

	t.Run("both restarted between success and repeat", func(t *testing.T) {
		s := newShopper(t)
		order := "fleet-3"
		tok := thankYouToken(t, s, a, order)
		if status, ans := s.acceptAt(a.base, tok, "/checkout/success/"+order); status != http.StatusOK || ans.Status != "accepted" {
			t.Fatalf("accept: %d %+v", status, ans)
		}
		calls0, _ := store.counts()
		a.restart()
		b.restart()
		for _, in := range fleet {
			if status, ans := s.acceptAt(in.base, tok, "/checkout/success/"+order); status != http.StatusOK || ans.Status != "accepted" {
				t.Errorf("repeat on %s after the restart: %d %+v, want the recorded accepted", in.base, status, ans)
			}
		}
		if calls, _ := store.counts(); total(calls) != total(calls0) {
			t.Errorf("repeats after a restart made %d store calls, want 0", total(calls)-total(calls0))
		}
	})
}

func TestEmbeddedStateSurvivesARestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a Caddy process")
	}
	store := newCountingStore(t)
	in := newInstance(t, 9182, "", store) // the default: the embedded file
	s := newShopper(t)
	order := "embedded-1"
	tok := thankYouToken(t, s, in, order)
	if status, ans := s.acceptAt(in.base, tok, "/checkout/success/"+order); status != http.StatusOK || ans.Status != "accepted" {
		t.Fatalf("accept: %d %+v", status, ans)
	}
	calls0, _ := store.counts()
	in.restart()
	if status, ans := s.acceptAt(in.base, tok, "/checkout/success/"+order); status != http.StatusOK || ans.Status != "accepted" {
		t.Errorf("repeat after the restart: %d %+v, want the recorded accepted", status, ans)
	}
	if calls, _ := store.counts(); total(calls) != total(calls0) {
		t.Errorf("a repeat after a restart made %d store calls, want 0", total(calls)-total(calls0))
	}
}

// TestRedisDown holds the promise made for a fleet whose Redis stops
// answering: pages pass through unchanged (the store's own thank-you page,
// in either post-purchase mode) and accepts are refused with 503 without a
// store call; once Redis answers again, the same token is accepted once.
func TestRedisDown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Caddy processes")
	}
	redis := redistest.Start(t, 6392)
	store := newCountingStore(t)
	stateOpt := "state " + redis.URL
	inline := newInstanceWith(t, 9183, "post_purchase inline\n\t\t"+stateOpt, store)
	page := newInstanceWith(t, 9184, "post_purchase page\n\t\t"+stateOpt, store)

	s := newShopper(t)
	tok := thankYouToken(t, s, inline, "down-1")
	redis.Stop()

	for _, in := range []*instance{inline, page} {
		resp, body := s.get(in.base + "/checkout/success/down-2")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Thank you</h1>") || len(tokens(body)) != 0 ||
			strings.Contains(body, "kairo-widget") {
			t.Errorf("%s with Redis down: %d, want the store's own page unchanged:\n%s", in.base, resp.StatusCode, body)
		}
	}
	calls0, _ := store.counts()
	if status, ans := s.acceptAt(inline.base, tok, "/checkout/success/down-1"); status != http.StatusServiceUnavailable {
		t.Errorf("accept with Redis down: %d %+v, want 503", status, ans)
	}
	if calls, _ := store.counts(); total(calls) != total(calls0) {
		t.Errorf("an accept with Redis down made %d store calls, want 0", total(calls)-total(calls0))
	}

	redistest.Start(t, redis.Port) // an empty Redis again, on the same address
	var status int
	var ans acceptAnswer
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if status, ans = s.acceptAt(inline.base, tok, "/checkout/success/down-1"); status != http.StatusServiceUnavailable {
			break
		}
	}
	if status != http.StatusOK || ans.Status != "accepted" {
		t.Fatalf("accept once Redis answers again: %d %+v, want accepted", status, ans)
	}
	if calls, applied := store.counts(); total(calls)-total(calls0) != 1 || total(applied) != 1 {
		t.Errorf("after Redis came back: %d store calls, %d applications; want 1 and 1", total(calls)-total(calls0), total(applied))
	}
}
