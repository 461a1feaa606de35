package woocommerce_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"

	// The upsell handler, which loads this package's module by name.
	_ "github.com/kairoedge/kairo/caddymodule"
)

// Kairo in front of the real store, as an operator configures it: the
// cart and order-received pages of WooCommerce, the woocommerce store
// module with a REST key from the environment (OAuth-signed over http).

const kairoSecret = "woocommerce-test-secret-0123456789abcdef"

// Offers of the test catalog: a cart offer and a thank-you offer, both
// triggered by the mug.
const (
	cartOffer     = "socks-cart"
	cartUnitPrice = 600 // socks 8.00, 25% off
	thankYouOffer = "thermos-after"
	thankYouPrice = 1500 // thermos 20.00, 5.00 off
)

var (
	kairoOnce sync.Once
	kairoErr  error
	kairoURL  string
	kairoConf string
)

// kairo starts (or reloads) Caddy with Kairo in front of the store and
// returns Kairo's URL. Its ports are picked once per package.
func kairo(t *testing.T) string {
	t.Helper()
	s := needStore(t)
	kairoOnce.Do(func() { kairoErr = s.prepareKairo() })
	if kairoErr != nil {
		t.Fatal(kairoErr)
	}
	adminPort := kairoConfAdminPort
	tester := caddytest.NewTester(t).WithDefaultOverrides(caddytest.Config{AdminPort: adminPort, LoadRequestTimeout: 30 * time.Second})
	tester.InitServer(kairoConf, "caddyfile")
	return kairoURL
}

var kairoConfAdminPort int

// prepareKairo writes the catalog and the Caddyfile.
func (s *realStore) prepareKairo() error {
	ports := make([]int, 3)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	kairoConfAdminPort = ports[0]
	kairoURL = fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	catalog := fmt.Sprintf(`{"offers": [
  {"id": %[1]q, "placements": ["cart"], "trigger": {"product_ids": ["%[3]d"]},
   "product": {"product_id": "%[4]d", "title": "Coffee Socks", "unit_price": 800, "currency": "USD"},
   "discount": {"percent": 25}, "quantity": 1, "priority": 5},
  {"id": %[2]q, "placements": ["thank_you"], "trigger": {"product_ids": ["%[3]d"]},
   "product": {"product_id": "%[5]d", "title": "Steel Thermos", "unit_price": 2000, "currency": "USD"},
   "discount": {"amount": 500}, "quantity": 1, "priority": 10, "expires_after": "15m"}
]}`, cartOffer, thankYouOffer, s.mug, s.socks, s.thermos)
	path := filepath.Join(s.dir, "offers.json")
	if err := os.WriteFile(path, []byte(catalog), 0o644); err != nil {
		return err
	}
	os.Setenv("KAIRO_TEST_WC_KEY", s.ck)
	os.Setenv("KAIRO_TEST_WC_SECRET", s.cs)
	storeHost := strings.TrimPrefix(s.url, "http://")
	kairoConf = fmt.Sprintf(`{
	skip_install_trust
	admin localhost:%[1]d
	http_port %[2]d
	https_port %[3]d
	grace_period 1ns
	auto_https off
}
http://127.0.0.1:%[2]d {
	bind 127.0.0.1
	encode
	upsell {
		catalog %[4]s
		secret %[5]s
		cart /cart/*
		thank_you /checkout/order-received/{order_id}/*
		store woocommerce %[6]s {
			consumer_key {env.KAIRO_TEST_WC_KEY}
			consumer_secret {env.KAIRO_TEST_WC_SECRET}
			timeout 5s
			accept_timeout 60s
		}
	}
	reverse_proxy %[7]s {
		# WordPress answers for its own address only.
		header_up Host {upstream_hostport}
	}
}
`, ports[0], ports[1], ports[2], path, kairoSecret, s.url, storeHost)
	return nil
}

// shopper is a customer's browser: a cookie jar (WordPress's cookies are
// for 127.0.0.1, whichever port) and no automatic redirects.
type shopper struct {
	t    *testing.T
	base string // where pages are asked for: Kairo
	c    *http.Client
}

