package woocommerce_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/stores/woocommerce"
)

// The real-store tests start one WooCommerce (WordPress, PHP and MariaDB
// from Debian) with the shared script for the whole package, create
// products through REST v3 and walk through Kairo as a shopper would. They
// run once in CI: a -race build skips them (raceEnabled), since the
// store, not Kairo's code, is what they exercise.
//
// Ports: the store's HTTP and MariaDB ports and Kairo's caddytest ports
// (admin, http, https) are free ports picked when the package starts, so
// this package cannot collide with caddymodule's fixed 2999/9080/9443 or
// another package's.

// scriptEnv names the store script when it is not in its usual place.
const scriptEnv = "KAIRO_WOOCOMMERCE_SH"

// woo is the package's running store, or nil when the real-store tests
// are skipped (skipReason says why).
var (
	woo        *realStore
	skipReason string
)

// realStore is one running WooCommerce.
type realStore struct {
	dir      string
	url      string // http://127.0.0.1:port, the site's home URL
	ck, cs   string // REST API key, Read/Write
	appUser  string
	appPW    string
	mug      int64 // products made by REST for the tests
	thermos  int64
	socks    int64
	startDur time.Duration
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests starts the store (unless skipped), runs the tests and always
// stops the store, also when the run is interrupted.
func runTests(m *testing.M) int {
	if raceEnabled {
		skipReason = "the real-store tests run once, without -race"
		return m.Run()
	}
	script, err := findScript()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "woocommerce: "+err.Error())
			return 1
		}
		skipReason = err.Error()
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "kairo-woo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// caddytest keeps its state under XDG folders: not the user's home.
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("XDG_DATA_HOME", dir)

	stop := func() { stopStore(filepath.Join(dir, "store")) }
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-interrupted; ok {
			stop()
			os.Exit(2)
		}
	}()
	defer signal.Stop(interrupted)
	defer stop()

	woo, err = startStore(script, filepath.Join(dir, "store"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "woocommerce: starting the real store:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "woocommerce: real store up at %s in %s\n", woo.url, woo.startDur.Round(time.Second))
	return m.Run()
}

// findScript locates the store script: $KAIRO_WOOCOMMERCE_SH, else
// ../shared/stores/woocommerce.sh beside the repository, else
// /work/shared/stores/woocommerce.sh.
func findScript() (string, error) {
	candidates := []string{os.Getenv(scriptEnv), "../../../shared/stores/woocommerce.sh", "/work/shared/stores/woocommerce.sh"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return filepath.Abs(c)
		}
	}
	return "", fmt.Errorf("the WooCommerce store script was not found (set %s, or put it at <repo>/../shared/stores/woocommerce.sh); the real-store tests need it", scriptEnv)
}

// needStore skips a test when the real store is not running.
func needStore(t *testing.T) *realStore {
	t.Helper()
	if woo == nil {
		t.Skip("real WooCommerce store not started: " + skipReason)
	}
	return woo
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startStore runs the script into dir and makes the tests' products.
func startStore(script, dir string) (*realStore, error) {
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	dbPort, err := freePort()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	cmd := exec.Command("bash", script, dir, strconv.Itoa(httpPort), strconv.Itoa(dbPort))
	// Its own process group, so that a failed start leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", script, err, tail(out, 30))
	}
	s := &realStore{dir: dir, url: fmt.Sprintf("http://127.0.0.1:%d", httpPort), startDur: time.Since(began)}
	creds, err := readEnvFile(filepath.Join(dir, "creds.env"))
	if err != nil {
		return nil, err
	}
	s.ck, s.cs, s.appUser, s.appPW = creds["CK"], creds["CS"], creds["APP_USER"], creds["APP_PW"]
	for _, p := range []struct {
		dst   *int64
		name  string
		price string
		stock int
	}{{&s.mug, "Coffee Mug", "12.50", 50}, {&s.thermos, "Steel Thermos", "20.00", 500}, {&s.socks, "Coffee Socks", "8.00", 500}} {
		var made struct {
			ID int64 `json:"id"`
		}
		if err := s.admin(http.MethodPost, "/products", map[string]any{
			"name": p.name, "type": "simple", "regular_price": p.price,
			"manage_stock": true, "stock_quantity": p.stock,
		}, &made); err != nil {
			return nil, fmt.Errorf("creating product %s: %w", p.name, err)
		}
		*p.dst = made.ID
	}
	return s, nil
}

// stopStore stops what the script started: its stop script, else the
// process groups recorded in run/ (a start that failed half way).
func stopStore(dir string) {
	if _, err := os.Stat(filepath.Join(dir, "stop.sh")); err == nil {
		_ = exec.Command("sh", filepath.Join(dir, "stop.sh")).Run()
		return
	}
	for _, f := range []string{"run/php.pid", "run/mysqld.pid"} {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && pid > 1 {
			_ = syscall.Kill(-pid, syscall.SIGTERM) // setsid made it a group leader
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
}

func tail(out []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// readEnvFile reads KEY=value lines.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vals[k] = v
		}
	}
	return vals, sc.Err()
}

// restClient calls the store without keeping connections across tests.
var restClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 60 * time.Second}

