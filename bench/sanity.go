package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// widgetMarker is the attribute Kairo's widget root carries.
const widgetMarker = "data-kairo-widget"

// fetchPage GETs url as a customer would (with the cart cookie).
func fetchPage(client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cookie", benchCookie)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

// checkUntouched says whether the proxy passed the page through byte for
// byte.
func checkUntouched(got, page []byte) error {
	if !bytes.Equal(got, page) {
		return fmt.Errorf("the page came back changed (%d bytes, sent %d)", len(got), len(page))
	}
	return nil
}

// checkInjected says whether the proxy inserted the widget right before
// the page's site footer (widgetPlace) and changed nothing else: the
// traps for "</body>" (in a comment, a style, a script and a textarea)
// must be left alone. It returns the inserted fragment.
func checkInjected(got, page []byte) ([]byte, error) {
	end := widgetPlace(page)
	head, tail := page[:end], page[end:]
	switch {
	case !bytes.Contains(got, []byte(widgetMarker)):
		return nil, fmt.Errorf("no %s in the page: nothing was injected", widgetMarker)
	case len(got) < len(page) || !bytes.HasPrefix(got, head) || !bytes.HasSuffix(got, tail):
		return nil, fmt.Errorf("the widget is not where it belongs (right before the site footer) or the page was altered")
	}
	frag := got[len(head) : len(got)-len(tail)]
	if !bytes.Contains(frag, []byte(widgetMarker)) {
		return nil, fmt.Errorf("the page was altered, but %s is not in the inserted part", widgetMarker)
	}
	return frag, nil
}

// checkConfig fetches one page of size through cfg and checks that it was
// injected (C, D, G), had widget inserted once somewhere (F), or came back
// untouched (A, B, E). It returns the inserted fragment (nil for untouched
// pages).
func checkConfig(client *http.Client, base string, cfg proxyConfig, size pageSize, page, widget []byte) ([]byte, error) {
	got, err := fetchPage(client, cfg.url(base, size))
	if err != nil {
		return nil, err
	}
	if cfg.injects() {
		frag, err := checkInjected(got, page)
		if err != nil {
			return nil, fmt.Errorf("%s, %s page: %v", cfg.Name, size.Label, err)
		}
		return frag, nil
	}
	if cfg.SubFilter {
		if len(got) != len(page)+len(widget) || bytes.Count(got, []byte(widgetMarker)) != 1 {
			return nil, fmt.Errorf("%s, %s page: the widget was not inserted once (%d bytes, sent %d)", cfg.Name, size.Label, len(got), len(page))
		}
		return widget, nil
	}
	if err := checkUntouched(got, page); err != nil {
		return nil, fmt.Errorf("%s, %s page: %v", cfg.Name, size.Label, err)
	}
	return nil, nil
}
