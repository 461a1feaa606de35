//go:build !race

package woocommerce_test

// raceEnabled: the real-store tests run in the plain build.
const raceEnabled = false
