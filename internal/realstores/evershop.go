package realstores

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// EverShop is a running EverShop 2.2.1 with its demo catalog (15
// products, prices in USD without tax), cash on delivery enabled and one
// US shipping zone with a $5 "Standard" rate, on a Postgres of its own.
type EverShop struct {
	URL           string
	AdminEmail    string
	AdminPassword string
}

// StartEverShop starts Postgres on a copy of the seeded data directory and
// EverShop on it, and sets up payment and shipping; the test's cleanup
// stops both.
func StartEverShop(t testing.TB) *EverShop {
	t.Helper()
	need(t, "node", "npm", filepath.Join(pgBin, "pg_ctl"))
	install := setup(t, "evershop")
	start := time.Now()

	// Postgres runs as the postgres user when the tests run as root: its
	// directory must be open to it, which t.TempDir's is not.
	dir, err := os.MkdirTemp("", "kairo-evershop-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	if out, err := exec.Command("cp", "-a", filepath.Join(install, "pgtemplate", "data"), filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("copying the seeded database: %v\n%s", err, out)
	}
	if os.Geteuid() == 0 {
		exec.Command("chown", "-R", "postgres", dir).Run()
	}
	pgPort := freePort(t)
	pgCtl := func(args ...string) *exec.Cmd {
		all := append([]string{filepath.Join(pgBin, "pg_ctl"), "-D", filepath.Join(dir, "data")}, args...)
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--"}, all...)...)
		}
		return exec.Command(all[0], all[1:]...)
	}
	if out, err := pgCtl("-l", filepath.Join(dir, "pg.log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", pgPort, dir), "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "pg.log"))
		t.Fatalf("starting Postgres: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() { pgCtl("-m", "immediate", "-w", "stop").Run() })

	port := freePort(t)
	env := []string{
		"PORT=" + itoa(port), "DB_HOST=127.0.0.1", "DB_PORT=" + itoa(pgPort), "DB_NAME=evershop",
		"DB_USER=postgres", "DB_PASSWORD=postgres", "NODE_ENV=production", "SUPPRESS_NO_CONFIG_WARNING=true",
		"NODE_OPTIONS=--require " + filepath.Join(install, "loopback.cjs"),
	}
	p := startProcess(t, install, filepath.Join(dir, "evershop.log"), env,
		"node", filepath.Join(install, "node_modules", "@evershop", "evershop", "dist", "bin", "evershop.js"), "start")
	s := &EverShop{URL: "http://127.0.0.1:" + itoa(port), AdminEmail: "admin@example.com", AdminPassword: "Admin12345"}
	waitHTTP(t, p, s.URL+"/api/graphql", 90*time.Second)
	s.configure(t)
	t.Logf("EverShop on %s, ready in %s", s.URL, time.Since(start).Round(100*time.Millisecond))
	return s
}

// configure turns on cash on delivery and a US shipping zone with a $5
// rate, as a store's owner would in the admin.
func (s *EverShop) configure(t testing.TB) {
	t.Helper()
	var login struct{ AccessToken string }
	s.API(t, "", http.MethodPost, "/api/user/tokens", map[string]string{"email": s.AdminEmail, "password": s.AdminPassword}, &login)
	token := login.AccessToken
	s.API(t, token, http.MethodPost, "/api/settings", map[string]any{"codPaymentStatus": 1, "codDislayName": "Cash on delivery"}, nil)
	var zone struct{ UUID string }
	s.API(t, token, http.MethodPost, "/api/shippingZones", map[string]any{"name": "US", "country": "US", "provinces": []string{}}, &zone)
	var method struct{ UUID string }
	s.API(t, token, http.MethodPost, "/api/shippingProviders/core/methods", map[string]any{"name": "Standard", "is_enabled": true}, &method)
	s.API(t, token, http.MethodPost, "/api/shippingProviders/core/rates", map[string]any{
		"method_id": method.UUID, "zone_id": zone.UUID, "is_enabled": true, "cost": 5,
	}, nil)
}

// API calls EverShop's REST API (with an admin token when given) and
// decodes the answer's data; any answer but 2xx fails the test. The calls
// come from an address of their own, apart from shoppers'.
func (s *EverShop) API(t testing.TB, token, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "192.0.2.200")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answer struct {
		Data  json.RawMessage `json:"data"`
		Error any             `json:"error"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil || resp.StatusCode/100 != 2 || answer.Error != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, answer.Data)
		}
	}
}
