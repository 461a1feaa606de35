package main

import (
	"slices"
	"testing"
	"time"
)

const procStat = `cpu  300 0 100 1000 10 0 5 2 0 0
cpu0 100 0 50 400 5 0 3 2 0 0
cpu1 200 0 50 600 5 0 2 0 0 0
intr 12345
`

func TestParseCPUTicks(t *testing.T) {
	tests := []struct {
		cpus    []int
		want    cpuTicks
		wantErr bool
	}{
		{cpus: []int{0}, want: cpuTicks{Busy: 152, Total: 560}},
		{cpus: []int{1}, want: cpuTicks{Busy: 250, Total: 857}},
		{cpus: []int{0, 1}, want: cpuTicks{Busy: 402, Total: 1417}},
		{cpus: []int{2}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseCPUTicks(procStat, tt.cpus)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("cpus %v: got %+v, %v; want %+v, error %v", tt.cpus, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestOthersShare(t *testing.T) {
	before := cpuTicks{Busy: 1000, Total: 5000}
	tests := []struct {
		name  string
		after cpuTicks
		own   time.Duration
		want  float64
	}{
		{name: "only ours", after: cpuTicks{Busy: 1100, Total: 5100}, own: time.Second, want: 0},
		{name: "a fifth others", after: cpuTicks{Busy: 1100, Total: 5100}, own: 800 * time.Millisecond, want: 0.2},
		{name: "idle", after: cpuTicks{Busy: 1000, Total: 5100}, own: 0, want: 0},
		{name: "no time passed", after: before, own: 0, want: 0},
	}
	for _, tt := range tests {
		if got := othersShare(before, tt.after, tt.own); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{in: "0", want: []int{0}},
		{in: "1-3", want: []int{1, 2, 3}},
		{in: "0,2-3", want: []int{0, 2, 3}},
		{in: "3-1", wantErr: true},
		{in: "x", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseCPUList(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
