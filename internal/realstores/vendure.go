package realstores

import (
	"path/filepath"
	"testing"
	"time"
)

// Vendure is a running Vendure 3.7.3 with the seeded catalog of
// @vendure/create (54 products; variants priced without tax, 20% tax in
// the default zone), a superadmin and the dummy payment method
// "standard-payment".
type Vendure struct {
	URL           string // base URL; the APIs are /shop-api and /admin-api
	AdminUser     string
	AdminPassword string
}

// StartVendure starts a Vendure of its own for the test, on a copy of the
// seeded database; the test's cleanup stops it.
func StartVendure(t testing.TB) *Vendure {
	t.Helper()
	need(t, "node", "npm")
	install := setup(t, "vendure")
	start := time.Now()
	dir := t.TempDir()
	db := filepath.Join(dir, "vendure.sqlite")
	copyFile(t, filepath.Join(install, "seed.sqlite"), db)
	port := freePort(t)
	p := startProcess(t, dir, filepath.Join(dir, "vendure.log"), []string{"PORT=" + itoa(port), "VENDURE_DISABLE_TELEMETRY=true"},
		"node", filepath.Join(install, "server.js"), "serve", db)
	v := &Vendure{URL: "http://127.0.0.1:" + itoa(port), AdminUser: "superadmin", AdminPassword: "superadmin"}
	waitHTTP(t, p, v.URL+"/shop-api?query=%7B__typename%7D", 90*time.Second)
	t.Logf("Vendure on %s, ready in %s", v.URL, time.Since(start).Round(100*time.Millisecond))
	return v
}
