package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromiumPath finds Debian's chromium, or skips the test (fails it in CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	name := os.Getenv("KAIRO_CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		msg := "chromium not found; install it with: sudo apt-get install -y chromium (or set KAIRO_CHROMIUM)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// fakeEndpoints stands in for the module's accept and decline endpoints: it
// answers by token and records every request, and whether each was shaped as
// the endpoint contract says.
type fakeEndpoints struct {
	mu       sync.Mutex
	accepts  map[string]int
	declines map[string]int
	problems []string
}

// acceptAnswers maps a token to the HTTP status and body the fake sends.
var acceptAnswers = map[string]struct {
	code int
	body string
}{
	"ok":     {200, `{"ok":true,"status":"accepted","message":"Added to your order.","total":"$61.47"}`},
	"cartok": {200, `{"ok":true,"status":"accepted","message":"Added to your cart."}`},
	"oos":    {409, `{"ok":false,"status":"out_of_stock","message":"Sorry, this item just sold out."}`},
	"busy":   {409, `{"ok":false,"status":"in_progress","message":"We're still adding this. One moment."}`},
	"again":  {200, `{"ok":true,"status":"already_accepted","message":"Already added to your order."}`},
	"broken": {502, `<html><body>Bad gateway</body></html>`},
}

func (fe *fakeEndpoints) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token    string
		ReturnTo string `json:"return_to"`
	}
	err := json.NewDecoder(r.Body).Decode(&body)
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if err == nil && !strings.HasPrefix(body.ReturnTo, "/") {
		fe.problems = append(fe.problems, fmt.Sprintf("%s: return_to %q is not the page's path", r.URL.Path, body.ReturnTo))
	}
	if r.Method != http.MethodPost || err != nil ||
		r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
		fe.problems = append(fe.problems, fmt.Sprintf("%s %s: Content-Type %q, Accept %q, body error %v",
			r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Accept"), err))
	}
	if c, err := r.Cookie("session"); err != nil || c.Value != "customer-1" {
		fe.problems = append(fe.problems, r.URL.Path+": the customer's cookie did not come along")
	}
	if strings.HasSuffix(r.URL.Path, "/decline") {
		fe.declines[body.Token]++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"status":"declined"}`)
		return
	}
	fe.accepts[body.Token]++
	if body.Token == "offline" {
		// A response the browser refuses (two different lengths): fetch
		// itself fails. A bare dropped connection would do too, but the
		// browser retries those when the socket was a reused one.
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err == nil {
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx")
			buf.Flush()
			conn.Close()
		}
		return
	}
	answer, ok := acceptAnswers[body.Token]
	if !ok {
		answer.code, answer.body = 400, `{"ok":false,"status":"invalid","message":"This offer is no longer valid."}`
	}
	if strings.HasPrefix(answer.body, "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(answer.code)
	fmt.Fprint(w, answer.body)
}

// browserPage is the store page of the browser test: a thank-you widget
// mounted into #slot, a cart widget at the end and a one-offer cart widget
// that gets declined. widget.js is included twice on purpose.
func browserPage() []byte {
	now := time.Now()
	offer := func(id string, ttl time.Duration) Offer {
		o := Offer{Token: id, OfferID: id, Title: "Offer " + id, Image: "/img/" + id + ".png", Quantity: 1, Price: "$14.99", OriginalPrice: "$19.99"}
		if ttl > 0 {
			o.ExpiresAt = now.Add(ttl)
		}
		return o
	}
	var ids = []string{"ok", "oos", "broken", "offline", "busy", "again", "declineme"}
	thankYou := Fragment{Prefix: "/_upsell", Placement: PlacementThankYou, ReturnTo: "/thanks", Mount: "#slot", Now: now}
	for _, id := range ids {
		thankYou.Offers = append(thankYou.Offers, offer(id, 15*time.Minute))
	}
	thankYou.Offers = append(thankYou.Offers, offer("expiring", 3*time.Second))
	cart := Fragment{Prefix: "/_upsell", Placement: PlacementCart, ReturnTo: "/cart?step=1", Now: now,
		Offers: []Offer{offer("cartok", 0)}}
	bye := Fragment{Prefix: "/_upsell", Placement: PlacementCart, ReturnTo: "/cart", Now: now, Offers: []Offer{offer("bye", 0)}}

	page := []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Store</title></head><body>` +
		`<main><h1>Thanks</h1><div id="slot"></div></main>`)
	page = Render(page, thankYou)
	page = Render(page, cart)
	page = Render(page, bye)
	page = append(page, `<script src="/_upsell/widget.js" defer></script><script src="/driver.js" defer></script></body></html>`...)
	return page
}

