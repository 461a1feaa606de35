package stores

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/internal/envplaceholder"
)

// Defaults for Endpoint's timeouts.
const (
	DefaultContextTimeout = time.Second
	DefaultAcceptTimeout  = 10 * time.Second

	// MaxAnswer bounds what Kairo reads from any store answer.
	MaxAnswer = 1 << 20
)

// Endpoint is the part of every store module's configuration that says
// where the store is and how long to wait for it.
type Endpoint struct {
	// URL is the store's base URL, e.g. http://127.0.0.1:3000.
	URL string `json:"url,omitempty"`

	// Timeout is how long a page may wait for a context call once the
	// store's page has reached its </body>: the call starts with the page
	// and runs alongside it for as long as the page takes, so this is only
	// the wait after the page itself is done. Past it the page is served
	// unchanged (and a warn line says so). The default depends on the
	// store module (DefaultContextTimeout, 1s, for the contract).
	Timeout caddy.Duration `json:"timeout,omitempty"`

	// AcceptTimeout bounds an accept call to the store. Default: 10s.
	AcceptTimeout caddy.Duration `json:"accept_timeout,omitempty"`

	// client is made by ProvisionEndpoint and closed by Cleanup.
	client *http.Client
}

// ProvisionEndpoint fills the defaults, checks the URL, returning it
// without a trailing slash, and makes the HTTP client (see Client).
func (e *Endpoint) ProvisionEndpoint(defaultTimeout time.Duration) (string, error) {
	if e.Timeout == 0 {
		e.Timeout = caddy.Duration(defaultTimeout)
	}
	if e.AcceptTimeout == 0 {
		e.AcceptTimeout = caddy.Duration(DefaultAcceptTimeout)
	}
	base, err := ParseURL(e.URL)
	if err != nil {
		return "", err
	}
	e.client = NewHTTPClient()
	return base, nil
}

// Client is the HTTP client the store module calls the store with (see
// NewHTTPClient); nil until ProvisionEndpoint has succeeded.
func (e *Endpoint) Client() *http.Client { return e.client }

// Cleanup closes the client's idle connections; it is every store
// module's caddy.CleanerUpper.
func (e *Endpoint) Cleanup() error {
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	return nil
}

// ParseURL is the rule for a store's base URL: http(s) with a host. It
// returns the URL without a trailing slash.
func ParseURL(raw string) (string, error) {
	base, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("url %q: %w", raw, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return "", fmt.Errorf("url %q: want http(s)://host[:port]", raw)
	}
	return strings.TrimSuffix(base.String(), "/"), nil
}

// BaseURL is the store's URL as configured (see Located).
func (e *Endpoint) BaseURL() string { return e.URL }

// Timeouts returns the provisioned timeouts.
func (e *Endpoint) Timeouts() Timeouts {
	return Timeouts{Context: time.Duration(e.Timeout), Accept: time.Duration(e.AcceptTimeout)}
}

// UnmarshalHead reads the first line of `store [<name>] <url> { ... }`:
// the module name is optional on it (it is how the module was chosen).
func (e *Endpoint) UnmarshalHead(d *caddyfile.Dispenser, name string) error {
	d.Next() // "store"
	if !d.NextArg() {
		return envplaceholder.Err(d, "store", fmt.Sprintf("store needs the store's base URL, e.g. store %s http://127.0.0.1:3000", name))
	}
	if d.Val() == name {
		if !d.NextArg() {
			return d.Errf("store %s needs the store's base URL, e.g. store %s http://127.0.0.1:3000", name, name)
		}
	}
	e.URL = d.Val()
	if d.NextArg() {
		return d.Errf("store takes a connector name and a URL, got one more: %q", d.Val())
	}
	// Checked here as well as in ProvisionEndpoint, with the same rule, so
	// that a Caddyfile's mistake names its line: an unset {$VAR} in the URL
	// by its name.
	if len(envplaceholder.Empty(d)) > 0 {
		return envplaceholder.Err(d, "store", "")
	}
	if _, err := ParseURL(e.URL); err != nil {
		return d.Errf("store: %v", err)
	}
	return nil
}

// UnmarshalOption reads the options every store module has (timeout,
// accept_timeout) and reports whether the current one was one of them.
func (e *Endpoint) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "timeout":
		return true, DurationArg(d, &e.Timeout)
	case "accept_timeout":
		return true, DurationArg(d, &e.AcceptTimeout)
	}
	return false, nil
}

// OneArg reads exactly one argument of the current option.
func OneArg(d *caddyfile.Dispenser, dst *string) error {
	opt := d.Val()
	if !d.NextArg() {
		return envplaceholder.Err(d, opt, opt+" needs a value")
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.Errf("%s takes one value, got more: %q", opt, d.Val())
	}
	return nil
}

// DurationArg reads one positive duration argument.
func DurationArg(d *caddyfile.Dispenser, dst *caddy.Duration) error {
	opt := d.Val()
	var s string
	if err := OneArg(d, &s); err != nil {
		return err
	}
	dur, err := caddy.ParseDuration(s)
	if err != nil || dur <= 0 {
		return d.Errf("%s: %q is not a positive duration (e.g. 150ms, 2s, 15m)", opt, s)
	}
	*dst = caddy.Duration(dur)
	return nil
}

// NewHTTPClient is the HTTP client store modules use: no proxy from the
// environment, pooled connections, and redirects not followed (a redirect
// from an API is a misconfiguration; better said than followed with
// credentials attached).
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SetClientAddr passes the shopper's address on to the store, so that its
// per-client limits and logs see the shopper rather than Kairo.
func SetClientAddr(h http.Header, addr string) {
	if addr == "" {
		return
	}
	h.Set("X-Forwarded-For", addr)
	host := addr
	if strings.Contains(addr, ":") {
		host = `"[` + addr + `]"` // RFC 7239: an IPv6 address is bracketed and quoted
	}
	h.Set("Forwarded", "for="+host)
}
