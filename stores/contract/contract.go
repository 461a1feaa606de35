// Package contract is the store module for Kairo's JSON store contract
// (module http.handlers.upsell.stores.contract): four endpoints any store
// can implement, described in the README. It is the default store module.
package contract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/kairoedge/kairo/internal/envplaceholder"
	"github.com/kairoedge/kairo/offers"
	"github.com/kairoedge/kairo/stores"
)

func init() {
	caddy.RegisterModule(Store{})
}

// Endpoint path defaults (store contract v1).
const (
	DefaultCartContext  = "/api/cart"
	DefaultOrderContext = "/api/orders/{order_id}"
	DefaultOrderAccept  = "/api/orders/{order_id}/upsells"
	DefaultCartAdd      = "/api/cart/items"
)

// orderIDPlaceholder is replaced by the order id in endpoint paths.
const orderIDPlaceholder = "{order_id}"

// Store speaks store contract v1 (module http.handlers.upsell.stores.contract).
// Endpoint paths may contain {order_id}.
//
//	store [contract] <url> {
//	    cart_context   <path>
//	    order_context  <path>
//	    order_accept   <path>
//	    cart_add       <path>
//	    product_context <path with {product_id}>
//	    header         <name> <value>
//	    timeout        <duration>
//	    accept_timeout <duration>
//	}
type Store struct {
	stores.Endpoint

	// CartContextPath answers the cart context; called with the customer's
	// own Cookie header. Default: /api/cart.
	CartContextPath string `json:"cart_context,omitempty"`

	// OrderContextPath answers an order's context; called with Headers.
	// Default: /api/orders/{order_id}.
	OrderContextPath string `json:"order_context,omitempty"`

	// OrderAcceptPath adds an accepted post-purchase offer to the order.
	// Default: /api/orders/{order_id}/upsells.
	OrderAcceptPath string `json:"order_accept,omitempty"`

	// CartAddPath adds an accepted cart offer to the customer's cart; called
	// with the customer's Cookie header. Default: /api/cart/items.
	CartAddPath string `json:"cart_add,omitempty"`

	// ProductContextPath answers a product page's product (price,
	// currency, tags, variants, stock; see offers.ProductContext), e.g.
	// /api/products/{product_id}; called with the customer's Cookie header.
	// Optional: without it a product page knows its product by the id in
	// its address alone.
	ProductContextPath string `json:"product_context,omitempty"`

	// Headers are sent on every order call: usually the store credential,
	// e.g. Authorization: Bearer <token>. Never sent on cart calls, which
	// carry the customer's cookies instead.
	Headers map[string]string `json:"headers,omitempty"`

	base      string   // scheme://host[:port][/path], without a trailing slash
	cartURL   *url.URL // the cart context endpoint, parsed once
	headers   http.Header
	validated *revalidation // contexts the store sent with an ETag or max-age
}

// CaddyModule returns the Caddy module information.
func (Store) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  stores.Namespace + ".contract",
		New: func() caddy.Module { return new(Store) },
	}
}

// Provision fills the defaults and checks the endpoints.
func (s *Store) Provision(caddy.Context) error {
	for _, p := range []*string{&s.CartContextPath, &s.OrderContextPath, &s.OrderAcceptPath, &s.CartAddPath, &s.ProductContextPath} {
		*p = strings.TrimSpace(*p)
	}
	if s.CartContextPath == "" {
		s.CartContextPath = DefaultCartContext
	}
	if s.OrderContextPath == "" {
		s.OrderContextPath = DefaultOrderContext
	}
	if s.OrderAcceptPath == "" {
		s.OrderAcceptPath = DefaultOrderAccept
	}
	if s.CartAddPath == "" {
		s.CartAddPath = DefaultCartAdd
	}
	base, err := s.ProvisionEndpoint(stores.DefaultContextTimeout)
	if err != nil {
		return err
	}
	s.base = base
	for name, p := range map[string]string{
		"cart_context": s.CartContextPath, "order_context": s.OrderContextPath,
		"order_accept": s.OrderAcceptPath, "cart_add": s.CartAddPath,
	} {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%s %q must start with /", name, p)
		}
	}
	if p := s.ProductContextPath; p != "" && (!strings.HasPrefix(p, "/") || !strings.Contains(p, productIDPlaceholder)) {
		return fmt.Errorf("product_context %q must start with / and hold %s", p, productIDPlaceholder)
	}
	s.headers = make(http.Header, len(s.Headers))
	for k, v := range s.Headers {
		s.headers.Set(k, v)
	}
	if s.cartURL, err = url.Parse(s.endpoint(s.CartContextPath, "")); err != nil {
		return fmt.Errorf("cart_context %q: %v", s.CartContextPath, err)
	}
	s.validated = new(revalidation)
	return nil
}

// endpoint builds the URL of a contract endpoint for an order.
func (s *Store) endpoint(path, orderID string) string {
	if orderID != "" {
		path = strings.ReplaceAll(path, orderIDPlaceholder, url.PathEscape(orderID))
	}
	return s.base + path
}