// TestWidgetScriptInChromium runs widget.js in headless chromium against
// fake endpoints, with virtual time so that nothing depends on the machine's
// speed, and checks the resulting DOM and the requests that were made.
func TestWidgetScriptInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	fe := &fakeEndpoints{accepts: map[string]int{}, declines: map[string]int{}}
	driver, err := os.ReadFile("testdata/driver.js")
	if err != nil {
		t.Fatal(err)
	}
	page := browserPage()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "customer-1", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'")
		w.Write(page)
	})
	mux.HandleFunc("GET /driver.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(driver)
	})
	mux.Handle("GET /_upsell/", AssetHandler())
	mux.HandleFunc("POST /_upsell/", fe.serveHTTP)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--no-first-run", "--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=10000", "--dump-dom", srv.URL+"/page")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Content-Security-Policy") ||
			strings.Contains(line, "Uncaught") {
			t.Errorf("browser console: %s", line)
		}
	}
	doc, err := html.Parse(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	dom := []*html.Node{doc}
	checkBrowserLog(t, dom)
	checkBrowserOffers(t, dom)
	checkBrowserWidgets(t, dom)

	fe.mu.Lock()
	defer fe.mu.Unlock()
	for _, p := range fe.problems {
		t.Errorf("request: %s", p)
	}
	wantAccepts := map[string]int{"ok": 1, "oos": 1, "broken": 1, "offline": 1, "busy": 1, "again": 1, "cartok": 1}
	if fmt.Sprint(fe.accepts) != fmt.Sprint(wantAccepts) {
		t.Errorf("accept requests %v, want %v", fe.accepts, wantAccepts)
	}
	if want := map[string]int{"declineme": 1, "bye": 1}; fmt.Sprint(fe.declines) != fmt.Sprint(want) {
		t.Errorf("decline requests %v, want %v", fe.declines, want)
	}
}

// checkBrowserLog checks what the driver saw happen.
func checkBrowserLog(t *testing.T, dom []*html.Node) {
	t.Helper()
	logs := elements(dom, func(n *html.Node) bool { return attr(n, "id") == "log" })
	if len(logs) != 1 {
		t.Fatalf("the driver left no log: did the scripts run?")
	}
	log := text(logs[0])
	for _, want := range []string{
		"after click ok busy disabled=true label=Adding\u2026\n",
		"after decline declineme hidden=true\n",
		"event kairo:accepted ok accepted $61.47\n",
		"event kairo:accepted again already_accepted \n",
		"event kairo:accepted cartok accepted \n",
		"event kairo:failed oos out_of_stock \n",
		"event kairo:failed broken unknown \n",
		"event kairo:failed offline network \n",
		"event kairo:failed busy in_progress \n",
		"event kairo:declined declineme declined \n",
		"event kairo:declined bye declined \n",
		"event kairo:expired expiring expired \n",
	} {
		if strings.Count(log, want) != 1 {
			t.Errorf("driver log lacks (or repeats) %q; log:\n%s", want, log)
		}
	}
	if strings.Contains(log, "error ") {
		t.Errorf("script error in the page:\n%s", log)
	}
}

