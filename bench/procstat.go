package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: Linux
// always exports them in USER_HZ, which is 100 on every architecture Go
// supports.
const clockTick = 10 * time.Millisecond

// readProcCPU returns the CPU time (user + system, all threads) a process
// has used so far.
func readProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(b))
}

// parseProcStatCPU reads utime and stime (fields 14 and 15) from a
// /proc/<pid>/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from its last ")".
func parseProcStatCPU(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc stat: no command name in %q", stat)
	}
	fields := strings.Fields(stat[end+1:]) // fields[0] is field 3, state
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: utime/stime %q: %v", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// readPeakRSS returns the peak resident set size (VmHWM) of a process in
// bytes.
func readPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmHWM(string(b))
}

// parseVmHWM finds "VmHWM:   1234 kB" in a /proc/<pid>/status text.
func parseVmHWM(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc status: unexpected VmHWM line %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status: VmHWM %q: %v", f[0], err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc status: no VmHWM line")
}

// syscallCounts is how many read and write system calls a process made.
type syscallCounts struct {
	Reads, Writes int64
}

// readSyscalls reads syscr and syscw from /proc/<pid>/io.
func readSyscalls(pid int) (syscallCounts, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return syscallCounts{}, err
	}
	return parseProcIO(string(b))
}

// parseProcIO finds the syscr and syscw lines of a /proc/<pid>/io text.
func parseProcIO(text string) (syscallCounts, error) {
	var c syscallCounts
	found := 0
	for _, line := range strings.Split(text, "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok || (name != "syscr" && name != "syscw") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil {
			return syscallCounts{}, fmt.Errorf("/proc io: %s %q: %v", name, val, err)
		}
		if name == "syscr" {
			c.Reads = n
		} else {
			c.Writes = n
		}
		found++
	}
	if found != 2 {
		return syscallCounts{}, fmt.Errorf("/proc io: no syscr and syscw lines")
	}
	return c, nil
}
