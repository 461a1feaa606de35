package stores

import "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

// Options are what a store module adds to the Caddyfile block every store
// has, `store [<Module>] <url> { ... }` (see Endpoint.UnmarshalStore).
type Options struct {
	// Module is the module's name on the store line, e.g. "vendure".
	Module string

	// Kind names the store in the error for an option none reads
	// ("unknown <Kind> store option"); empty for the default store.
	Kind string

	// Strings are the module's options that take exactly one value, each
	// with the field it sets.
	Strings map[string]*string

	// Other, when set, reads the module's other options: it reports
	// whether the current option (d.Val()) was one of them.
	Other func(d *caddyfile.Dispenser) (bool, error)
}

// UnmarshalStore reads a store module's `store [<name>] <url> { ... }`:
// the store line (UnmarshalHead), the options every store has
// (UnmarshalOption), and the module's own (own). Errors name the file and
// line of the option.
func (e *Endpoint) UnmarshalStore(d *caddyfile.Dispenser, own Options) error {
	if err := e.UnmarshalHead(d, own.Module); err != nil {
		return err
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		if err := e.unmarshalBlockOption(d, own); err != nil {
			return err
		}
	}
	return nil
}

// unmarshalBlockOption reads the option d is on: one every store has, one
// of own's Strings, or one own.Other knows.
func (e *Endpoint) unmarshalBlockOption(d *caddyfile.Dispenser, own Options) error {
	if ok, err := e.UnmarshalOption(d); ok {
		return err
	}
	if dst, ok := own.Strings[d.Val()]; ok {
		return OneArg(d, dst)
	}
	if own.Other != nil {
		if ok, err := own.Other(d); ok {
			return err
		}
	}
	kind := own.Kind
	if kind != "" {
		kind += " "
	}
	return d.Errf("unknown %sstore option %q", kind, d.Val())
}
