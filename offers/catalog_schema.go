package offers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The schema of catalog v1 is written once, as the Go types an offer is made
// of (Offer, Trigger, Product, ProductOption, Discount, Variant,
// FrequencyCap) and the json tags of their fields. The decoder and encoder
// of this file read those tags, so a field added to a type is read, reported
// and written with no other change; validation (catalog_validate.go) then
// checks what the values mean.
//
// The tags are encoding/json's: the field's name, and omitzero for a field
// left out of the written catalog when zero (or an empty list). Beyond
// encoding/json, as in encoding/json/v2, `json:",inline"` puts a struct's
// fields in the enclosing object. Some Go types have a catalog form of their
// own: a time.Time is an RFC 3339 time, a time.Duration a duration string
// such as "15m", and an int64 an amount of money in minor units, which the
// errors about it say.

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// schemaField is one JSON member of an object of the catalog.
type schemaField struct {
	name     string
	index    []int // of the Go field, through inlined structs
	omitzero bool
}

// schemaCache holds what schemaFields found for each type, reflect.Type to
// []schemaField: the tags are read once, not for each object of a catalog.
var schemaCache sync.Map

// schemaFields returns the members of the objects of type t, in the order
// they are written (and suggested for a misspelt name).
func schemaFields(t reflect.Type) []schemaField {
	if fields, ok := schemaCache.Load(t); ok {
		return fields.([]schemaField)
	}
	fields, _ := schemaCache.LoadOrStore(t, readTags(t))
	return fields.([]schemaField)
}

// readTags lists the members of the objects of type t from its json tags.
func readTags(t reflect.Type) []schemaField {
	var fields []schemaField
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case !sf.IsExported():
		case opts == "inline":
			for _, f := range readTags(sf.Type) {
				f.index = append([]int{i}, f.index...)
				fields = append(fields, f)
			}
		case name == "":
			panic(fmt.Sprintf("offers: %s.%s has no json tag: it is not part of the catalog's schema", t.Name(), sf.Name))
		default:
			fields = append(fields, schemaField{name: name, index: []int{i}, omitzero: opts == "omitzero"})
		}
	}
	return fields
}

// The field names of the catalog's own object; an offer's are the schema's.
var catalogFields = []schemaField{{name: "version"}, {name: "offers"}}

// draft is an offer as decoded, before validation, with what validation
// needs to know about the JSON it came from.
type draft struct {
	offer *Offer
	index int
	// given holds the paths of the fields present with a non-null value.
	given map[string]bool
	// failed holds the paths whose value could not be decoded; they have
	// been reported already and are skipped by validation.
	failed map[string]bool
	// problems is where the catalog collects every problem found.
	problems *[]Problem
	// options are the catalog's checks beyond its format.
	options *catalogOptions
}

// problem records a problem about the offer.
func (d *draft) problem(path, format string, args ...any) {
	*d.problems = append(*d.problems, Problem{
		Offer:   d.offer.ID,
		Index:   d.index,
		Field:   path,
		Message: fmt.Sprintf(format, args...),
	})
}

// fail records a problem with the value at path and marks it as failed.
func (d *draft) fail(path, format string, args ...any) {
	d.failed[path] = true
	d.problem(path, format, args...)
}

// ok reports whether the value at path was given and decoded.
func (d *draft) ok(path string) bool {
	return d.given[path] && !d.failed[path]
}

// decodeOffer decodes one element of the catalog's offers list.
func decodeOffer(index int, raw json.RawMessage, problems *[]Problem) *draft {
	d := &draft{
		offer:    &Offer{ID: peekID(raw)}, // so that every problem names the offer
		index:    index,
		given:    map[string]bool{},
		failed:   map[string]bool{},
		problems: problems,
	}
	d.decode("", raw, reflect.ValueOf(d.offer).Elem())
	return d
}

// peekID returns the offer's id if it has a well-formed one, else "".
func peekID(raw json.RawMessage) string {
	fields, _ := objectFields(raw)
	for _, f := range fields {
		if f.key == "id" && jsonType(f.value) == '"' {
			return decodeString(f.value)
		}
	}
	return ""
}

