// Package envplaceholder names the Caddyfile environment placeholders
// ({$NAME}) that left an option without a value, so that an unset secret
// or store credential is reported by its variable's name and line rather
// than as a missing argument, or not at all.
package envplaceholder

import (
	"bytes"
	"fmt"
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
		if expandsEmpty(m) {
			empty = append(empty, string(m[0]))
		}
	}
	return empty
}

// expandsEmpty reports whether the placeholder pattern matched as m
// expands to nothing: its variable is unset (without a default) or empty.
func expandsEmpty(m [][]byte) bool {
	value, set := os.LookupEnv(string(m[1]))
	if !set && m[2] != nil {
		value = string(m[2])
	}
	return value == ""
}

// CheckFile returns an error naming each environment placeholder in the
// Caddyfile file (its own text, not the files it imports; comments left
// out) that expands to nothing, with its line; nil when there is none,
// or when the file cannot be read (a Caddyfile given on stdin).
//
// Caddy replaces an unset {$NAME} by nothing before it reads the file, so
// an unset site address becomes a block "without any key" and a missing
// argument a count that is wrong, both without the variable's name. This
// check runs first, from the upsell_require_env global option.
func CheckFile(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	tokens, err := caddyfile.Tokenize(src, file)
	if err != nil {
		return err
	}
	var msgs []string
	for _, tok := range tokens {
		for _, m := range pattern.FindAllStringSubmatch(tok.Text, -1) {
			b := [][]byte{[]byte(m[0]), []byte(m[1]), nil}
			if strings.Contains(m[0], ":") {
				b[2] = []byte(m[2])
			}
			if expandsEmpty(b) {
				msgs = append(msgs, fmt.Sprintf("%s is empty: set %s in the environment Caddy runs in, at %s:%d", m[0], m[1], tok.File, tok.Line))
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
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
