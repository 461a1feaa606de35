package stores

import "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

// Options are what a store module adds to the Caddyfile block every store
// has, `store [<module>] <url> { ... }` (see Endpoint.UnmarshalStore).
type Options struct {
	// Default is set for the default store (the contract): the error for
	// an option none reads does not name the module.
	Default bool

	// Strings are the module's options that take exactly one value, each
	// with the field it sets.
	Strings map[string]*string

	// Other, when set, reads the module's other options: it reports
	// whether the current option (d.Val()) was one of them.
	Other func(d *caddyfile.Dispenser) (bool, error)
}

// UnmarshalStore reads a store module's `store [<module>] <url> { ... }`:
// the store line (UnmarshalHead), the options every store has
// (UnmarshalOption), and the module's own (own). Errors name the file and
// line of the option.
func (e *Endpoint) UnmarshalStore(d *caddyfile.Dispenser, module string, own Options) error {
	if err := e.UnmarshalHead(d, module); err != nil {
		return err
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		if err := e.unmarshalBlockOption(d, module, own); err != nil {
			return err
		}
	}
	return nil
}

// unmarshalBlockOption reads the option d is on: one every store has, one
// of own's Strings, or one own.Other knows.
func (e *Endpoint) unmarshalBlockOption(d *caddyfile.Dispenser, module string, own Options) error {
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
	if own.Default {
		return d.Errf("unknown store option %q", d.Val())
	}
	return d.Errf("unknown %s store option %q", module, d.Val())
}
