//go:build !race

package inject

// raceEnabled: allocations are counted in the plain build.
const raceEnabled = false
