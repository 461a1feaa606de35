package caddymodule_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// operatorHash is the bcrypt hash of the operator's password
// "open-sesame" at the lowest cost (4), so the test's many requests do not
// each spend a second on the default cost of `caddy hash-password`.
const operatorHash = "$2a$04$skgYByJ8jjLdFHpjb/UF0.pwaG1KiIlnkgeyZywsryRKW.7qIPwzq"

// withDashboardAuth puts basic_auth for the dashboard into the Kairo site
// of a test configuration, for the operator.
func withDashboardAuth(t *testing.T, cfg string) string {
	t.Helper()
	site := "http://127.0.0.1:9080 {\n\tbind 127.0.0.1\n"
	if !strings.Contains(cfg, site) {
		t.Fatal("the test configuration has no Kairo site to protect")
	}
	return strings.Replace(cfg, site, site+"\tbasic_auth /_upsell/dashboard* {\n\t\toperator "+operatorHash+"\n\t}\n", 1)
}

// getAs fetches a URL with basic auth credentials (none when user is "").
func getAs(t *testing.T, rawURL, user, password string) (*http.Response, string) {
	t.Helper()
	s := newShopper(t)
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	if user != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	return s.do(req)
}

// dashboardOrders reads the orders of today from the dashboard's JSON.
func dashboardOrders(t *testing.T) int64 {
	t.Helper()
	resp, body := getAs(t, kairoURL+"/_upsell/dashboard.json?days=1", "operator", "open-sesame")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard JSON: %d %s", resp.StatusCode, body)
	}
	var rep struct {
		Orders []struct {
			Treated, Holdout struct{ Orders int64 }
		}
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("dashboard JSON: %v\n%s", err, body)
	}
	var n int64
	for _, o := range rep.Orders {
		n += o.Treated.Orders + o.Holdout.Orders
	}
	return n
}

// In real Caddy, the dashboard is behind the operator's basic_auth: no
// credentials, no figures; with them, an order through the demo store
// shows up in the dashboard and the metrics, and stays after a config
// reload. Without an authentication
// handler in front the dashboard refuses everyone.
func TestDashboardBehindBasicAuth(t *testing.T) {
	loadConfig(t, withDashboardAuth(t, setup{extra: "dashboard\n\t\tholdout 10%"}.caddyfile()), "caddyfile")
	dash := kairoURL + "/_upsell/dashboard"
	// (An unknown user is checked against Caddy's cost-14 fake hash, seconds
	// under the race detector: Caddy's own tests cover that.)
	for _, creds := range [][2]string{{"", ""}, {"operator", "wrong"}} {
		if resp, _ := getAs(t, dash, creds[0], creds[1]); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("credentials %q: %d, want 401", creds, resp.StatusCode)
		}
	}
	resp, page := getAs(t, dash, "operator", "open-sesame")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "What the offers earn") {
		t.Fatalf("dashboard with credentials: %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}

	// The state layer outlives the tests' reloads: count from here.
	before := dashboardOrders(t)
	s, orderID := orderWithBeans(t)
	s.get(kairoURL + "/checkout/success/" + orderID)
	s.get(kairoURL + "/checkout/success/" + orderID) // a reload is the same order
	// The recorder writes in the background: wait for the order to appear.
	deadline := time.Now().Add(10 * time.Second)
	orders := before
	for orders == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		orders = dashboardOrders(t)
	}
	if orders != before+1 {
		t.Errorf("the dashboard counts %d orders after one more, want %d", orders, before+1)
	}
	// The recorder counts the metric as it records the order, in the
	// background: wait for it too.
	var metrics string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, metrics = s.get("http://localhost:2999/metrics"); strings.Contains(metrics, `kairo_upsell_orders_total{arm=`) {
			break
		}
	}
	if !strings.Contains(metrics, `kairo_upsell_orders_total{arm=`) {
		t.Error("metrics lack kairo_upsell_orders_total by arm")
	}
	// A config reload provisions a new handler (the config must change, or
	// Caddy keeps the running one): the figures stay.
	loadConfig(t, withDashboardAuth(t, setup{extra: "dashboard\n\t\tholdout 10%\n\t\tmax_offers 3"}.caddyfile()), "caddyfile")
	if got := dashboardOrders(t); got != before+1 {
		t.Errorf("after a reload the dashboard counts %d orders, want %d", got, before+1)
	}

	// The same handler without basic_auth in front: shut.
	start(t, setup{extra: "dashboard"})
	if resp, body := getAs(t, dash, "operator", "open-sesame"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dashboard without an authentication handler: %d %q, want 403", resp.StatusCode, body)
	}
}
