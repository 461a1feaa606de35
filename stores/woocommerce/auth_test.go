package woocommerce

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRawURLEncodeIsPHPs(t *testing.T) {
	// Expected values printed by PHP 8.2's rawurlencode.
	for in, want := range map[string]string{
		"a b+c/~*":       "a%20b%2Bc%2F~%2A",
		"wc_order_Hj=&?": "wc_order_Hj%3D%26%3F",
		"ü":              "%C3%BC",
	} {
		if got := rawURLEncode(in); got != want {
			t.Errorf("rawURLEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOAuthSignatureIsWooCommerces(t *testing.T) {
	// The expected signature was computed with PHP the way
	// WC_REST_Authentication::check_oauth_signature does; the real store
	// accepts the connector's signatures in the real-store tests.
	c := credentials{oauthKey: "ck_1", oauthSecret: "cs_2"}
	u, _ := url.Parse("http://127.0.0.1:3300/wp-json/wc/v3/orders")
	params := url.Values{
		"oauth_consumer_key": {"ck_1"}, "oauth_nonce": {"n1"}, "oauth_signature_method": {"HMAC-SHA256"},
		"oauth_timestamp": {"1700000000"}, "parent": {"14"}, "search": {"a b"},
	}
	if got, want := c.signature(http.MethodGet, u, params), "q48kpapfZz1CAPrZrdLb0RwKdeueZmoI4nm6R7DykS0="; got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
}

func TestAuthorizeSignsOverHTTPAndUsesBasicOtherwise(t *testing.T) {
	signed, err := newCredentials("ck_1", "cs_2", "", "", false)
	if err != nil {
		t.Fatal(err)
	}
	signed.now = func() time.Time { return time.Unix(1700000000, 0) }
	req, _ := http.NewRequest(http.MethodGet, "http://shop.test/wp-json/wc/v3/orders?parent=14", nil)
	signed.authorize(req)
	q := req.URL.Query()
	if q.Get("parent") != "14" || q.Get("oauth_consumer_key") != "ck_1" || q.Get("oauth_signature") == "" || q.Get("oauth_timestamp") != "1700000000" {
		t.Errorf("signed query %q", req.URL.RawQuery)
	}
	if req.Header.Get("Authorization") != "" {
		t.Errorf("a signed request also sent Authorization")
	}

	basic, _ := newCredentials("ck_1", "cs_2", "", "", true)
	req, _ = http.NewRequest(http.MethodGet, "https://shop.test/wp-json/wc/v3/orders", nil)
	basic.authorize(req)
	if u, p, ok := req.BasicAuth(); !ok || u != "ck_1" || p != "cs_2" || strings.Contains(req.URL.RawQuery, "oauth") {
		t.Errorf("over https: Basic %q %q %v, query %q", u, p, ok, req.URL.RawQuery)
	}

	app, _ := newCredentials("", "", "shop", "abcd efgh", false)
	req, _ = http.NewRequest(http.MethodGet, "http://shop.test/wp-json/wc/v3/orders", nil)
	app.authorize(req)
	if u, p, ok := req.BasicAuth(); !ok || u != "shop" || p != "abcd efgh" {
		t.Errorf("application password: Basic %q %q %v", u, p, ok)
	}
}

func TestCredentialsThatCannotWorkAreRefused(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		key, secret, user, pw string
		want                  string
	}{
		{"none", "", "", "", "", "credentials are required"},
		{"both", "ck_1", "cs_2", "shop", "pw", "not both"},
		{"secret missing", "ck_1", "", "", "", "must start with"},
		{"swapped", "cs_2", "ck_1", "", "", "must start with"},
		{"password missing", "", "", "shop", "", "a user and a password"},
	} {
		if _, err := newCredentials(tt.key, tt.secret, tt.user, tt.pw, false); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
