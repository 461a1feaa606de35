package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTicks is how long a set of CPUs was busy, out of how long in all,
// in clock ticks (from /proc/stat).
type cpuTicks struct {
	Busy, Total int64
}

// readCPUTicks sums /proc/stat over the given CPUs.
func readCPUTicks(cpus []int) (cpuTicks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}, err
	}
	return parseCPUTicks(string(b), cpus)
}

// parseCPUTicks reads the "cpuN user nice system idle iowait irq softirq
// steal ..." lines of the given CPUs. Busy is user, nice, system and steal
// (time the hypervisor gave to someone else). Interrupt time is left out:
// most of it is the loopback traffic of the run itself, which the kernel
// does not charge to any process.
func parseCPUTicks(stat string, cpus []int) (cpuTicks, error) {
	var t cpuTicks
	want := make(map[string]bool, len(cpus))
	for _, c := range cpus {
		want["cpu"+strconv.Itoa(c)] = true
	}
	found := 0
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !want[f[0]] {
			continue
		}
		var v [8]int64
		for i := range v {
			n, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return t, fmt.Errorf("/proc/stat %s: %v", f[0], err)
			}
			v[i] = n
		}
		total := v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]
		t.Total += total
		t.Busy += v[0] + v[1] + v[2] + v[7]
		found++
	}
	if found != len(cpus) {
		return t, fmt.Errorf("/proc/stat: found %d of the CPUs %v", found, cpus)
	}
	return t, nil
}

// othersShare is the share of the CPUs' time that went to processes other
// than ours (which used own) between two readings: the noise a shared
// machine adds to a run.
func othersShare(before, after cpuTicks, own time.Duration) float64 {
	total := after.Total - before.Total
	if total <= 0 {
		return 0
	}
	others := float64(after.Busy-before.Busy) - float64(own)/float64(clockTick)
	return max(0, others/float64(total))
}

// parseCPUList reads a taskset list such as "0", "1-3" or "0,2-3".
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %v", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("CPU list %q: bad range %q", s, part)
			}
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
