package main

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"time"
)

// timedGet is one GET timed to its first response byte and to its end.
type timedGet struct {
	FirstByte time.Duration
	Whole     time.Duration
}

// newProbeClient is a keep-alive client that asks for identity encoding,
// like wrk, so the proxy does the same work.
func newProbeClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1},
		Timeout:   60 * time.Second,
	}
}

// timeGet GETs url with the cart cookie on a reused connection and reads
// the whole body.
func timeGet(client *http.Client, url string) (timedGet, error) {
	var t timedGet
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return t, err
	}
	req.Header.Set("Cookie", benchCookie)
	start := time.Now()
	trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { t.FirstByte = time.Since(start) }}
	resp, err := client.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil {
		return t, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.Whole = time.Since(start)
	return t, err
}

// ttfbPair measures time to first byte and to the last byte through two
// proxies, alternating between them (and which goes first) so that drift
// hits both alike. It returns the medians for a and for b.
func ttfbPair(urlA, urlB string, samples int) (a, b timedGet, err error) {
	ca, cb := newProbeClient(), newProbeClient()
	var firstA, wholeA, firstB, wholeB []float64
	for i := -2; i < samples; i++ { // two warm-up rounds open the connections
		order := []bool{true, false}
		if i%2 != 0 {
			order = []bool{false, true}
		}
		for _, isA := range order {
			client, url := cb, urlB
			if isA {
				client, url = ca, urlA
			}
			t, err := timeGet(client, url)
			if err != nil {
				return a, b, err
			}
			if i < 0 {
				continue
			}
			if isA {
				firstA, wholeA = append(firstA, float64(t.FirstByte)), append(wholeA, float64(t.Whole))
			} else {
				firstB, wholeB = append(firstB, float64(t.FirstByte)), append(wholeB, float64(t.Whole))
			}
		}
	}
	a = timedGet{FirstByte: time.Duration(median(firstA)), Whole: time.Duration(median(wholeA))}
	b = timedGet{FirstByte: time.Duration(median(firstB)), Whole: time.Duration(median(wholeB))}
	return a, b, nil
}
