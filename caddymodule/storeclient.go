package caddymodule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/kairoedge/kairo/offers"
)

// Store endpoint defaults (store contract v1).
const (
	defaultCartContext  = "/api/cart"
	defaultOrderContext = "/api/orders/{order_id}"
	defaultOrderAccept  = "/api/orders/{order_id}/upsells"
	defaultCartAdd      = "/api/cart/items"

	// maxStoreBody bounds what Kairo reads from any store answer.
	maxStoreBody = 1 << 20
)

func (c *StoreConfig) setDefaults() {
	if c.CartContext == "" {
		c.CartContext = defaultCartContext
	}
	if c.OrderContext == "" {
		c.OrderContext = defaultOrderContext
	}
	if c.OrderAccept == "" {
		c.OrderAccept = defaultOrderAccept
	}
	if c.CartAdd == "" {
		c.CartAdd = defaultCartAdd
	}
	if c.Timeout == 0 {
		c.Timeout = caddy.Duration(DefaultContextTimeout)
	}
	if c.AcceptTimeout == 0 {
		c.AcceptTimeout = caddy.Duration(DefaultAcceptTimeout)
	}
}

// storeFailure says why a store call did not give a usable answer. Its
// reason is a metric label, so the set of values is small and fixed.
type storeFailure struct {
	reason string // unreachable, timeout, status, bad_answer
	status int    // the store's HTTP status, for reason "status"
	err    error
}

func (f *storeFailure) Error() string {
	if f.reason == "status" {
		return fmt.Sprintf("store answered %d", f.status)
	}
	return fmt.Sprintf("store %s: %v", strings.ReplaceAll(f.reason, "_", " "), f.err)
}

func (f *storeFailure) Unwrap() error { return f.err }

// storeClient speaks store contract v1.
type storeClient struct {
	cfg     *StoreConfig
	base    string // scheme://host[:port][/path], without a trailing slash
	headers http.Header
	http    *http.Client
}

func newStoreClient(cfg *StoreConfig) (*storeClient, error) {
	base, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", cfg.URL, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("url %q: want http(s)://host[:port]", cfg.URL)
	}
	for name, p := range map[string]string{
		"cart_context": cfg.CartContext, "order_context": cfg.OrderContext,
		"order_accept": cfg.OrderAccept, "cart_add": cfg.CartAdd,
	} {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%s %q must start with /", name, p)
		}
	}
	headers := make(http.Header, len(cfg.Headers))
	for k, v := range cfg.Headers {
		headers.Set(k, v)
	}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &storeClient{
		cfg:     cfg,
		base:    strings.TrimSuffix(base.String(), "/"),
		headers: headers,
		http: &http.Client{
			Transport: transport,
			// A redirect from a JSON API is a misconfiguration; say so
			// rather than follow it with credentials attached.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

func (c *storeClient) close() { c.http.CloseIdleConnections() }

// endpoint builds the URL of a contract endpoint for an order.
func (c *storeClient) endpoint(path, orderID string) string {
	if orderID != "" {
		path = strings.ReplaceAll(path, orderIDPlaceholder, url.PathEscape(orderID))
	}
	return c.base + path
}

// cartContext asks for the customer's cart, with the customer's cookies.
func (c *storeClient) cartContext(ctx context.Context, cookie string) (*offers.Context, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(c.cfg.CartContext, ""), nil)
	if err != nil {
		return nil, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return c.context(req)
}

// orderContext asks for an order, with the store credential.
func (c *storeClient) orderContext(ctx context.Context, orderID string) (*offers.Context, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(c.cfg.OrderContext, orderID), nil)
	if err != nil {
		return nil, err
	}
	c.addCredentials(req)
	return c.context(req)
}

func (c *storeClient) addCredentials(req *http.Request) {
	for k, v := range c.headers {
		req.Header[k] = v
	}
}

func (c *storeClient) context(req *http.Request) (*offers.Context, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classifyTransportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStoreBody))
	if err != nil {
		return nil, classifyTransportError(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &storeFailure{reason: "status", status: resp.StatusCode}
	}
	sc, err := offers.ParseContext(body)
	if err != nil {
		return nil, &storeFailure{reason: "bad_answer", err: err}
	}
	return sc, nil
}

// acceptLine is one line item of an accept request (store contract v1).
type acceptLine struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	Discount  int64  `json:"discount"`
}

// acceptRequest is the body of an order accept or cart add.
type acceptRequest struct {
	OrderID  string       `json:"order_id,omitempty"`
	OfferID  string       `json:"offer_id"`
	Currency string       `json:"currency"`
	Items    []acceptLine `json:"items"`
}

// storeAnswer is what the store said to an accept.
type storeAnswer struct {
	status int
	total  int64 // order or cart total after the accept, when the store says
}

// accept forwards an accepted offer to the store: the order accept after
// purchase (store credential), the cart add before (customer's cookies).
// The token's nonce is the Idempotency-Key, so retries are safe. A non-2xx
// answer is returned as a storeAnswer, not an error; errors mean the store
// was not reached or did not answer in time.
func (c *storeClient) accept(ctx context.Context, cl offers.Claims, cookie string) (storeAnswer, error) {
	body := acceptRequest{
		OfferID:  cl.OfferID,
		Currency: cl.Currency,
		Items: []acceptLine{{
			ProductID: cl.ProductID,
			VariantID: cl.ProductVariantID,
			Quantity:  cl.Quantity,
			UnitPrice: cl.UnitPrice,
			Discount:  cl.Discount,
		}},
	}
	var target string
	if cl.Placement == offers.PlacementThankYou {
		body.OrderID = cl.Subject
		target = c.endpoint(c.cfg.OrderAccept, cl.Subject)
	} else {
		target = c.endpoint(c.cfg.CartAdd, "")
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return storeAnswer{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(c.cfg.AcceptTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return storeAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", cl.Nonce)
	if cl.Placement == offers.PlacementThankYou {
		c.addCredentials(req)
	} else if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return storeAnswer{}, classifyTransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxStoreBody))
	if err != nil {
		return storeAnswer{}, classifyTransportError(err)
	}
	ans := storeAnswer{status: resp.StatusCode}
	if resp.StatusCode/100 == 2 {
		var ok struct {
			Total int64 `json:"total"`
		}
		if json.Unmarshal(raw, &ok) == nil {
			ans.total = ok.Total
		}
	}
	return ans, nil
}

// classifyTransportError tells a timeout from a store that cannot be
// reached.
func classifyTransportError(err error) *storeFailure {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &storeFailure{reason: "timeout", err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &storeFailure{reason: "cancelled", err: err}
	}
	return &storeFailure{reason: "unreachable", err: err}
}