// decode reads the JSON value raw, found at path, into v, recording every
// problem with it; a value that cannot be read is marked as failed.
func (d *draft) decode(path string, raw json.RawMessage, v reflect.Value) {
	switch v.Type() {
	case timeType:
		t := parsed(d, path, raw, `an RFC 3339 time such as "2025-11-28T00:00:00Z"`, parseTime)
		v.Set(reflect.ValueOf(t.UTC()))
		return
	case durationType:
		v.SetInt(int64(parsed(d, path, raw, `a duration such as "15m" or "1h30m"`, time.ParseDuration)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if jsonType(raw) != '"' {
			d.fail(path, "want a string, got %s", describeJSON(raw))
			return
		}
		v.SetString(decodeString(bytes.TrimSpace(raw)))
	case reflect.Bool:
		if t := jsonType(raw); t != 't' && t != 'f' {
			d.fail(path, "want true or false, got %s", describeJSON(raw))
		} else {
			v.SetBool(t == 't')
		}
	case reflect.Int, reflect.Int64:
		v.SetInt(d.integer(path, raw, v.Kind() == reflect.Int64))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decode(path, raw, v.Elem())
	case reflect.Slice:
		d.decodeList(path, raw, v)
	case reflect.Map:
		d.decodeMap(path, raw, v)
	case reflect.Struct:
		d.decodeObject(path, raw, v)
	default:
		panic("offers: the catalog has no JSON form for " + v.Type().String())
	}
}

// decodeObject reads a JSON object into the struct v. It reports a value
// that is not an object, unknown fields and repeated fields; a member that
// is null counts as absent.
func (d *draft) decodeObject(path string, raw json.RawMessage, v reflect.Value) {
	members, ok := objectFields(raw)
	if !ok {
		d.fail(path, "want an object, got %s", describeJSON(raw))
		return
	}
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	known := schemaFields(v.Type())
	kept := members[:0]
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		switch {
		case fieldNamed(known, m.key) < 0:
			d.problem(path, "unknown field %s%s", strconv.Quote(m.key), suggestion(m.key, known))
		case seen[m.key]:
			d.fail(prefix+m.key, "given more than once")
		case jsonType(m.value) == 'n':
			seen[m.key] = true
		default:
			seen[m.key] = true
			d.given[prefix+m.key] = true
			kept = append(kept, m)
		}
	}
	// Every problem with the object's members comes before those inside
	// them.
	for _, m := range kept {
		f := known[fieldNamed(known, m.key)]
		d.decode(prefix+m.key, m.value, v.FieldByIndex(f.index))
	}
}

// fieldNamed returns the position of the member named name, or -1.
func fieldNamed(fields []schemaField, name string) int {
	for i, f := range fields {
		if f.name == name {
			return i
		}
	}
	return -1
}

// decodeMap reads a JSON object of free keys (such as an offer's texts)
// into the map v, each value at path.key; an empty object sets nothing, a
// repeated key is reported, a null member counts as absent.
func (d *draft) decodeMap(path string, raw json.RawMessage, v reflect.Value) {
	members, ok := objectFields(raw)
	if !ok {
		d.fail(path, "want an object, got %s", describeJSON(raw))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(members))
	for _, mb := range members {
		at := path + "." + mb.key
		switch {
		case m.MapIndex(reflect.ValueOf(mb.key)).IsValid() || d.failed[at]:
			d.fail(at, "given more than once")
			continue
		case jsonType(mb.value) == 'n':
			continue
		}
		d.given[at] = true
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(at, mb.value, elem)
		m.SetMapIndex(reflect.ValueOf(mb.key), elem)
	}
	if m.Len() > 0 {
		v.Set(m)
	}
}

// decodeList reads a JSON list into the slice v; an empty list sets
// nothing, as if it were absent. A list of strings with an entry that is not
// one is marked as failed as a whole: validation reads such lists whole.
func (d *draft) decodeList(path string, raw json.RawMessage, v reflect.Value) {
	elemType := v.Type().Elem()
	elems, ok := arrayElements(raw)
	if !ok {
		what := "strings"
		if elemType.Kind() == reflect.Struct {
			what = path[strings.LastIndexByte(path, '.')+1:] // "a list of variants"
		}
		d.fail(path, "want a list of %s, got %s", what, describeJSON(raw))
		return
	}
	list := reflect.MakeSlice(v.Type(), len(elems), len(elems))
	for i, elem := range elems {
		at := path + "[" + strconv.Itoa(i) + "]"
		d.decode(at, elem, list.Index(i))
		if d.failed[at] && elemType.Kind() == reflect.String {
			d.failed[path] = true
		}
	}
	if len(elems) > 0 {
		v.Set(list)
	}
}

// integer decodes a JSON number without fraction or exponent. minorUnits
// adds a hint for amounts of money, which are counted in minor units.
func (d *draft) integer(path string, raw json.RawMessage, minorUnits bool) int64 {
	hint := ""
	if minorUnits {
		hint = " of minor units (1499 for 14.99)"
	}
	if jsonType(raw) != '0' {
		d.fail(path, "want a whole number%s, got %s", hint, describeJSON(raw))
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			d.fail(path, "%s is too large", shorten(strings.TrimSpace(string(raw)), 24))
		} else {
			d.fail(path, "want a whole number%s, got %s", hint, describeJSON(raw))
		}
		return 0
	}
	return n
}