// checkBrowserOffers checks each offer's final state, message and buttons.
func checkBrowserOffers(t *testing.T, dom []*html.Node) {
	t.Helper()
	tests := []struct {
		id, state, status, message string
		hidden, hasForms, enabled  bool
	}{
		{id: "ok", state: "accepted", status: "kairo-status--success", message: "Added to your order. New total: $61.47."},
		{id: "again", state: "accepted", status: "kairo-status--success", message: "Already added to your order."},
		{id: "cartok", state: "accepted", status: "kairo-status--success", message: "Added to your cart.View updated cart"},
		{id: "oos", state: "failed", status: "kairo-status--error", message: "Sorry, this item just sold out.", hasForms: true},
		{id: "broken", state: "ready", status: "kairo-status--error", message: "Sorry, something went wrong. Please try again.", hasForms: true, enabled: true},
		{id: "offline", state: "ready", status: "kairo-status--error", message: "We couldn't reach the store. Please check your connection and try again.", hasForms: true, enabled: true},
		{id: "busy", state: "ready", status: "kairo-status--info", message: "We're still adding this. One moment.", hasForms: true, enabled: true},
		{id: "declineme", state: "declined", hidden: true, hasForms: true, enabled: true},
		{id: "expiring", state: "expired", hidden: true, hasForms: true, enabled: true},
		{id: "bye", state: "declined", hidden: true, hasForms: true, enabled: true},
	}
	for _, tt := range tests {
		offers := elements(dom, func(n *html.Node) bool { return attr(n, "data-kairo-offer") == tt.id })
		if len(offers) != 1 {
			t.Errorf("offer %s: found %d", tt.id, len(offers))
			continue
		}
		o := []*html.Node{offers[0]}
		if got := attr(offers[0], "data-kairo-state"); got != tt.state {
			t.Errorf("offer %s: state %q, want %q", tt.id, got, tt.state)
		}
		if _, hidden := lookupAttr(offers[0], "hidden"); hidden != tt.hidden {
			t.Errorf("offer %s: hidden = %v, want %v", tt.id, hidden, tt.hidden)
		}
		status := byClass(o, "kairo-status")[0]
		if got := text(status); got != tt.message || (tt.status != "" && !strings.Contains(attr(status, "class"), tt.status)) {
			t.Errorf("offer %s: status %q (class %q), want %q (%s)", tt.id, got, attr(status, "class"), tt.message, tt.status)
		}
		if hasForms := len(byTag(o, "form")) == 2; hasForms != tt.hasForms {
			t.Errorf("offer %s: forms present = %v, want %v", tt.id, hasForms, tt.hasForms)
		}
		if accept := byClass(o, "kairo-accept"); len(accept) == 1 {
			if _, disabled := lookupAttr(accept[0], "disabled"); disabled == tt.enabled {
				t.Errorf("offer %s: accept button disabled = %v, want %v", tt.id, disabled, !tt.enabled)
			}
		}
	}
	// The countdown of a pending offer has moved on from 15:00 (the page ran
	// for about ten seconds of virtual time) and the accepted one has none.
	clock := byClass(elements(dom, func(n *html.Node) bool { return attr(n, "data-kairo-offer") == "broken" }), "kairo-clock")
	if len(clock) != 1 || !regexp.MustCompile(`^14:[45]\d$`).MatchString(text(clock[0])) {
		t.Errorf("countdown of a pending offer did not run: %v", clock)
	}
	if n := len(byClass(elements(dom, func(n *html.Node) bool { return attr(n, "data-kairo-offer") == "ok" }), "kairo-countdown")); n != 0 {
		t.Errorf("accepted offer still shows its countdown")
	}
	link := byClass(dom, "kairo-link")
	if len(link) != 1 || attr(link[0], "href") != "/cart?step=1" {
		t.Errorf("want one link back to the cart after a cart accept, got %d", len(link))
	}
}

// checkBrowserWidgets checks the mount and the hiding of an emptied widget.
func checkBrowserWidgets(t *testing.T, dom []*html.Node) {
	t.Helper()
	roots := byClass(dom, "kairo-widget")
	if len(roots) != 3 {
		t.Fatalf("found %d widgets, want 3", len(roots))
	}
	if attr(roots[0].Parent, "id") != "slot" {
		t.Errorf("the thank-you widget was not moved into #slot")
	}
	if _, mounted := lookupAttr(roots[0], "data-kairo-mounted"); !mounted {
		t.Errorf("the mounted widget lacks data-kairo-mounted")
	}
	for i, wantHidden := range []bool{false, false, true} {
		if _, hidden := lookupAttr(roots[i], "hidden"); hidden != wantHidden {
			t.Errorf("widget %d: hidden = %v, want %v", i, hidden, wantHidden)
		}
		if _, ready := lookupAttr(roots[i], "data-kairo-ready"); !ready {
			t.Errorf("widget %d was not set up by the script", i)
		}
	}
}
