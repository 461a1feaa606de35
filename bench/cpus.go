package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
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

// placement is where and at which priority a process runs.
type placement struct {
	CPUs string // taskset list, "" for any CPU
	Nice int    // nice value, 0 for the default priority
}

// proxy is where Caddy runs.
func (l cpuLayout) proxy(nice int) placement { return placement{CPUs: l.Proxy, Nice: nice} }

// load is where the upstream and wrk run.
func (l cpuLayout) load(nice int) placement { return placement{CPUs: l.Load, Nice: nice} }

// command runs name under taskset and nice as placed; start it with
// placement.start. The child is killed if the harness dies, so no server
// outlives a run.
func (p placement) command(name string, args ...string) *exec.Cmd {
	argv := append([]string{name}, args...)
	if p.CPUs != "" {
		argv = append([]string{"taskset", "-c", p.CPUs}, argv...)
	}
	if p.Nice != 0 {
		argv = append([]string{"nice", "-n", strconv.Itoa(p.Nice)}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// With a nice value the child gets a session of its own: where the
	// kernel groups processes by session (autogroup), nice only ranks
	// processes within one group, so start gives the new group the value.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setsid: p.Nice != 0}
	return cmd
}

// start starts cmd (made by command) and, with a nice value, sets it on
// the child's scheduling group where the kernel has such groups.
func (p placement) start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if p.Nice != 0 {
		group := fmt.Sprintf("/proc/%d/autogroup", cmd.Process.Pid)
		if _, err := os.Stat(group); err == nil {
			if err := os.WriteFile(group, []byte(strconv.Itoa(p.Nice)), 0); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				return fmt.Errorf("setting nice %d on %s: %w", p.Nice, group, err)
			}
		}
	}
	return nil
}
