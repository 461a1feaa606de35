package caddymodule_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/caddyserver/caddy/v2/modules/standard"
	_ "github.com/kairoedge/kairo/caddymodule"
	_ "github.com/kairoedge/kairo/internal/demostore"
	"github.com/kairoedge/kairo/offers"
)

// The addresses of the test setup: Kairo in front of the demo store, and a
// plain reverse_proxy in front of the same store for comparison.
const (
	kairoURL   = "http://127.0.0.1:9080"
	plainURL   = "http://127.0.0.1:9082"
	storeURL   = "http://127.0.0.1:9301"
	storeToken = "test-store-token"
	secret     = "integration-secret-0123456789abcdef"
)

func TestMain(m *testing.M) {
	// caddytest runs a real Caddy in this process; keep its state out of
	// the user's home.
	dir, err := os.MkdirTemp("", "kairo-caddytest-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("XDG_DATA_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// setup describes one Caddy configuration of the test setup.
type setup struct {
	apiURL  string // where Kairo asks for contexts and sends accepts
	timeout string // context timeout
	extra   string // more upsell options
	cart    string // another upstream for /cart (host:port), or "" for the demo store
	// postPurchase is the post_purchase option: "page" for the offer
	// page; "" runs the inline box, which most tests here are about.
	postPurchase string
	catalog      string // the offer catalog, or "" for the demo's
	// storeRoutes are Caddyfile routes in front of the store, run after
	// upsell (e.g. a route that plays a store refusing a stranger).
	storeRoutes string
	// secrets is the secret line's list, or "" for the one test secret.
	secrets string
}

func (s setup) caddyfile() string {
	if s.apiURL == "" {
		s.apiURL = storeURL
	}
	if s.timeout == "" {
		s.timeout = "2s"
	}
	if s.catalog == "" {
		s.catalog = "../demo/offers.json"
	}
	if s.secrets == "" {
		s.secrets = secret
	}
	return globalOptions("metrics") + fmt.Sprintf(`http://127.0.0.1:9301 {
	bind 127.0.0.1
	demo_store {
		api_token %[1]s
	}
}
http://127.0.0.1:9080 {
	bind 127.0.0.1
	encode
	upsell {
		catalog %[8]s
		secret %[2]s
		cart /cart
		thank_you /checkout/success/{order_id}
		store %[3]s {
			header Authorization "Bearer %[1]s"
			product_context /api/products/{product_id}
			timeout %[4]s
		}
		post_purchase %[7]s
		%[5]s
	}
	%[6]s
	reverse_proxy 127.0.0.1:9301
}
http://127.0.0.1:9082 {
	bind 127.0.0.1
	encode
	reverse_proxy 127.0.0.1:9301
}
`, storeToken, s.secrets, s.apiURL, s.timeout, s.extra, s.cartRoute(), s.postPurchaseMode(), s.catalog)
}

// postPurchaseMode is the post_purchase line's argument and block.
func (s setup) postPurchaseMode() string {
	if s.postPurchase == "" {
		return "inline"
	}
	return s.postPurchase
}

// cartRoute is the Kairo site's route to the other cart upstream, if any.
func (s setup) cartRoute() string {
	if s.cart == "" {
		return s.storeRoutes
	}
	return "reverse_proxy /cart " + s.cart + "\n\t" + s.storeRoutes
}

// globalOptions is the global options block of every Caddyfile that these
// tests run in caddytest: its admin and HTTP ports, no trust store to
// install, plain HTTP, and the old config's servers stopped at once on a
// reload. extra are more options (e.g. "metrics").
func globalOptions(extra ...string) string {
	var b strings.Builder
	b.WriteString("{\n\tskip_install_trust\n\tadmin localhost:2999\n\thttp_port 9080\n\thttps_port 9443\n\tgrace_period 1ns\n\tauto_https off\n")
	for _, o := range extra {
		b.WriteString("\t" + o + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// start runs the test setup s.
func start(t *testing.T, s setup) {
	t.Helper()
	loadConfig(t, s.caddyfile(), "caddyfile")
}

// waitForNewServer waits after a config load until the old config's server
// is gone. A new config shares its listener with the one it replaces,
// which is shut down just after the load returns: a connection the old
// server accepts in that moment is reset, and a test's first POST (not
// retried, as a GET would be) fails with it. So it waits until a GET on a
// new connection is answered, and a little longer for the old server to
// be gone.
func waitForNewServer(t *testing.T) {
	t.Helper()
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := probe.Get(kairoURL + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kairo does not answer after its config load: %v", err)
		}
	}
	time.Sleep(200 * time.Millisecond)
}

// shopper is a customer's browser: a cookie jar and no automatic redirects.
type shopper struct {
	t *testing.T
	c *http.Client
}

func newShopper(t *testing.T) *shopper {
	jar, _ := cookiejar.New(nil)
	// A transport of its own: a connection kept alive from an earlier
	// test's Caddy (closed by the config reload) would fail a POST.
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return &shopper{t: t, c: &http.Client{
		Jar:           jar,
		Transport:     transport,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// storeClient calls the demo store's API without keeping connections
// alive across Caddy config reloads.
var storeClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

func (s *shopper) do(req *http.Request) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

func (s *shopper) get(rawURL string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	return s.do(req)
}

func (s *shopper) postForm(rawURL string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", kairoURL)
	return s.do(req)
}

func (s *shopper) addToCart(productID string) {
	s.t.Helper()
	resp, body := s.postForm(kairoURL+"/cart/add", url.Values{"product_id": {productID}})
	if resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("add %s to cart: %d %s", productID, resp.StatusCode, body)
	}
}

// checkout places an order from the cart and returns its id.
func (s *shopper) checkout() string {
	s.t.Helper()
	resp, body := s.postForm(kairoURL+"/checkout", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/checkout/success/") {
		s.t.Fatalf("checkout: %d Location %q %s", resp.StatusCode, loc, body)
	}
	return strings.TrimPrefix(loc, "/checkout/success/")
}

// accept posts a token as the widget's script does.
func (s *shopper) accept(token, returnTo string) (*http.Response, acceptAnswer) {
	s.t.Helper()
	payload, _ := json.Marshal(map[string]string{"token": token, "return_to": returnTo})
	req, _ := http.NewRequest(http.MethodPost, kairoURL+"/_upsell/accept", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", kairoURL)
	resp, body := s.do(req)
	var ans acceptAnswer
	if err := json.Unmarshal([]byte(body), &ans); err != nil {
		s.t.Fatalf("accept answer is not JSON: %d %q", resp.StatusCode, body)
	}
	return resp, ans
}

type acceptAnswer struct {
	OK      bool   `json:"ok"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Total   string `json:"total"`
}

var tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

func tokens(page string) []string {
	var out []string
	for _, m := range tokenField.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// storeFaults sets the demo store's faults for the rest of the test.
func storeFaults(t *testing.T, faults map[string]any) {
	t.Helper()
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/faults", faults); status/100 != 2 {
		t.Fatalf("setting faults: %d", status)
	}
	t.Cleanup(func() { storeAPI(t, http.MethodDelete, "/_demo/faults", nil) })
}

// storeAPI calls the demo store's own API with its bearer token.
func storeAPI(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, storeURL+path, rd)
	req.Header.Set("Authorization", "Bearer "+storeToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := storeClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func storeStat(t *testing.T, name string) int {
	t.Helper()
	status, stats := storeAPI(t, http.MethodGet, "/_demo/stats", nil)
	if status != http.StatusOK {
		t.Fatalf("store stats: %d", status)
	}
	v, ok := stats[name].(float64)
	if !ok {
		t.Fatalf("store stats have no %q: %v", name, stats)
	}
	return int(v)
}

// waitForStartCheck waits until Kairo's check of the store at start has
// asked for both contexts (once each), so that it does not land among the
// calls a test counts. The store is new with each config, so it counts
// from zero.
func waitForStartCheck(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for storeStat(t, "context_calls") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("Kairo never checked the store at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func orderItems(t *testing.T, orderID string) []any {
	t.Helper()
	status, order := storeAPI(t, http.MethodGet, "/api/orders/"+orderID, nil)
	if status != http.StatusOK {
		t.Fatalf("order %s: %d", orderID, status)
	}
	items, _ := order["items"].([]any)
	return items
}

func hasProduct(items []any, productID string) int {
	n := 0
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m["product_id"] == productID {
			n++
		}
	}
	return n
}

// orderWithBeans walks the store as a customer: coffee beans in the cart,
// checkout, and returns the shopper and the order id.
func orderWithBeans(t *testing.T) (*shopper, string) {
	s := newShopper(t)
	s.addToCart("coffee-beans")
	return s, s.checkout()
}

// thankYouTokens makes a buyer's order of coffee beans and returns the
// buyer, the path of the order's thank-you page and the tokens of the
// offers on it (at least one).
func thankYouTokens(t *testing.T) (*shopper, string, []string) {
	t.Helper()
	s, orderID := orderWithBeans(t)
	pagePath := "/checkout/success/" + orderID
	_, page := s.get(kairoURL + pagePath)
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatal("no offer on the thank-you page")
	}
	return s, pagePath, toks
}

func TestCartPageGetsWidget(t *testing.T) {
	start(t, setup{})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	resp, page := s.get(kairoURL + "/cart")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cart: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "Stoneware Mug") || len(tokens(page)) == 0 {
		t.Fatalf("cart page has no mug offer:\n%s", page)
	}
	// The demo store's pages end in a site footer (a <footer> child of
	// <body>): the widget goes in front of it, not below it.
	if i, j := strings.Index(page, "kairo-"), strings.Index(page, `<footer class="site-footer">`); i < 0 || j < 0 || i > j {
		t.Errorf("widget is not before the site footer (widget at %d, footer at %d)", i, j)
	}
	// A personalised page must not be stored by shared caches: private,
	// or the store's own no-store, which is stricter.
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want private or no-store", cc)
	}
	// Accepting a cart offer puts it in the customer's cart.
	tok := tokens(page)[0]
	_, ans := s.accept(tok, "/cart")
	if !ans.OK || ans.Status != "accepted" {
		t.Fatalf("accept: %+v", ans)
	}
	_, cart := s.get(kairoURL + "/api/cart")
	if !strings.Contains(cart, `"mug"`) {
		t.Errorf("cart after accept has no mug: %s", cart)
	}
}

// TestMountKeepsTheWidgetBeforeBodyEnd: with a mount the widget moves
// itself, so it is inserted before </body> and the footer is not held.
func TestMountKeepsTheWidgetBeforeBodyEnd(t *testing.T) {
	start(t, setup{extra: `mount "#main"`})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	_, page := s.get(kairoURL + "/cart")
	footer := strings.Index(page, `<footer class="site-footer">`)
	widget := strings.Index(page, `data-kairo-widget`)
	end := strings.LastIndex(page, "</body>")
	if footer < 0 || widget < 0 || !(footer < widget && widget < end) {
		t.Errorf("widget at %d, want between the footer (%d) and </body> (%d)", widget, footer, end)
	}
}

func TestThankYouPageTokenVerifiesAndAcceptAddsToOrder(t *testing.T) {
	start(t, setup{})
	s, orderID := orderWithBeans(t)
	_, page := s.get(kairoURL + "/checkout/success/" + orderID)
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatalf("thank-you page has no offer:\n%s", page)
	}
	signer, err := offers.NewSigner([][]byte{[]byte(secret)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := signer.VerifyFor(toks[0], orderID)
	if err != nil {
		t.Fatalf("token does not verify for order %s: %v", orderID, err)
	}
	if cl.OfferID != "thermos-20" || cl.UnitPrice != 2399 || cl.Currency != "USD" {
		t.Errorf("claims %+v, want thermos-20 at 2399 USD", cl)
	}

	before := len(orderItems(t, orderID))
	resp, ans := s.accept(toks[0], "/checkout/success/"+orderID)
	if resp.StatusCode != http.StatusOK || !ans.OK || ans.Status != "accepted" || ans.Total == "" {
		t.Fatalf("accept: %d %+v", resp.StatusCode, ans)
	}
	items := orderItems(t, orderID)
	if len(items) != before+1 || hasProduct(items, "thermos") != 1 {
		t.Fatalf("order after accept: %v", items)
	}
	// The reloaded page lists the thermos and no longer offers it.
	_, page = s.get(kairoURL + "/checkout/success/" + orderID)
	if strings.Contains(page, `data-kairo-offer="thermos-20"`) {
		t.Errorf("the accepted offer is still offered")
	}
}

func TestConcurrentAcceptsOfOneTokenCallTheStoreOnce(t *testing.T) {
	start(t, setup{})
	s, orderID := orderWithBeans(t)
	_, page := s.get(kairoURL + "/checkout/success/" + orderID)
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatal("no offer on the thank-you page")
	}
	// Slow the store's accept down so that the requests overlap.
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/faults", map[string]any{"accept_delay": "300ms"}); status/100 != 2 {
		t.Fatalf("setting faults: %d", status)
	}
	callsBefore := storeStat(t, "accept_calls")
	itemsBefore := len(orderItems(t, orderID))

	const n = 20
	type result struct {
		status int
		ans    acceptAnswer
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, ans := s.accept(toks[0], "/checkout/success/"+orderID)
			results[i] = result{resp.StatusCode, ans}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != results[0] {
			t.Errorf("answer %d = %+v, answer 0 = %+v: not consistent", i, r, results[0])
		}
	}
	if results[0].status != http.StatusOK || results[0].ans.Status != "accepted" {
		t.Errorf("answer = %+v, want accepted", results[0])
	}
	if got := storeStat(t, "accept_calls") - callsBefore; got != 1 {
		t.Errorf("the store was called %d times for one token, want 1", got)
	}
	if got := len(orderItems(t, orderID)) - itemsBefore; got != 1 {
		t.Errorf("%d new lines in the order, want 1", got)
	}
}

func TestBadTokensAreRefusedWithoutAStoreCall(t *testing.T) {
	start(t, setup{})
	s, orderID := orderWithBeans(t)
	otherBuyer, other := orderWithBeans(t)
	otherBuyer.get(kairoURL + "/checkout/success/" + other) // gets its own buyer's cookie
	_, page := s.get(kairoURL + "/checkout/success/" + orderID)
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatal("no offer on the thank-you page")
	}
	good := toks[0]
	signer, _ := offers.NewSigner([][]byte{[]byte(secret)}, func() time.Time { return time.Now().Add(-time.Hour) })
	expired, err := signer.Sign(offers.Claims{
		OfferID: "thermos-20", Placement: offers.PlacementThankYou, Subject: orderID,
		ProductID: "thermos", Quantity: 1, UnitPrice: 1, Currency: "USD",
		ExpiresAt: time.Now().Add(-30 * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	forger, _ := offers.NewSigner([][]byte{[]byte("another-secret-0123456789abcdefghij")}, nil)
	forged, _ := forger.Sign(offers.Claims{
		OfferID: "thermos-20", Placement: offers.PlacementThankYou, Subject: orderID,
		ProductID: "thermos", Quantity: 1, UnitPrice: 1, Currency: "USD",
		ExpiresAt: time.Now().Add(time.Hour),
	})
	// Two characters inside the signature (the last one may carry unused
	// bits, and changing those makes the token malformed, not forged).
	tampered := good[:len(good)-6] + flip(good[len(good)-6:len(good)-4]) + good[len(good)-4:]

	callsBefore := storeStat(t, "accept_calls")
	tests := []struct {
		name, token, returnTo string
		status                int
		code, message         string
	}{
		{"forged", forged, "/checkout/success/" + orderID, http.StatusForbidden, "invalid", "signature"},
		{"tampered", tampered, "/checkout/success/" + orderID, http.StatusForbidden, "invalid", "signature"},
		{"garbage", "not-a-token", "/checkout/success/" + orderID, http.StatusBadRequest, "invalid", "malformed"},
		{"truncated", good[:len(good)/2], "/checkout/success/" + orderID, http.StatusBadRequest, "invalid", "malformed"},
		{"one character cut", good[:len(good)-1], "/checkout/success/" + orderID, http.StatusBadRequest, "invalid", "malformed"},
		{"expired", expired, "/checkout/success/" + orderID, http.StatusGone, "expired", "expired"},
		// A token is not enough: the accept must come from the buyer's
		// browser, whatever return_to says.
		{"another customer's browser", good, "/checkout/success/" + orderID, http.StatusForbidden, "not_buyer", "order's own page"},
		{"another customer's browser, from its own page", good, "/checkout/success/" + other, http.StatusForbidden, "not_buyer", "order's own page"},
		{"a browser without cookies", good, "/checkout/success/" + orderID, http.StatusForbidden, "not_buyer", "order's own page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := s
			switch {
			case strings.HasPrefix(tt.name, "another customer's"):
				from = otherBuyer
			case tt.name == "a browser without cookies":
				from = newShopper(t)
			}
			resp, ans := from.accept(tt.token, tt.returnTo)
			if resp.StatusCode != tt.status || ans.OK || ans.Status != tt.code || !strings.Contains(ans.Message, tt.message) {
				t.Errorf("got %d %+v, want %d %s with %q", resp.StatusCode, ans, tt.status, tt.code, tt.message)
			}
		})
	}
	if got := storeStat(t, "accept_calls") - callsBefore; got != 0 {
		t.Errorf("bad tokens caused %d store calls", got)
	}

	// A cross-site post is refused too.
	payload, _ := json.Marshal(map[string]string{"token": good})
	req, _ := http.NewRequest(http.MethodPost, kairoURL+"/_upsell/accept", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, body := s.do(req)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site accept: %d %s", resp.StatusCode, body)
	}
	if got := storeStat(t, "accept_calls") - callsBefore; got != 0 {
		t.Errorf("refused requests caused %d store calls", got)
	}
}

// flip changes the characters of a base64url string into other valid ones.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

func TestStoreOutcomesHaveTheirOwnMessages(t *testing.T) {
	start(t, setup{})
	tests := []struct {
		fault  map[string]any
		status int
		code   string
	}{
		{map[string]any{"accept_status": 402}, http.StatusPaymentRequired, "payment_failed"},
		{map[string]any{"accept_status": 409}, http.StatusConflict, "out_of_stock"},
		{map[string]any{"accept_status": 410}, http.StatusGone, "order_closed"},
		{map[string]any{"accept_status": 500}, http.StatusBadGateway, "store_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s, orderID := orderWithBeans(t)
			_, page := s.get(kairoURL + "/checkout/success/" + orderID)
			toks := tokens(page)
			if len(toks) == 0 {
				t.Fatal("no offer")
			}
			storeAPI(t, http.MethodPost, "/_demo/faults", tt.fault)
			defer storeAPI(t, http.MethodDelete, "/_demo/faults", nil)
			resp, ans := s.accept(toks[0], "/checkout/success/"+orderID)
			if resp.StatusCode != tt.status || ans.Status != tt.code || ans.Message == "" {
				t.Errorf("got %d %+v, want %d %s", resp.StatusCode, ans, tt.status, tt.code)
			}
		})
	}
}

func TestFormPostRedirectsBackWithTheResult(t *testing.T) {
	start(t, setup{})
	s, pagePath, toks := thankYouTokens(t)
	orderID := strings.TrimPrefix(pagePath, "/checkout/success/")
	resp, _ := s.postForm(kairoURL+"/_upsell/accept", url.Values{"token": {toks[0]}, "return_to": {pagePath}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != pagePath+"?kairo=accepted" {
		t.Fatalf("form accept: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := s.get(kairoURL + resp.Header.Get("Location"))
	if !strings.Contains(page, "Added to your order.") {
		t.Errorf("the page after the form post does not show the result")
	}
	if hasProduct(orderItems(t, orderID), "thermos") != 1 {
		t.Errorf("the form accept did not add the thermos")
	}

	// Declining hides the offer on reload and the downsell takes its place.
	s2, order2 := orderWithBeans(t)
	_, page = s2.get(kairoURL + "/checkout/success/" + order2)
	if strings.Contains(page, `data-kairo-offer="socks-half"`) {
		t.Errorf("the downsell socks-half shows before thermos-20 was declined")
	}
	toks = tokens(page)
	resp, _ = s2.postForm(kairoURL+"/_upsell/decline", url.Values{"token": {toks[0]}, "return_to": {"/checkout/success/" + order2}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d", resp.StatusCode)
	}
	_, page = s2.get(kairoURL + "/checkout/success/" + order2)
	if strings.Contains(page, `data-kairo-offer="thermos-20"`) || !strings.Contains(page, `data-kairo-offer="socks-half"`) {
		t.Errorf("after declining thermos-20 the page should offer socks-half instead")
	}
}

func TestStoreDownPagesUnchangedAcceptFails(t *testing.T) {
	// Kairo's store API address is dead; the store's pages still are served.
	start(t, setup{apiURL: "http://127.0.0.1:9"})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	_, viaKairo := s.get(kairoURL + "/cart")
	_, plain := s.get(plainURL + "/cart")
	if viaKairo != plain {
		t.Errorf("with the store API down the cart page changed")
	}
	// The buyer's page still comes from the store, with the buyer's cookie;
	// the token is signed here as Kairo would have.
	orderID := s.checkout()
	s.get(kairoURL + "/checkout/success/" + orderID)
	signer, _ := offers.NewSigner([][]byte{[]byte(secret)}, nil)
	tok, _ := signer.Sign(offers.Claims{
		OfferID: "thermos-20", Placement: offers.PlacementThankYou, Subject: orderID,
		ProductID: "thermos", ProductVariantID: "thermos-500ml", Quantity: 1, UnitPrice: 2399, Discount: 600, Currency: "USD",
		ExpiresAt: time.Now().Add(time.Hour),
	})
	resp, ans := s.accept(tok, "/checkout/success/"+orderID)
	// 503: the store could not be reached (a 5xx it sends is 502, see outcomes).
	if resp.StatusCode != http.StatusServiceUnavailable || ans.Status != "store_unavailable" || !strings.Contains(ans.Message, "could not be reached") {
		t.Errorf("accept with the store down: %d %+v", resp.StatusCode, ans)
	}
}

func TestSlowStoreContextIsCutOff(t *testing.T) {
	start(t, setup{timeout: "150ms"})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	storeAPI(t, http.MethodDelete, "/_demo/stats", nil)
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/faults", map[string]any{"context_delay": "10s"}); status/100 != 2 {
		t.Fatalf("setting faults: %d", status)
	}
	defer storeAPI(t, http.MethodDelete, "/_demo/faults", nil)
	_, plain := s.get(plainURL + "/cart")
	began := time.Now()
	_, viaKairo := s.get(kairoURL + "/cart")
	took := time.Since(began)
	if viaKairo != plain {
		t.Errorf("with a slow store the cart page changed")
	}
	// The store would have answered after 10 s; the page came back well
	// before, and the store saw its context request cancelled.
	if took > 8*time.Second {
		t.Errorf("the page took %v: the slow context request was waited for", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for storeStat(t, "context_cancelled") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the store never saw the slow context request cancelled")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestShortFirstChunkStillCompressed checks a store whose cart page has a
// Content-Length but whose first chunk is short, behind encode: dropping
// the length must not cost the page its compression (encode decides on
// the first write), while the widget, known only after the page started,
// still goes in.
func TestShortFirstChunkStillCompressed(t *testing.T) {
	head := "<!doctype html><html><head><title>Cart</title></head><body>"
	rest := strings.Repeat("<p>Your cart</p>\n", 200) + "</body></html>"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(rest)))
		_, _ = io.WriteString(w, head)
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond)
		_, _ = io.WriteString(w, rest)
	}))
	defer upstream.Close()
	start(t, setup{cart: strings.TrimPrefix(upstream.URL, "http://")})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	// The context comes after the page's header, so its length cannot be
	// kept exact.
	if status, _ := storeAPI(t, http.MethodPost, "/_demo/faults", map[string]any{"context_delay": "300ms"}); status/100 != 2 {
		t.Fatalf("setting faults: %d", status)
	}
	defer storeAPI(t, http.MethodDelete, "/_demo/faults", nil)

	req, _ := http.NewRequest(http.MethodGet, kairoURL+"/cart", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, body := s.do(req)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q, want gzip", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), head) || !strings.Contains(string(page), "data-kairo-widget") ||
		!strings.HasSuffix(string(page), "</body></html>") {
		t.Errorf("page without the widget before </body>:\n%.300s", page)
	}
}

func TestUnmatchedRoutesAreByteIdenticalToReverseProxy(t *testing.T) {
	start(t, setup{})
	s := newShopper(t)
	s.addToCart("mug")
	requests := []struct {
		method, path string
		headers      map[string]string
	}{
		{http.MethodGet, "/", nil},
		{http.MethodGet, "/", map[string]string{"Accept-Encoding": "gzip"}},
		{http.MethodGet, "/images/mug.svg", nil},
		{http.MethodHead, "/", nil},
		{http.MethodGet, "/api/cart", nil},
		{http.MethodGet, "/assets/store.css", nil},
		{http.MethodGet, "/no-such-page", nil},
	}
	for _, rq := range requests {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			fetch := func(base string) (*http.Response, string) {
				req, _ := http.NewRequest(rq.method, base+rq.path, nil)
				for k, v := range rq.headers {
					req.Header.Set(k, v)
				}
				return s.do(req)
			}
			a, bodyA := fetch(kairoURL)
			b, bodyB := fetch(plainURL)
			if a.StatusCode != b.StatusCode || bodyA != bodyB {
				t.Errorf("status %d vs %d; bodies equal: %v", a.StatusCode, b.StatusCode, bodyA == bodyB)
			}
			a.Header.Del("Date")
			b.Header.Del("Date")
			if fmt.Sprint(a.Header) != fmt.Sprint(b.Header) {
				t.Errorf("headers differ:\nkairo %v\nplain %v", a.Header, b.Header)
			}
		})
	}
}

func TestMetricsAreExposed(t *testing.T) {
	start(t, setup{})
	s, orderID := orderWithBeans(t)
	s.get(kairoURL + "/checkout/success/" + orderID)
	_, metrics := s.get("http://localhost:2999/metrics")
	for _, want := range []string{
		`kairo_upsell_impressions_total{offer="thermos-20",placement="thank_you",variant="-"}`,
		`kairo_upsell_pages_total{outcome="injected",placement="thank_you"}`,
		`kairo_upsell_store_request_duration_seconds_count{call="order_context",result="ok"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestContextCacheSparesTheStoreUntilAnAccept(t *testing.T) {
	start(t, setup{extra: "context_ttl 1h"})
	waitForStartCheck(t)
	s := newShopper(t)
	s.addToCart("coffee-beans")
	storeAPI(t, http.MethodDelete, "/_demo/stats", nil)
	_, page := s.get(kairoURL + "/cart")
	toks := tokens(page)
	if len(toks) == 0 {
		t.Fatal("no offer on the cart page")
	}
	s.get(kairoURL + "/cart")
	if got := storeStat(t, "context_calls"); got != 1 {
		t.Fatalf("two cart views asked the store %d times, want 1 (cached)", got)
	}
	if _, ans := s.accept(toks[0], "/cart"); !ans.OK {
		t.Fatalf("accept: %+v", ans)
	}
	_, page = s.get(kairoURL + "/cart")
	if got := storeStat(t, "context_calls"); got != 2 {
		t.Errorf("after an accept the cart view asked the store %d times in all, want 2 (entry dropped)", got)
	}
	if strings.Contains(page, `data-kairo-offer="mug-with-beans"`) {
		t.Error("the accepted mug is offered again from a stale context")
	}
}

// TestDemoCaddyfileRunsTheTour loads demo/Caddyfile, as the README's first
// command does, on the test ports, and walks the start of the tour: the
// cart page gets the mug offer and the thank-you address Kairo's offer
// page with the thermos.
func TestDemoCaddyfileRunsTheTour(t *testing.T) {
	src, err := os.ReadFile("../demo/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer(
		"admin localhost:2019", "admin localhost:2999\n\tskip_install_trust\n\tgrace_period 1ns",
		":8080", ":9080",
		"9300", "9301",
		"{$UPSELL_CATALOG:demo/offers.json}", "../demo/offers.json",
	).Replace(string(src))
	if cfg == string(src) || strings.Contains(cfg, "2019") || strings.Contains(cfg, "8080") || strings.Contains(cfg, "9300") {
		t.Fatalf("demo/Caddyfile changed shape; adapt this test's port mapping:\n%s", cfg)
	}
	loadConfig(t, cfg, "caddyfile")

	s := newShopper(t)
	s.addToCart("coffee-beans")
	if _, page := s.get(kairoURL + "/cart"); !strings.Contains(page, `data-kairo-offer="mug-with-beans"`) {
		t.Errorf("the demo's cart page has no mug offer:\n%s", page)
	}
	orderID := s.checkout()
	if _, page := s.get(kairoURL + "/checkout/success/" + orderID); !strings.Contains(page, `data-kairo-step="thermos-20"`) {
		t.Errorf("the demo's thank-you address has no offer page with the thermos:\n%s", page)
	}
}

// metricValue reads one sample from Caddy's metrics endpoint, 0 when it
// is not there.
func metricValue(t *testing.T, s *shopper, sample string) float64 {
	t.Helper()
	_, metrics := s.get("http://localhost:2999/metrics")
	for _, line := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// TestCountersSurviveAReload: a config reload (here a changed option, as
// `caddy reload` does) keeps Kairo's counters counting.
func TestCountersSurviveAReload(t *testing.T) {
	const injected = `kairo_upsell_pages_total{outcome="injected",placement="cart"}`
	start(t, setup{extra: "max_offers 2"})
	s := newShopper(t)
	s.addToCart("coffee-beans")
	s.get(kairoURL + "/cart")
	before := metricValue(t, s, injected)
	if before < 1 {
		t.Fatalf("%s is %v after an injected cart page", injected, before)
	}
	start(t, setup{extra: "max_offers 1"})
	if after := metricValue(t, s, injected); after != before {
		t.Fatalf("%s went from %v to %v across a reload", injected, before, after)
	}
	s.addToCart("coffee-beans") // the demo store starts empty with each config
	s.get(kairoURL + "/cart")
	if after := metricValue(t, s, injected); after != before+1 {
		t.Errorf("%s is %v after one more page, want %v", injected, after, before+1)
	}
}

// A decline counts once, however many times it is posted (a double click,
// a second tab, a resubmitted form): on the inline box and on the offer
// page.
func TestADeclineCountsOnce(t *testing.T) {
	declines := func(s *shopper) float64 {
		return metricValue(t, s, `kairo_upsell_declines_total{offer="thermos-20",placement="thank_you",variant="-"}`)
	}
	t.Run("inline", func(t *testing.T) {
		start(t, setup{})
		s, pagePath, toks := thankYouTokens(t)
		before := declines(s)
		for range 3 {
			if resp, _ := s.postForm(kairoURL+"/_upsell/decline", url.Values{"token": {toks[0]}, "return_to": {pagePath}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("decline: %d", resp.StatusCode)
			}
		}
		if got := declines(s) - before; got != 1 {
			t.Errorf("three posts of one decline counted %v, want 1", got)
		}
	})
	t.Run("offer page", func(t *testing.T) {
		start(t, setup{postPurchase: "page"})
		_, path, a, b, tokA, tokB := twoTabsOnTheThermosStep(t)
		before := declines(a)
		for _, tab := range []struct {
			s   *shopper
			tok string
		}{{a, tokA[0]}, {b, tokB[0]}, {a, tokA[0]}} {
			if status, _ := tab.s.pageAction("decline", tab.tok, path, 0); status != http.StatusOK {
				t.Fatalf("decline: %d", status)
			}
		}
		if got := declines(a) - before; got != 1 {
			t.Errorf("three declines of one step from two tabs counted %v, want 1", got)
		}
	})
}
