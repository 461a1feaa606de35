package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/kairoedge/kairo/stores"
)

// API paths under the site's URL.
const (
	restV3   = "/wp-json/wc/v3"
	storeAPI = "/wp-json/wc/store/v1"
)

// request is one JSON call to WooCommerce: to REST v3 with Kairo's
// credentials (admin), or to the Store API as the shopper.
type request struct {
	method string
	path   string // under the site's URL, with the API's prefix
	query  url.Values
	body   any
	admin  bool            // REST v3: add the credentials
	as     *stores.Shopper // Store API: the shopper's cookies and address
	nonce  string          // Store API: the Nonce it handed out, for writes
}

// reply is a WooCommerce answer that was read: its status and headers, and
// on a non-2xx status its error body.
type reply struct {
	status int
	header http.Header
	code   string // WooCommerce's error code, e.g. woocommerce_rest_invalid_product_id
	msg    string
}

func (r reply) ok() bool { return r.status/100 == 2 }

// do sends a request and decodes a 2xx answer's JSON into out. An error
// means there was no usable answer (a *stores.Failure); a non-2xx status
// is a reply, for the caller to judge.
func (c *Connector) do(ctx context.Context, rq request, out any) (reply, error) {
	target := c.base + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		payload, err := json.Marshal(rq.body)
		if err != nil {
			return reply{}, err
		}
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Accept", "application/json")
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.admin {
		c.auth.authorize(req)
	}
	if rq.as != nil {
		if rq.as.Cookie != "" {
			req.Header.Set("Cookie", rq.as.Cookie)
		}
		stores.SetClientAddr(req.Header, rq.as.ClientAddr)
	}
	if rq.nonce != "" {
		req.Header.Set("Nonce", rq.nonce)
	}
	resp, err := c.Client().Do(req)
	if err != nil {
		return reply{}, stores.TransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, stores.MaxAnswer))
	if err != nil {
		return reply{}, stores.TransportError(err)
	}
	rp := reply{status: resp.StatusCode, header: resp.Header}
	if !rp.ok() {
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e) // a page instead of JSON still has its status
		rp.code, rp.msg = e.Code, e.Message
		return rp, nil
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return rp, stores.BadAnswer("%s %s: %v", rq.method, rq.path, err)
		}
	}
	return rp, nil
}

// failure turns a non-2xx reply of a call that must succeed into an error.
func (r reply) failure(what string) error {
	return &stores.Failure{Reason: stores.FailStatus, Status: r.status, Err: fmt.Errorf("%s: %s %s", what, r.code, r.msg)}
}
