package envplaceholder

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// dispenserAt writes src to a file, tokenizes it with Caddy's own env
// expansion, as `caddy run` would, and leaves the dispenser on the first
// token of line.
func dispenserAt(t *testing.T, src string, line int) *caddyfile.Dispenser {
	t.Helper()
	file := filepath.Join(t.TempDir(), "Caddyfile")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	blocks, err := caddyfile.Parse(file, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var tokens []caddyfile.Token
	for _, b := range blocks {
		for _, seg := range b.Segments {
			tokens = append(tokens, seg...)
		}
	}
	d := caddyfile.NewDispenser(tokens)
	for d.Next() {
		if d.Line() == line {
			return d
		}
	}
	t.Fatalf("no token on line %d", line)
	return nil
}

func TestEmpty(t *testing.T) {
	t.Setenv("KAIRO_SET", "value")
	t.Setenv("KAIRO_BLANK", "")
	os.Unsetenv("KAIRO_UNSET")
	src := "site {\n\tsecret {$KAIRO_UNSET}\n\tkey {$KAIRO_SET} {$KAIRO_BLANK} {$KAIRO_UNSET:fallback} {$KAIRO_UNSET:}\n}\n"
	if got := Empty(dispenserAt(t, src, 2)); !reflect.DeepEqual(got, []string{"{$KAIRO_UNSET}"}) {
		t.Errorf("line 2: %q", got)
	}
	if got := Empty(dispenserAt(t, src, 3)); !reflect.DeepEqual(got, []string{"{$KAIRO_BLANK}", "{$KAIRO_UNSET:}"}) {
		t.Errorf("line 3: %q", got)
	}
	err := Err(dispenserAt(t, src, 2), "secret", "secret needs a value")
	if err == nil || !strings.Contains(err.Error(), "secret: {$KAIRO_UNSET} is empty: set KAIRO_UNSET in the environment Caddy runs in") ||
		!strings.Contains(err.Error(), "Caddyfile:2") {
		t.Errorf("Err: %v", err)
	}
	// A dispenser without a file on disk: the plain message, still with the line.
	d := caddyfile.NewTestDispenser("secret")
	d.Next()
	plain := Err(d, "secret", "secret needs a value")
	if plain == nil || !strings.Contains(plain.Error(), "secret needs a value, at Testfile:1") {
		t.Errorf("Err without a file: %v", plain)
	}
}

func TestCheckFile(t *testing.T) {
	t.Setenv("KAIRO_SET", "shop.example.com")
	os.Unsetenv("KAIRO_UNSET")
	file := filepath.Join(t.TempDir(), "Caddyfile")
	src := "# {$KAIRO_UNSET} in a comment\n{$KAIRO_UNSET} {\n\trespond \"{$KAIRO_SET} {$KAIRO_UNSET:ok}\"\n\theader X {$KAIRO_UNSET:}\n}\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	err := CheckFile(file)
	want := "{$KAIRO_UNSET} is empty: set KAIRO_UNSET in the environment Caddy runs in, at " + file + ":2; " +
		"{$KAIRO_UNSET:} is empty: set KAIRO_UNSET in the environment Caddy runs in, at " + file + ":4"
	if err == nil || err.Error() != want {
		t.Errorf("CheckFile: %v\nwant %s", err, want)
	}
	t.Setenv("KAIRO_UNSET", "x")
	if err := CheckFile(file); err != nil {
		t.Errorf("all set: %v", err)
	}
	if err := CheckFile(filepath.Join(t.TempDir(), "none")); err != nil {
		t.Errorf("a file that cannot be read: %v", err)
	}
}
