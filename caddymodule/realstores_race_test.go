//go:build race

package caddymodule_test

// raceDetector says whether the tests run under the race detector: the
// real-store tests then skip, since CI runs them once without it (they
// spend their time in the stores, not in Kairo's code).
const raceDetector = true