// CartContext asks for the customer's cart, with the customer's cookies.
func (s *Store) CartContext(ctx context.Context, shopper stores.Shopper) (*offers.Context, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "", nil)
	if err != nil {
		return nil, err
	}
	u := *s.cartURL // parsed once: a page's call need not parse it again
	req.URL, req.Host = &u, u.Host
	if shopper.Cookie != "" {
		req.Header.Set("Cookie", shopper.Cookie)
	}
	stores.SetClientAddr(req.Header, shopper.ClientAddr)
	return s.context(req)
}

// OrderContext asks for an order, with the store credential (the
// shopper's cookies and address are not sent: the call is the store's).
func (s *Store) OrderContext(ctx context.Context, orderID string, _ stores.Shopper) (*offers.Context, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint(s.OrderContextPath, orderID), nil)
	if err != nil {
		return nil, err
	}
	s.addCredentials(req)
	return s.context(req)
}

func (s *Store) addCredentials(req *http.Request) {
	for k, v := range s.headers {
		req.Header[k] = v
	}
}

// context sends a context request and decodes the answer, asking with
// If-None-Match when a context for it was kept (see revalidation).
func (s *Store) context(req *http.Request) (*offers.Context, error) {
	req.Header["Accept"] = acceptJSON
	// The key is worked out only when a context may be kept for it: most
	// stores send none with a validator, and hashing the address and the
	// cookies of every call would be for nothing.
	var key [sha256.Size]byte
	var kept *validated
	keyed := s.validated.holdsAny()
	if keyed {
		key = validationKey(req)
		var fresh bool
		if kept, fresh = s.validated.lookup(key, time.Now()); fresh {
			return kept.sc, nil
		}
	}
	if kept != nil && kept.etag != "" {
		req.Header.Set("If-None-Match", kept.etag)
	}
	resp, err := s.roundTrip(req)
	if err != nil {
		return nil, stores.TransportError(err)
	}
	defer resp.Body.Close()
	buf := bodyPool.Get().(*bytes.Buffer)
	defer bodyPool.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, stores.MaxAnswer)); err != nil {
		return nil, stores.TransportError(err)
	}
	if resp.StatusCode == http.StatusNotModified && kept != nil {
		s.validated.refresh(key, resp.Header, time.Now())
		return kept.sc, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: resp.StatusCode}
	}
	sc, err := offers.ParseContext(buf.Bytes())
	if err != nil {
		return nil, &stores.Failure{Reason: stores.FailBadAnswer, Err: err}
	}
	if keyed || mayKeep(resp.Header) {
		if !keyed {
			key = validationKey(req)
		}
		s.validated.keep(key, resp.Header, sc, time.Now())
	}
	return sc, nil
}

