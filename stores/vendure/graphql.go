package vendure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kairoedge/kairo/stores"
)

// authTokenHeader is where Vendure hands out a session token when bearer
// tokens are enabled.
const authTokenHeader = "vendure-auth-token"

// gqlError is one entry of a GraphQL answer's errors.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// gqlErrors is a GraphQL answer that carried errors instead of data.
type gqlErrors []gqlError

func (e gqlErrors) Error() string {
	msgs := make([]string, len(e))
	for i, x := range e {
		msgs[i] = x.Message
		if x.Extensions.Code != "" {
			msgs[i] += " (" + x.Extensions.Code + ")"
		}
	}
	return "vendure: " + strings.Join(msgs, "; ")
}

// forbidden reports whether the API refused for want of a session.
func (e gqlErrors) forbidden() bool {
	for _, x := range e {
		if x.Extensions.Code == "FORBIDDEN" {
			return true
		}
	}
	return false
}

// resultError is a Vendure ErrorResult: an expected refusal returned as
// data (InsufficientStockError, OrderStateTransitionError, ...).
type resultError struct {
	Typename  string `json:"__typename"`
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

func (e *resultError) Error() string {
	return fmt.Sprintf("vendure: %s: %s", e.ErrorCode, e.Message)
}

// call is one GraphQL request: the answer's data goes into out. headers
// carry the session (a cookie or a bearer token); the answer's headers are
// returned for the session a login hands out.
func (c *Connector) call(ctx context.Context, endpoint string, headers http.Header, query string, vars map[string]any, out any) (http.Header, error) {
	payload, err := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.ChannelToken != "" {
		req.Header.Set("vendure-token", c.ChannelToken)
	}
	resp, err := c.Client().Do(req)
	if err != nil {
		return nil, stores.TransportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, stores.MaxAnswer))
	if err != nil {
		return nil, stores.TransportError(err)
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors gqlErrors       `json:"errors"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		if resp.StatusCode != http.StatusOK {
			return nil, &stores.Failure{Reason: stores.FailStatus, Status: resp.StatusCode}
		}
		return nil, stores.BadAnswer("vendure: %v", err)
	}
	if len(answer.Errors) > 0 {
		return nil, answer.Errors
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &stores.Failure{Reason: stores.FailStatus, Status: resp.StatusCode}
	}
	if err := json.Unmarshal(answer.Data, out); err != nil {
		return nil, stores.BadAnswer("vendure: %v", err)
	}
	return resp.Header, nil
}
