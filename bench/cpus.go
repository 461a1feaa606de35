package main

import (
	"fmt"
	"os/exec"
	"syscall"
)

// cpuLayout says which CPUs the proxy and the load side (upstream and
// load generator) run on, so that they do not take time from each other.
type cpuLayout struct {
	Proxy string // taskset list for Caddy, "" when not pinned
	Load  string // taskset list for the upstream and wrk, "" when not pinned
	Count int    // CPUs in Load, at least 1

	// ProxyCPUs and LoadCPUs list the CPUs of each side, for reading how
	// busy other processes kept them. Unpinned, both list every CPU.
	ProxyCPUs, LoadCPUs []int
}

// planCPUs puts Caddy on CPU 0 and everything else on the remaining CPUs.
// With a single CPU nothing is pinned.
func planCPUs(n int) cpuLayout {
	if n < 2 {
		return cpuLayout{Count: 1, ProxyCPUs: []int{0}, LoadCPUs: []int{0}}
	}
	l := cpuLayout{Proxy: "0", Load: "1", Count: n - 1, ProxyCPUs: []int{0}}
	if n > 2 {
		l.Load = fmt.Sprintf("1-%d", n-1)
	}
	for c := 1; c < n; c++ {
		l.LoadCPUs = append(l.LoadCPUs, c)
	}
	return l
}

// describe says how the processes are placed, for the report.
func (l cpuLayout) describe() string {
	if l.Proxy == "" {
		return "one CPU: nothing pinned, Caddy, upstream and wrk share it"
	}
	return fmt.Sprintf("Caddy pinned to cpu %s; upstream and wrk pinned to cpu %s (taskset); the harness itself is idle during runs", l.Proxy, l.Load)
}

// pinnedCommand runs name under taskset on cpus (as is when cpus is ""). The
// child is killed if the harness dies, so no server outlives a run.
func pinnedCommand(cpus, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if cpus == "" {
		cmd = exec.Command(name, args...)
	} else {
		cmd = exec.Command("taskset", append([]string{"-c", cpus, name}, args...)...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}