// roundTrip sends a context request straight to the client's transport:
// the client follows no redirects, keeps no cookies and sets no timeout
// (the request's context bounds it), so all that Client.Do would add is
// a copy of the headers for redirects that never come.
func (s *Store) roundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.Client().Transport.RoundTrip(req)
	if err != nil {
		// As Client.Do says it: the method and the address, then why.
		return nil, &url.Error{Op: "Get", URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// acceptJSON is the Accept header of a context call.
var acceptJSON = []string{"application/json"}

// bodyPool holds the buffers context answers are read into (the decoded
// context keeps none of their bytes).
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// acceptLine is one line item of an accept request (store contract v1).
type acceptLine struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	Discount  int64  `json:"discount"`
}

// acceptBody is the body of an order accept or cart add.
type acceptBody struct {
	OrderID  string       `json:"order_id,omitempty"`
	OfferID  string       `json:"offer_id"`
	Currency string       `json:"currency"`
	Items    []acceptLine `json:"items"`
	// Shipping is charged with the items, once; left out when 0.
	Shipping int64 `json:"shipping,omitempty"`
}

// answerBody is what Kairo reads of the store's answer to an accept.
type answerBody struct {
	Total    int64 `json:"total"`
	Subtotal int64 `json:"subtotal"` // what a cart add may answer instead of total
	// Charged is what the accept added to the buyer's bill, in Currency
	// (the request's when absent); else the Added lines say it.
	Charged         *int64        `json:"charged"`
	Currency        string        `json:"currency"`
	Added           []addedLine   `json:"added"`
	Mode            stores.Mode   `json:"mode"`
	FollowUpOrderID string        `json:"follow_up_order_id"`
	FollowUpURL     string        `json:"follow_up_url"`
	Reason          stores.Reason `json:"reason"`
}

// addedLine is one line of an answer's "added": what the store put in the
// order or cart, at the price it put on it.
type addedLine struct {
	Quantity  *int   `json:"quantity"`
	UnitPrice *int64 `json:"unit_price"`
}

// charged is what the answer says the accept added to the buyer's bill:
// "charged", else the sum of the "added" lines when each gives its
// quantity and unit price, with the shipping the request asked for (an
// applied accept charged it; it is not a line); the zero Money when it
// does not say.
func (b answerBody) charged(requestCurrency string, shipping int64) offers.Money {
	currency := b.Currency
	if currency == "" {
		currency = requestCurrency
	}
	if b.Charged != nil {
		return offers.Money{Amount: *b.Charged, Currency: currency}
	}
	if len(b.Added) == 0 {
		return offers.Money{}
	}
	sum := shipping
	for _, l := range b.Added {
		if l.Quantity == nil || l.UnitPrice == nil {
			return offers.Money{}
		}
		sum += *l.UnitPrice * int64(*l.Quantity)
	}
	return offers.Money{Amount: sum, Currency: currency}
}

// OrderAccept posts an accepted post-purchase offer to the order accept
// endpoint, with the store credential.
func (s *Store) OrderAccept(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	return s.accept(ctx, s.endpoint(s.OrderAcceptPath, req.OrderID), req, true)
}

// CartAdd posts an accepted cart offer to the cart add endpoint, with the
// customer's cookies.
func (s *Store) CartAdd(ctx context.Context, req stores.AcceptRequest) (stores.Answer, error) {
	req.OrderID = ""
	return s.accept(ctx, s.endpoint(s.CartAddPath, ""), req, false)
}

// accept sends one accept with req.Key as the Idempotency-Key, so retries
// are safe. A non-2xx answer is an Answer, not an error; errors mean the
// store was not reached or did not answer in time.
func (s *Store) accept(ctx context.Context, target string, ar stores.AcceptRequest, credentials bool) (stores.Answer, error) {
	body := acceptBody{OrderID: ar.OrderID, OfferID: ar.OfferID, Currency: ar.Currency, Shipping: ar.Shipping}
	for _, l := range ar.Items {
		body.Items = append(body.Items, acceptLine{
			ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, Discount: l.Discount,
		})
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return stores.Answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return stores.Answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", ar.Key)
	if credentials {
		s.addCredentials(req)
	} else {
		if ar.Shopper.Cookie != "" {
			req.Header.Set("Cookie", ar.Shopper.Cookie)
		}
		stores.SetClientAddr(req.Header, ar.Shopper.ClientAddr)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return stores.Answer{}, stores.TransportError(err)
	}
	defer resp.Body.Close()
	// The status line is the store's word: a 2xx means the item is in the
	// order or cart. A body that then stalls past the timeout or breaks
	// off is read as an answer without its details (nil, as a body that
	// is not JSON), never as "nothing was added": that would free the
	// accept for another store call and tell the buyer they were not
	// charged when they were.
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, stores.MaxAnswer))
	ans := stores.Answer{Status: resp.StatusCode}
	var got answerBody
	if json.Unmarshal(raw, &got) != nil {
		got = answerBody{} // the status alone still says what happened
	}
	switch {
	case ans.Applied():
		ans.Total, ans.FollowUpOrderID, ans.FollowUpURL = got.Total, got.FollowUpOrderID, got.FollowUpURL
		if ans.Total == 0 {
			ans.Total = got.Subtotal
		}
		ans.Charged = got.charged(ar.Currency, ar.Shipping)
		ans.Mode = stores.ModeEdited
		if got.Mode == stores.ModeFollowUp {
			ans.Mode = stores.ModeFollowUp
		}
	case ans.Status == http.StatusConflict:
		ans.Reason = got.Reason
	}
	return ans, nil
}

// UnmarshalCaddyfile reads `store [contract] <url> { ... }`.
func (s *Store) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	return s.UnmarshalStore(d, "contract", stores.Options{
		Default: true,
		Strings: map[string]*string{
			"cart_context":    &s.CartContextPath,
			"order_context":   &s.OrderContextPath,
			"order_accept":    &s.OrderAcceptPath,
			"cart_add":        &s.CartAddPath,
			"product_context": &s.ProductContextPath,
		},
		Other: s.unmarshalHeader,
	})
}

// unmarshalHeader reads `header <name> <value>`.
func (s *Store) unmarshalHeader(d *caddyfile.Dispenser) (bool, error) {
	if d.Val() != "header" {
		return false, nil
	}
	args := d.RemainingArgs()
	// A credential built from an unset variable ("Bearer ") would
	// pass for a value: an empty {$VAR} on the line is an error.
	if len(args) != 2 || len(envplaceholder.Empty(d)) > 0 {
		return true, envplaceholder.Err(d, "header", fmt.Sprintf("header needs a name and a value, got %d arguments", len(args)))
	}
	if s.Headers == nil {
		s.Headers = make(map[string]string)
	}
	s.Headers[args[0]] = args[1]
	return true, nil
}

// Interface guards.
var (
	_ stores.Store          = (*Store)(nil)
	_ caddy.Provisioner     = (*Store)(nil)
	_ caddy.CleanerUpper    = (*Store)(nil)
	_ caddyfile.Unmarshaler = (*Store)(nil)
)
