//go:build race

package inject

// raceEnabled: under the race detector sync.Pool drops a share of what it
// is given at random, so the pools' steady state cannot be counted.
const raceEnabled = true
