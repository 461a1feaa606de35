//go:build race

package woocommerce_test

// raceEnabled: a -race build skips the real-store tests, which ran in the
// plain run already.
const raceEnabled = true