func newShopper(t *testing.T, base string) *shopper {
	jar, _ := cookiejar.New(nil)
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return &shopper{t: t, base: base, c: &http.Client{
		Jar: jar, Transport: transport, Timeout: 90 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (s *shopper) do(req *http.Request) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (s *shopper) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	return s.do(req)
}

// addToCart adds a product with WooCommerce's own add-to-cart link, which
// starts the shopper's session.
func (s *shopper) addToCart(product int64) {
	s.t.Helper()
	resp, body := s.get(fmt.Sprintf("/?add-to-cart=%d", product))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusFound {
		s.t.Fatalf("add %d to cart: %d %.300s", product, resp.StatusCode, body)
	}
}

// storeAPI posts to the Store API as the shopper, with the nonce it hands
// out.
func (s *shopper) storeAPI(storeURL, path string, body any) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, storeURL+"/wp-json/wc/store/v1/cart", nil)
	resp, _ := s.do(req)
	raw, _ := json.Marshal(body)
	req, _ = http.NewRequest(http.MethodPost, storeURL+"/wp-json/wc/store/v1"+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Nonce", resp.Header.Get("Nonce"))
	return s.do(req)
}

// checkout places the cart as a cash-on-delivery order through the Store
// API, as the block checkout does, and returns the order id and the
// order-received page it sends the shopper to.
func (s *shopper) checkout(storeURL string) (int64, string) {
	s.t.Helper()
	billing := map[string]string{"email": "ada@example.com"}
	for k, v := range testAddress {
		billing[k] = v
	}
	resp, body := s.storeAPI(storeURL, "/checkout", map[string]any{
		"billing_address": billing, "shipping_address": testAddress, "payment_method": "cod",
	})
	var placed struct {
		OrderID       int64 `json:"order_id"`
		PaymentResult struct {
			RedirectURL string `json:"redirect_url"`
		} `json:"payment_result"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &placed) != nil || placed.OrderID == 0 {
		s.t.Fatalf("checkout: %d %.500s", resp.StatusCode, body)
	}
	return placed.OrderID, pagePath(placed.PaymentResult.RedirectURL)
}

// accept posts a token as the cart widget's script does.
func (s *shopper) accept(token, returnTo string) acceptAnswer {
	s.t.Helper()
	return s.post("/_upsell/accept", token, returnTo)
}

// pageAccept posts a token as the post-purchase offer page's script does.
func (s *shopper) pageAccept(token, returnTo string) acceptAnswer {
	s.t.Helper()
	return s.post("/_upsell/page/accept", token, returnTo)
}

func (s *shopper) post(endpoint, token, returnTo string) acceptAnswer {
	s.t.Helper()
	payload, _ := json.Marshal(map[string]string{"token": token, "return_to": returnTo})
	req, _ := http.NewRequest(http.MethodPost, s.base+endpoint, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", s.base)
	resp, body := s.do(req)
	var ans acceptAnswer
	if err := json.Unmarshal([]byte(body), &ans); err != nil {
		s.t.Fatalf("accept answer is not JSON: %d %q", resp.StatusCode, body)
	}
	return ans
}

type acceptAnswer struct {
	OK         bool   `json:"ok"`
	Status     string `json:"status"`
	Message    string `json:"message"`
	Total      string `json:"total"`
	PaymentURL string `json:"payment_url"`
	AmountDue  string `json:"amount_due"`
	HTML       string `json:"html"`
}

var (
	tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)
	// offerField names an offer of the cart widget or the step of the
	// post-purchase offer page.
	offerField = regexp.MustCompile(`data-kairo-(?:offer|step)="([^"]+)"`)
)

// offersOn returns the offers a page shows and their tokens.
func offersOn(page string) (ids, tokens []string) {
	for _, m := range offerField.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	// An offer's accept and decline forms carry the same token.
	seen := map[string]bool{}
	for _, m := range tokenField.FindAllStringSubmatch(page, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			tokens = append(tokens, m[1])
		}
	}
	return ids, tokens
}

// pageOffer gets a page through Kairo and returns its one offer's token,
// failing unless the page shows exactly the offer wanted.
func (s *shopper) pageOffer(path, want string) string {
	s.t.Helper()
	token, _ := s.pageWithOffer(path, want)
	return token
}

// pageWithOffer is pageOffer that returns the page too.
func (s *shopper) pageWithOffer(path, want string) (string, string) {
	s.t.Helper()
	resp, body := s.get(path)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
	}
	ids, tokens := offersOn(body)
	if len(ids) != 1 || ids[0] != want || len(tokens) != 1 {
		s.t.Fatalf("GET %s shows offers %v (%d tokens), want just %s", path, ids, len(tokens), want)
	}
	return tokens[0], body
}

// logIn logs the shopper in with WordPress's own login form, which sets
// WordPress's login cookies beside WooCommerce's session cookie.
func (s *shopper) logIn(user, password string) {
	s.t.Helper()
	s.get("/wp-login.php") // its test cookie
	req, _ := http.NewRequest(http.MethodPost, s.base+"/wp-login.php", strings.NewReader(url.Values{
		"log": {user}, "pwd": {password}, "wp-submit": {"Log In"}, "testcookie": {"1"},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := s.do(req)
	if resp.StatusCode != http.StatusFound {
		s.t.Fatalf("logging in as %s: %d %.300s", user, resp.StatusCode, body)
	}
	if !s.hasCookie("wordpress_logged_in_") {
		s.t.Fatalf("logging in as %s set no login cookie", user)
	}
}

// hasCookie reports whether the shopper has a cookie whose name starts
// with prefix.
func (s *shopper) hasCookie(prefix string) bool {
	u, _ := url.Parse(s.base)
	for _, c := range s.c.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, prefix) {
			return true
		}
	}
	return false
}
