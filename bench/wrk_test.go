package main

import (
	"testing"
	"time"
)

const wrkReport = `Running 5s test @ http://127.0.0.1:40001/page/16k
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.41ms  812.33us  21.07ms   91.02%
    Req/Sec    13.40k   701.20    14.50k    78.00%
  Latency Distribution
     50%    2.28ms
     75%    2.61ms
     90%    3.02ms
     99%    5.13ms
  66712 requests in 5.01s, 1.10GB read
  Socket errors: connect 0, read 2, write 1, timeout 0
  Non-2xx or 3xx responses: 4
Requests/sec:  13315.77
Transfer/sec:    224.41MB
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    loadResult
		wantErr bool
	}{
		{name: "full report", in: wrkReport, want: loadResult{
			Requests: 66712, Elapsed: 5010 * time.Millisecond, RPS: 13315.77,
			P50: 2280 * time.Microsecond, P99: 5130 * time.Microsecond, Non2xx: 4, SocketErrors: 3,
		}},
		{name: "microseconds and seconds", in: "     50%  812.00us\n     99%    1.02s\n  10 requests in 1.00m, 1MB read\nRequests/sec:  0.17\n",
			want: loadResult{Requests: 10, Elapsed: time.Minute, RPS: 0.17, P50: 812 * time.Microsecond, P99: 1020 * time.Millisecond}},
		{name: "without --latency", in: "  66712 requests in 5.01s, 1.10GB read\nRequests/sec:  13315.77\n", wantErr: true},
		{name: "bad number", in: "     50%    x.yms\n", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"812.00us", 812 * time.Microsecond, false},
		{"2.50ms", 2500 * time.Microsecond, false},
		{"5.00s", 5 * time.Second, false},
		{"1.50m", 90 * time.Second, false},
		{"2.00h", 2 * time.Hour, false},
		{"3.00", 0, true},
		{"ms", 0, true},
	}
	for _, tt := range tests {
		got, err := parseWrkDuration(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