// parsed decodes a string that parse reads, such as a time or a duration;
// want names what the string must be.
func parsed[T any](d *draft, path string, raw json.RawMessage, want string, parse func(string) (T, error)) T {
	var v T
	if jsonType(raw) != '"' {
		d.fail(path, "want %s, got %s", want, describeJSON(raw))
		return v
	}
	s := decodeString(raw)
	v, err := parse(s)
	if err != nil {
		d.fail(path, "%s is not %s", strconv.Quote(shorten(s, 40)), want)
	}
	return v
}

// parseTime reads an RFC 3339 time whose year in UTC has four digits, as
// every time the catalog writes back must have.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if y := t.UTC().Year(); err == nil && (y < 0 || y > 9999) {
		err = errors.New("year out of range")
	}
	return t, err
}

// appendJSON writes v in the catalog's JSON, the form decode reads.
func appendJSON(b []byte, v reflect.Value) []byte {
	if m, ok := v.Interface().(json.Marshaler); ok && v.Type() != timeType {
		out, _ := m.MarshalJSON() // Offer's and Discount's, which cannot fail
		return append(b, out...)
	}
	switch {
	case v.Type() == timeType:
		return strconv.AppendQuote(b, v.Interface().(time.Time).Format(time.RFC3339Nano))
	case v.Type() == durationType:
		return strconv.AppendQuote(b, time.Duration(v.Int()).String())
	case v.Kind() == reflect.String, v.Kind() == reflect.Bool, v.Kind() == reflect.Int, v.Kind() == reflect.Int64:
		out, _ := json.Marshal(v.Interface()) // a plain value: cannot fail
		return append(b, out...)
	case v.Kind() == reflect.Pointer:
		return appendJSON(b, v.Elem())
	case v.Kind() == reflect.Map:
		b = append(b, '{')
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			key, _ := json.Marshal(k.String()) // a free key: JSON's escapes, not Go's
			b = append(append(b, key...), ':')
			b = appendJSON(b, v.MapIndex(k))
		}
		return append(b, '}')
	case v.Kind() == reflect.Slice:
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, v.Index(i))
		}
		return append(b, ']')
	}
	return appendObject(b, v)
}

// appendObject writes the struct v as a JSON object, leaving out the
// omitzero fields that are zero.
func appendObject(b []byte, v reflect.Value) []byte {
	b = append(b, '{')
	for _, f := range schemaFields(v.Type()) {
		fv := v.FieldByIndex(f.index)
		if f.omitzero && (fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0) {
			continue
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f.name)
		b = append(b, ':')
		b = appendJSON(b, fv)
	}
	return append(b, '}')
}

// MarshalJSON writes the offer in the shape of catalog v1, so that what an
// admin endpoint lists can be pasted back into a catalog file.
func (o Offer) MarshalJSON() ([]byte, error) {
	return appendObject(nil, reflect.ValueOf(o)), nil
}

// MarshalJSON writes exactly one of percent and amount, as the catalog
// wants it: the zero Discount is {"amount":0}.
func (d Discount) MarshalJSON() ([]byte, error) {
	if d.Percent != 0 {
		return fmt.Appendf(nil, `{"percent":%d}`, d.Percent), nil
	}
	return fmt.Appendf(nil, `{"amount":%d}`, d.Amount), nil
}

// MarshalJSON writes the whole catalog in the format ParseCatalog reads.
func (c *Catalog) MarshalJSON() ([]byte, error) {
	b := fmt.Appendf(nil, `{"version":%d,"offers":`, catalogVersion)
	return append(appendJSON(b, reflect.ValueOf(c.offers)), '}'), nil
}

// suggestion proposes the known field closest to a misspelt one, as
// ` (did you mean "trigger"?)`, or "" when none is close: within two edits,
// or one name starting with the other ("percentage" for "percent").
func suggestion(key string, known []schemaField) string {
	key = strings.ToLower(key)
	best, bestDist := "", 3
	for _, f := range known {
		dist := editDistance(key, f.name)
		if len(key) >= 4 && (strings.HasPrefix(key, f.name) || strings.HasPrefix(f.name, key)) {
			dist = min(dist, 2)
		}
		if dist < bestDist {
			best, bestDist = f.name, dist
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + strconv.Quote(best) + "?)"
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
