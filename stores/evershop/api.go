package evershop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/kairoedge/kairo/stores"
)

// apiError is EverShop's error answer: {"error": {"status", "message"}}.
type apiError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("evershop: %d %s", e.Status, e.Message) }

// refused reports whether err is EverShop saying no (a 4xx), as opposed to
// a store that could not be reached, failed, or asks to be tried again in
// a moment (408, 425, 429: EverShop rate-limits its API), which an accept
// answers as not applied, free to be tried again, not as a refusal kept
// for the offer's window.
func refused(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && !stores.Busy(ae.Status) {
		return ae, true
	}
	return nil, false
}

// caller is who a request is made for: the shopper's session and address,
// and whether the admin token goes with it.
type caller struct {
	shopper stores.Shopper
	cookie  bool // send the shopper's cookies
	admin   bool // send the admin token
}

// do sends one request to the API and decodes the answer's data into out.
// A 4xx or 5xx answer is an *apiError (5xx wrapped in a stores.Failure).
func (c *Connector) do(ctx context.Context, who caller, method, path string, body, out any) error {
	for attempt := 0; ; attempt++ {
		err := c.send(ctx, who, method, path, body, out)
		var ae *apiError
		if who.admin && attempt == 0 && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			c.admin.drop()
			continue
		}
		return err
	}
}

func (c *Connector) send(ctx context.Context, who caller, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		payload, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who.cookie && who.shopper.Cookie != "" {
		req.Header.Set("Cookie", who.shopper.Cookie)
	}
	stores.SetClientAddr(req.Header, who.shopper.ClientAddr)
	if who.admin {
		token, err := c.token(ctx, who.shopper)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Client().Do(req)
	if err != nil {
		return stores.TransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, stores.MaxAnswer))
	if err != nil {
		return stores.TransportError(err)
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Error  *apiError       `json:"error"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	jsonErr := json.Unmarshal(raw, &answer)
	if resp.StatusCode/100 != 2 || answer.Error != nil {
		ae := &apiError{Status: resp.StatusCode}
		if answer.Error != nil {
			ae.Message = answer.Error.Message
		}
		if ae.Status/100 == 2 {
			ae.Status = http.StatusBadGateway
		}
		if ae.Status >= 500 {
			return &stores.Failure{Reason: stores.FailStatus, Status: ae.Status, Err: ae}
		}
		return ae
	}
	if jsonErr != nil {
		return stores.BadAnswer("evershop %s %s: %v", method, path, jsonErr)
	}
	if len(answer.Errors) > 0 {
		msgs := make([]string, len(answer.Errors))
		for i, e := range answer.Errors {
			msgs[i] = e.Message
		}
		return stores.BadAnswer("evershop %s: %s", path, strings.Join(msgs, "; "))
	}
	if out != nil {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			return stores.BadAnswer("evershop %s %s: %v", method, path, err)
		}
	}
	return nil
}

// query runs a GraphQL query: the storefront's (/api/graphql) or, for the
// admin, the admin's (/api/admin/graphql).
func (c *Connector) query(ctx context.Context, who caller, q string, vars map[string]any, out any) error {
	path := "/api/graphql"
	if who.admin {
		path = "/api/admin/graphql"
	}
	return c.do(ctx, who, http.MethodPost, path, map[string]any{"query": q, "variables": vars}, out)
}

// adminToken is the connector's admin API token, fetched when first
// needed and again when refused.
type adminToken struct {
	mu    sync.Mutex
	value string
}

func (a *adminToken) drop() {
	a.mu.Lock()
	a.value = ""
	a.mu.Unlock()
}

// token returns the admin token, logging in when there is none.
func (c *Connector) token(ctx context.Context, shopper stores.Shopper) (string, error) {
	c.admin.mu.Lock()
	defer c.admin.mu.Unlock()
	if c.admin.value != "" {
		return c.admin.value, nil
	}
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	err := c.send(ctx, caller{shopper: shopper}, http.MethodPost, "/api/user/tokens",
		map[string]string{"email": c.AdminEmail, "password": c.AdminPassword}, &out)
	if err != nil {
		return "", fmt.Errorf("evershop: admin login: %w", err)
	}
	if out.AccessToken == "" {
		return "", stores.BadAnswer("evershop: the admin login answer has no accessToken")
	}
	c.admin.value = out.AccessToken
	return out.AccessToken, nil
}
