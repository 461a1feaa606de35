//go:build !linux

package offers

import "time"

// threadCPUTime cannot tell the CPU time of a thread on this platform.
func threadCPUTime() (time.Duration, bool) { return 0, false }
