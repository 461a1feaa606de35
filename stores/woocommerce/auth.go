package woocommerce

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// credentials authenticate Kairo's REST calls to WooCommerce.
type credentials struct {
	user, password string // HTTP Basic: an application password, or a key over https
	// oauthKey and oauthSecret sign each request (OAuth 1.0a one-legged)
	// instead: WooCommerce refuses a REST key sent in clear over http.
	oauthKey, oauthSecret string
	now                   func() time.Time
}

// newCredentials picks how to authenticate from what is configured: an
// application password, or a REST key (Basic over https, signed over http).
func newCredentials(key, secret, appUser, appPassword string, https bool) (credentials, error) {
	hasKey, hasApp := key != "" || secret != "", appUser != "" || appPassword != ""
	switch {
	case hasKey && hasApp:
		return credentials{}, errors.New("set either consumer_key/consumer_secret or application_password, not both")
	case hasApp:
		if appUser == "" || appPassword == "" {
			return credentials{}, errors.New("application_password needs a user and a password")
		}
		return credentials{user: appUser, password: appPassword}, nil
	case hasKey:
		if !strings.HasPrefix(key, "ck_") || !strings.HasPrefix(secret, "cs_") {
			return credentials{}, errors.New("consumer_key must start with ck_ and consumer_secret with cs_ (WooCommerce > Settings > Advanced > REST API)")
		}
		if https {
			return credentials{user: key, password: secret}, nil
		}
		return credentials{oauthKey: key, oauthSecret: secret, now: time.Now}, nil
	}
	return credentials{}, errors.New("credentials are required: consumer_key and consumer_secret (a REST API key with Read/Write permissions), or application_password <user> <password>")
}

// authorize adds the credentials to a REST request whose URL is final.
func (c credentials) authorize(req *http.Request) {
	if c.oauthKey == "" {
		req.SetBasicAuth(c.user, c.password)
		return
	}
	q := req.URL.Query()
	q.Set("oauth_consumer_key", c.oauthKey)
	q.Set("oauth_nonce", oauthNonce())
	q.Set("oauth_signature_method", "HMAC-SHA256")
	q.Set("oauth_timestamp", strconv.FormatInt(c.now().Unix(), 10))
	q.Set("oauth_signature", c.signature(req.Method, req.URL, q))
	req.URL.RawQuery = q.Encode()
}

// signature is WooCommerce's OAuth 1.0a signature of a request: the
// method, the URL without its query, and the sorted parameters, each part
// encoded once as PHP's rawurlencode does and joined with encoded '=' and
// '&' (WC_REST_Authentication::check_oauth_signature), keyed by the
// secret and '&'.
func (c credentials) signature(method string, u *url.URL, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "oauth_signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, rawURLEncode(k)+"%3D"+rawURLEncode(params.Get(k)))
	}
	base := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	toSign := strings.ToUpper(method) + "&" + rawURLEncode(base.String()) + "&" + strings.Join(pairs, "%26")
	mac := hmac.New(sha256.New, []byte(c.oauthSecret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// rawURLEncode is PHP's rawurlencode (RFC 3986): everything but letters,
// digits and -._~ is percent-encoded.
func rawURLEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("-._~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[ch>>4])
		b.WriteByte(hexDigits[ch&15])
	}
	return b.String()
}

// oauthNonce is a fresh random nonce: WooCommerce refuses a nonce it saw
// within the timestamp window.
func oauthNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
