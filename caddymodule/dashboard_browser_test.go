package caddymodule_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/kairoedge/kairo/caddymodule"
)

// dashboardScreenshot is the README's picture of the dashboard, relative
// to this package's directory; KAIRO_UPDATE_SCREENSHOT=1 rewrites it.
const dashboardScreenshot = "../docs/dashboard.png"

// The operator opens the dashboard after two weeks of simulated traffic:
// the charts are drawn without a single CSP complaint in the console (the
// tab fails the test on any console error), the A/B table names the
// better variant, and the paused offer is announced.
func TestBrowserDashboard(t *testing.T) {
	chromiumPath(t)
	base := caddymodule.ServeSimulatedDashboard(t, "operator", "dashboard-password")
	b := newTab(t, scriptsOn)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("operator:dashboard-password"))
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatalf("sending the operator's credentials: %v", err)
	}
	if _, status := b.load("open the dashboard", chromedp.Navigate(base+"/_upsell/dashboard?days=14")); status != http.StatusOK {
		t.Fatalf("dashboard: status %d", status)
	}
	if n := b.count("svg.chart"); n < 3 {
		t.Errorf("%d charts, want take rate, revenue and the incremental interval at least", n)
	}
	if n := b.count("svg.chart polyline"); n < 4 {
		t.Errorf("%d chart lines, want one per live offer line in each day chart", n)
	}
	if got := b.text("#ab tr.verdict-winner td"); got != "b" {
		t.Errorf("A/B winner %q, want variant b", got)
	}
	if got := b.text("#paused li"); !strings.Contains(got, "mug-cart") {
		t.Errorf("paused offers: %q, want mug-cart", got)
	}
	if got := b.text("#holdout tbody td:last-child"); got != "the offers add to the average order" {
		t.Errorf("holdout reading %q", got)
	}
	if b.sent("GET", "/_upsell/dashboard.css") != 1 {
		t.Error("the dashboard's stylesheet was not loaded")
	}
	writeDashboardScreenshot(b)
}

// writeDashboardScreenshot saves the whole dashboard when the picture is
// missing or KAIRO_UPDATE_SCREENSHOT=1.
func writeDashboardScreenshot(b *tab) {
	b.t.Helper()
	if _, err := os.Stat(dashboardScreenshot); err == nil && os.Getenv(updateScreenshotEnv) != "1" {
		return
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		b.t.Fatalf("checking %s: %v", dashboardScreenshot, err)
	}
	png := run(b, "screenshot of the dashboard", chromedp.FullScreenshot(100))
	if err := os.WriteFile(dashboardScreenshot, png, 0o644); err != nil {
		b.t.Fatalf("writing %s: %v", dashboardScreenshot, err)
	}
	b.t.Logf("wrote %s", dashboardScreenshot)
}
