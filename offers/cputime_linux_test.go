package offers

import (
	"syscall"
	"time"
)

// rusageThread asks getrusage(2) about the calling thread only.
const rusageThread = 1

// threadCPUTime returns the CPU time the calling OS thread has used so far.
func threadCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
