package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// loadResult is what one wrk run measured.
type loadResult struct {
	Requests     int64
	Elapsed      time.Duration
	RPS          float64
	P50, P99     time.Duration
	Non2xx       int64
	SocketErrors int64
	CPU          time.Duration // wrk's own CPU time
}

// loadGen runs wrk with fixed connections against one URL.
type loadGen struct {
	place   placement
	threads int
}

// run drives url with conns connections for d (whole seconds, at least
// one) and parses wrk's report.
func (g loadGen) run(url string, conns int, d time.Duration) (loadResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	threads := min(g.threads, conns)
	cmd := g.place.command("wrk",
		"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", secs),
		"--timeout", "10s", "--latency", "-H", "Cookie: "+benchCookie, url)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := g.place.start(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	out := buf.Bytes()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return res, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return res, nil
}

// wrkAvailable says whether wrk can be run, and how to get it if not.
func wrkAvailable() error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
	}
	return nil
}

// parseWrk reads the report of `wrk --latency`.
func parseWrk(out string) (loadResult, error) {
	var r loadResult
	var seen50, seen99, seenReq, seenRPS bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case len(f) == 2 && f[0] == "50%":
			r.P50, err = parseWrkDuration(f[1])
			seen50 = true
		case len(f) == 2 && f[0] == "99%":
			r.P99, err = parseWrkDuration(f[1])
			seen99 = true
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			if r.Requests, err = strconv.ParseInt(f[0], 10, 64); err == nil {
				r.Elapsed, err = parseWrkDuration(strings.TrimSuffix(f[3], ","))
			}
			seenReq = true
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.RPS, err = strconv.ParseFloat(f[1], 64)
			seenRPS = true
		case f[0] == "Non-2xx" && len(f) == 5:
			r.Non2xx, err = strconv.ParseInt(f[4], 10, 64)
		case f[0] == "Socket" && f[1] == "errors:":
			r.SocketErrors, err = sumSocketErrors(f[2:])
		}
		if err != nil {
			return r, fmt.Errorf("parsing %q: %v", sc.Text(), err)
		}
	}
	if !seen50 || !seen99 || !seenReq || !seenRPS {
		return r, fmt.Errorf("wrk report is missing the latency distribution, request count or Requests/sec (run with --latency)")
	}
	return r, nil
}

// sumSocketErrors adds up "connect 0, read 0, write 0, timeout 0".
func sumSocketErrors(f []string) (int64, error) {
	var total int64
	for i := 1; i < len(f); i += 2 {
		n, err := strconv.ParseInt(strings.TrimSuffix(f[i], ","), 10, 64)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// parseWrkDuration reads wrk's durations: 812.00us, 1.25ms, 5.00s, 1.02m,
// 2.00h.
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %v", s, err)
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("duration %q: unknown unit", s)
}
