package main

import (
	"os"
	"testing"
	"time"
)

func TestParseProcStatCPU(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{name: "plain name", in: "4242 (caddy) S 1 4242 4242 0 -1 4194560 9143 0 0 0 250 37 0 0 20 0 9 0 1234 1300000000 9000 18446744073709551615",
			want: 2870 * time.Millisecond},
		{name: "name with spaces and parentheses", in: "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1 1",
			want: 70 * time.Millisecond},
		{name: "truncated", in: "7 (x) R 1 7", wantErr: true},
		{name: "no name", in: "garbage", wantErr: true},
		{name: "bad utime", in: "7 (x) R 1 7 7 0 -1 0 0 0 0 0 zz 4 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStatCPU(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{name: "status", in: "Name:\tcaddy\nVmPeak:\t 1300000 kB\nVmHWM:\t   41236 kB\nVmRSS:\t   40000 kB\n", want: 41236 << 10},
		{name: "missing", in: "Name:\tcaddy\nVmRSS:\t 1 kB\n", wantErr: true},
		{name: "odd unit", in: "VmHWM:\t 12 MB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestReadOwnProc reads this test process's own /proc entries.
func TestReadOwnProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	if _, err := readProcCPU(os.Getpid()); err != nil {
		t.Error(err)
	}
	rss, err := readPeakRSS(os.Getpid())
	if err != nil || rss <= 0 {
		t.Errorf("peak RSS = %d, %v", rss, err)
	}
}

func TestParseProcIO(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    syscallCounts
		wantErr bool
	}{
		{name: "io", in: "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 7\nread_bytes: 0\n", want: syscallCounts{Reads: 10, Writes: 7}},
		{name: "missing syscw", in: "syscr: 10\n", wantErr: true},
		{name: "bad number", in: "syscr: x\nsyscw: 1\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcIO(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
