// Package envplaceholder names the Caddyfile environment placeholders
// ({$NAME}) that left an option without a value, so that an unset secret
// or store credential is reported by its variable's name and line rather
// than as a missing argument, or not at all.
package envplaceholder

import (
	"bytes"
	"os"
	"regexp"
	"strings"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// pattern matches a Caddyfile environment placeholder, {$NAME} or
// {$NAME:default}.
var pattern = regexp.MustCompile(`\{\$([^{}:\s]+)(?::([^{}]*))?\}`)

// Empty returns the environment placeholders written on the
// line of the dispenser's current token that expanded to nothing: the
// variable is unset (without a default) or empty.
//
// Caddy expands {$NAME} before the Caddyfile is split into tokens, so an
// option whose value came from an unset variable just looks short of a
// value. The file itself still holds what the operator wrote: read that
// line again to name the variable. A file that cannot be read (a test
// dispenser, a config from stdin) yields nothing.
func Empty(d *caddyfile.Dispenser) []string {
	src, err := os.ReadFile(d.File())
	if err != nil {
		return nil
	}
	lines := bytes.Split(src, []byte("\n"))
	n := d.Line()
	if n < 1 || n > len(lines) {
		return nil
	}
	var empty []string
	for _, m := range pattern.FindAllSubmatch(lines[n-1], -1) {
		name := string(m[1])
		value, set := os.LookupEnv(name)
		if !set && m[2] != nil {
			value = string(m[2])
		}
		if value == "" {
			empty = append(empty, string(m[0]))
		}
	}
	return empty
}

// Err is the error for option opt left without a usable value: it names
// the placeholders on its line that expanded to nothing when there are
// any, else it says plain. Either way it names the file and line.
func Err(d *caddyfile.Dispenser, opt, plain string) error {
	empty := Empty(d)
	if len(empty) == 0 {
		return d.Err(plain)
	}
	names := make([]string, len(empty))
	for i, p := range empty {
		names[i] = pattern.FindStringSubmatch(p)[1]
	}
	verb := "is"
	if len(empty) > 1 {
		verb = "are"
	}
	return d.Errf("%s: %s %s empty: set %s in the environment Caddy runs in", opt, strings.Join(empty, ", "), verb, strings.Join(names, ", "))
}