// admin calls REST v3 with the application password and decodes the JSON.
func (s *realStore) admin(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.url+"/wp-json/wc/v3"+path, rd)
	req.SetBasicAuth(s.appUser, s.appPW)
	req.Header.Set("Content-Type", "application/json")
	resp, err := restClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// wcOrder is what the tests read of a REST v3 order.
type wcOrder struct {
	ID            int64  `json:"id"`
	ParentID      int64  `json:"parent_id"`
	Status        string `json:"status"`
	Total         string `json:"total"`
	OrderKey      string `json:"order_key"`
	PaymentMethod string `json:"payment_method"`
	PaymentURL    string `json:"payment_url"`
	CustomerID    int64  `json:"customer_id"`
	Billing       struct {
		Email     string `json:"email"`
		Address1  string `json:"address_1"`
		FirstName string `json:"first_name"`
	} `json:"billing"`
	Shipping struct {
		Address1 string `json:"address_1"`
	} `json:"shipping"`
	MetaData []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"meta_data"`
	ShippingLines []struct {
		MethodID string `json:"method_id"`
		Total    string `json:"total"`
	} `json:"shipping_lines"`
	LineItems []struct {
		ProductID int64  `json:"product_id"`
		Quantity  int    `json:"quantity"`
		Subtotal  string `json:"subtotal"`
		Total     string `json:"total"`
	} `json:"line_items"`
}

func (s *realStore) order(t *testing.T, id int64) wcOrder {
	t.Helper()
	var o wcOrder
	if err := s.admin(http.MethodGet, "/orders/"+strconv.FormatInt(id, 10), nil, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// linesOf counts an order's lines of a product.
func (o wcOrder) linesOf(product int64) int {
	n := 0
	for _, l := range o.LineItems {
		if l.ProductID == product {
			n++
		}
	}
	return n
}

// children are the orders whose parent is id.
func (s *realStore) children(t *testing.T, id int64) []wcOrder {
	t.Helper()
	var out []wcOrder
	if err := s.admin(http.MethodGet, fmt.Sprintf("/orders?parent=%d&status=any", id), nil, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var testAddress = map[string]string{
	"first_name": "Ada", "last_name": "Lovelace", "company": "", "address_1": "1 Main St", "address_2": "",
	"city": "Los Angeles", "state": "CA", "postcode": "90001", "country": "US", "phone": "5555555",
}

// cardOrder places an order the way a card gateway leaves it: paid with a
// method that is not offline (made by REST: the test store has no card
// gateway).
func (s *realStore) cardOrder(t *testing.T) wcOrder {
	t.Helper()
	billing := map[string]string{"email": "grace@example.com"}
	for k, v := range testAddress {
		billing[k] = v
	}
	var o wcOrder
	err := s.admin(http.MethodPost, "/orders", map[string]any{
		"payment_method": "stripe", "payment_method_title": "Credit card", "set_paid": true,
		"billing": billing, "shipping": testAddress,
		"line_items": []map[string]any{{"product_id": s.mug, "quantity": 1}},
	}, &o)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// codOrder places a cash-on-delivery order as a guest shopper would, and
// returns it with the shopper that placed it.
func (s *realStore) codOrder(t *testing.T, viaURL string) (*shopper, wcOrder) {
	t.Helper()
	sh := newShopper(t, viaURL)
	sh.addToCart(s.mug)
	id, _ := sh.checkout(s.url)
	return sh, s.order(t, id)
}

// connector is a provisioned Connector for this store.
func (s *realStore) connector(t *testing.T, useKey bool) *woocommerce.Connector {
	t.Helper()
	c := &woocommerce.Connector{}
	c.URL = s.url
	c.AcceptTimeout = caddy.Duration(60 * time.Second)
	c.Timeout = caddy.Duration(30 * time.Second)
	if useKey {
		c.ConsumerKey, c.ConsumerSecret = s.ck, s.cs
	} else {
		c.AppUser, c.AppPassword = s.appUser, s.appPW
	}
	if err := c.Provision(caddy.Context{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Cleanup() })
	return c
}

// errStatus is a non-2xx answer the test did not expect.
var errStatus = errors.New("unexpected status")

// cartView is what the tests read of the Store API's cart.
type cartView struct {
	Items []struct {
		ID       int64 `json:"id"`
		Quantity int   `json:"quantity"`
	} `json:"items"`
	Coupons []struct {
		Code string `json:"code"`
	} `json:"coupons"`
	Totals struct {
		TotalPrice string `json:"total_price"`
	} `json:"totals"`
}

// quantityOf is how many of a product the cart holds.
func (c cartView) quantityOf(id int64) int {
	for _, it := range c.Items {
		if it.ID == id {
			return it.Quantity
		}
	}
	return 0
}

// storeAPICart reads a shopper's cart straight from the store.
func (s *realStore) storeAPICart(t *testing.T, sh *shopper) cartView {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/wp-json/wc/store/v1/cart", nil)
	resp, body := sh.do(req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("store API cart: %v %d %s", errStatus, resp.StatusCode, body)
	}
	var c cartView
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// pagePath is a URL's path and query.
func pagePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.RequestURI()
}
