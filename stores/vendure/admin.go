package vendure

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
)

// adminSession is the connector's logged-in administrator: a bearer token
// or a session cookie, whichever the server hands out.
type adminSession struct {
	mu      sync.Mutex
	headers http.Header // nil until logged in
}

const loginMutation = `mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename
    ... on ErrorResult { errorCode message }
  }
}`

// login logs in and keeps the session.
func (c *Connector) login(ctx context.Context) (http.Header, error) {
	var out struct {
		Login resultError `json:"login"`
	}
	got, err := c.call(ctx, c.adminURL, nil, loginMutation, map[string]any{"u": c.AdminUser, "p": c.AdminPassword}, &out)
	if err != nil {
		return nil, err
	}
	if out.Login.ErrorCode != "" {
		return nil, &out.Login
	}
	session := make(http.Header)
	if token := got.Get(authTokenHeader); token != "" {
		session.Set("Authorization", "Bearer "+token)
	} else {
		var cookies []string
		for _, ck := range (&http.Response{Header: got}).Cookies() {
			cookies = append(cookies, ck.Name+"="+ck.Value)
		}
		if len(cookies) == 0 {
			return nil, errors.New("vendure: the login answer carries neither a token nor a session cookie")
		}
		session.Set("Cookie", strings.Join(cookies, "; "))
	}
	return session, nil
}

// adminCall runs a query on the admin API, logging in first when there is
// no session and once more when the session has expired.
func (c *Connector) adminCall(ctx context.Context, query string, vars map[string]any, out any) error {
	for attempt := 0; ; attempt++ {
		c.admin.mu.Lock()
		session := c.admin.headers
		if session == nil {
			var err error
			if session, err = c.login(ctx); err != nil {
				c.admin.mu.Unlock()
				return err
			}
			c.admin.headers = session
		}
		c.admin.mu.Unlock()
		_, err := c.call(ctx, c.adminURL, session, query, vars, out)
		var gqlErr gqlErrors
		if attempt == 0 && errors.As(err, &gqlErr) && gqlErr.forbidden() {
			c.admin.mu.Lock()
			if sameSession(c.admin.headers, session) {
				c.admin.headers = nil
			}
			c.admin.mu.Unlock()
			continue
		}
		return err
	}
}

func sameSession(a, b http.Header) bool {
	return a != nil && b != nil && a.Get("Authorization") == b.Get("Authorization") && a.Get("Cookie") == b.Get("Cookie")
}
