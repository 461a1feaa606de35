// Package demostore is a small but real web store used by Caddyfile.example
// and Kairo's tests.
package demostore
