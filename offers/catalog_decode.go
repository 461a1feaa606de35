package offers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The field names of each object of catalog v1. A field not listed is an
// error: a misspelt trigger must not silently switch targeting off.
var (
	catalogFields  = []string{"version", "offers"}
	offerFields    = []string{"id", "placements", "trigger", "product", "discount", "quantity", "priority", "starts_at", "ends_at", "expires_after", "variants", "on_decline", "on_accept", "max_quantity", "max_per_customer", "cap_period", "shadow"}
	triggerFields  = []string{"product_ids", "tags", "min_subtotal", "max_subtotal", "currencies", "customer_tags", "new_customers_only", "statuses"}
	productFields  = []string{"product_id", "variant_id", "title", "description", "image", "unit_price", "currency", "options", "option_label"}
	optionFields   = []string{"variant_id", "label"}
	discountFields = []string{"percent", "amount"}
	variantFields  = []string{"id", "weight", "title", "image", "discount"}
)

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
		offer:    &Offer{},
		index:    index,
		given:    map[string]bool{},
		failed:   map[string]bool{},
		problems: problems,
	}
	// Name the offer before anything else, so that every problem does.
	d.offer.ID = peekID(raw)
	o := d.offer
	for _, f := range d.fields("", raw, offerFields) {
		path := f.key
		switch f.key {
		case "id":
			o.ID = d.str(path, f.value)
		case "placements":
			for _, s := range d.stringList(path, f.value) {
				o.Placements = append(o.Placements, Placement(s))
			}
		case "trigger":
			d.decodeTrigger(path, f.value)
		case "product":
			d.decodeProduct(path, f.value)
		case "discount":
			o.Discount = d.decodeDiscount(path, f.value)
		case "quantity":
			o.Quantity = int(d.integer(path, f.value, false))
		case "priority":
			o.Priority = int(d.integer(path, f.value, false))
		case "starts_at":
			o.StartsAt = d.timestamp(path, f.value)
		case "ends_at":
			o.EndsAt = d.timestamp(path, f.value)
		case "expires_after":
			o.ExpiresAfter = d.duration(path, f.value)
		case "variants":
			d.decodeVariants(path, f.value)
		case "on_decline":
			o.OnDecline = d.str(path, f.value)
		case "on_accept":
			o.OnAccept = d.str(path, f.value)
		case "max_quantity":
			o.MaxQuantity = int(d.integer(path, f.value, false))
		case "max_per_customer":
			o.Cap.MaxPerCustomer = int(d.integer(path, f.value, false))
		case "cap_period":
			o.Cap.Period = d.duration(path, f.value)
		case "shadow":
			o.Shadow = d.boolean(path, f.value)
		}
	}
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

func (d *draft) decodeTrigger(path string, raw json.RawMessage) {
	t := &d.offer.Trigger
	for _, f := range d.fields(path, raw, triggerFields) {
		p := path + "." + f.key
		switch f.key {
		case "product_ids":
			t.ProductIDs = d.stringList(p, f.value)
		case "tags":
			t.Tags = d.stringList(p, f.value)
		case "min_subtotal":
			t.MinSubtotal = d.integer(p, f.value, true)
		case "max_subtotal":
			t.MaxSubtotal = d.integer(p, f.value, true)
		case "currencies":
			t.Currencies = d.stringList(p, f.value)
		case "customer_tags":
			t.CustomerTags = d.stringList(p, f.value)
		case "new_customers_only":
			t.NewCustomersOnly = d.boolean(p, f.value)
		case "statuses":
			t.Statuses = d.stringList(p, f.value)
		}
	}
}

func (d *draft) decodeProduct(path string, raw json.RawMessage) {
	pr := &d.offer.Product
	for _, f := range d.fields(path, raw, productFields) {
		p := path + "." + f.key
		switch f.key {
		case "product_id":
			pr.ProductID = d.str(p, f.value)
		case "variant_id":
			pr.VariantID = d.str(p, f.value)
		case "title":
			pr.Title = d.str(p, f.value)
		case "description":
			pr.Description = d.str(p, f.value)
		case "options":
			d.decodeOptions(p, f.value)
		case "option_label":
			pr.OptionLabel = d.str(p, f.value)
		case "image":
			pr.Image = d.str(p, f.value)
		case "unit_price":
			pr.UnitPrice = d.integer(p, f.value, true)
		case "currency":
			pr.Currency = d.str(p, f.value)
		}
	}
}

func (d *draft) decodeOptions(path string, raw json.RawMessage) {
	elems, ok := arrayElements(raw)
	if !ok {
		d.fail(path, "want a list of options, got %s", describeJSON(raw))
		return
	}
	for i, elem := range elems {
		opath := path + "[" + strconv.Itoa(i) + "]"
		var o ProductOption
		d.given[opath] = true
		for _, f := range d.fields(opath, elem, optionFields) {
			switch f.key {
			case "variant_id":
				o.VariantID = d.str(opath+"."+f.key, f.value)
			case "label":
				o.Label = d.str(opath+"."+f.key, f.value)
			}
		}
		d.offer.Product.Options = append(d.offer.Product.Options, o)
	}
}

func (d *draft) decodeDiscount(path string, raw json.RawMessage) Discount {
	var disc Discount
	for _, f := range d.fields(path, raw, discountFields) {
		p := path + "." + f.key
		switch f.key {
		case "percent":
			disc.Percent = int(d.integer(p, f.value, false))
		case "amount":
			disc.Amount = d.integer(p, f.value, true)
		}
	}
	return disc
}

func (d *draft) decodeVariants(path string, raw json.RawMessage) {
	elems, ok := arrayElements(raw)
	if !ok {
		d.fail(path, "want a list of variants, got %s", describeJSON(raw))
		return
	}
	for i, elem := range elems {
		vpath := path + "[" + strconv.Itoa(i) + "]"
		var v Variant
		d.given[vpath] = true
		for _, f := range d.fields(vpath, elem, variantFields) {
			p := vpath + "." + f.key
			switch f.key {
			case "id":
				v.ID = d.str(p, f.value)
			case "weight":
				v.Weight = int(d.integer(p, f.value, false))
			case "title":
				v.Title = d.str(p, f.value)
			case "image":
				v.Image = d.str(p, f.value)
			case "discount":
				disc := d.decodeDiscount(p, f.value)
				v.Discount = &disc
			}
		}
		d.offer.Variants = append(d.offer.Variants, v)
	}
}

// fields returns the members of the object at path that are known, given
// once and not null, recording each as given. It reports a value that is
// not an object, unknown fields and repeated fields.
func (d *draft) fields(path string, raw json.RawMessage, known []string) []jsonField {
	all, ok := objectFields(raw)
	if !ok {
		d.fail(path, "want an object, got %s", describeJSON(raw))
		return nil
	}
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	kept := all[:0]
	seen := make(map[string]bool, len(all))
	for _, f := range all {
		switch {
		case !slices.Contains(known, f.key):
			d.problem(path, "unknown field %s%s", strconv.Quote(f.key), suggestion(f.key, known))
		case seen[f.key]:
			d.fail(prefix+f.key, "given more than once")
		case jsonType(f.value) == 'n':
			seen[f.key] = true
		default:
			seen[f.key] = true
			d.given[prefix+f.key] = true
			kept = append(kept, f)
		}
	}
	return kept
}

// str decodes a JSON string.
func (d *draft) str(path string, raw json.RawMessage) string {
	if jsonType(raw) != '"' {
		d.fail(path, "want a string, got %s", describeJSON(raw))
		return ""
	}
	return decodeString(bytes.TrimSpace(raw))
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

// boolean decodes true or false.
func (d *draft) boolean(path string, raw json.RawMessage) bool {
	switch jsonType(raw) {
	case 't':
		return true
	case 'f':
		return false
	}
	d.fail(path, "want true or false, got %s", describeJSON(raw))
	return false
}

// stringList decodes a list of strings, reporting each element that is not
// a string.
func (d *draft) stringList(path string, raw json.RawMessage) []string {
	elems, ok := arrayElements(raw)
	if !ok {
		d.fail(path, "want a list of strings, got %s", describeJSON(raw))
		return nil
	}
	if len(elems) == 0 {
		return nil // an empty list sets nothing, as if it were absent
	}
	list := make([]string, 0, len(elems))
	for i, elem := range elems {
		p := path + "[" + strconv.Itoa(i) + "]"
		if jsonType(elem) != '"' {
			d.fail(p, "want a string, got %s", describeJSON(elem))
			d.failed[path] = true
			continue
		}
		list = append(list, decodeString(elem))
	}
	return list
}

// timestamp decodes an RFC 3339 time.
func (d *draft) timestamp(path string, raw json.RawMessage) time.Time {
	if jsonType(raw) != '"' {
		d.fail(path, "want an RFC 3339 time such as \"2025-11-28T00:00:00Z\", got %s", describeJSON(raw))
		return time.Time{}
	}
	s := decodeString(raw)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.fail(path, "%s is not an RFC 3339 time such as \"2025-11-28T00:00:00Z\"", strconv.Quote(shorten(s, 40)))
		return time.Time{}
	}
	return t.UTC()
}

// duration decodes a Go duration string such as "15m" or "1h30m".
func (d *draft) duration(path string, raw json.RawMessage) time.Duration {
	if jsonType(raw) != '"' {
		d.fail(path, "want a duration such as \"15m\" or \"1h30m\", got %s", describeJSON(raw))
		return 0
	}
	s := decodeString(raw)
	v, err := time.ParseDuration(s)
	if err != nil {
		d.fail(path, "%s is not a duration such as \"15m\" or \"1h30m\"", strconv.Quote(shorten(s, 40)))
		return 0
	}
	return v
}

// suggestion proposes the known field closest to a misspelt one, as
// ` (did you mean "trigger"?)`, or "" when none is close: within two edits,
// or one name starting with the other ("percentage" for "percent").
func suggestion(key string, known []string) string {
	key = strings.ToLower(key)
	best, bestDist := "", 3
	for _, k := range known {
		dist := editDistance(key, k)
		if len(key) >= 4 && (strings.HasPrefix(key, k) || strings.HasPrefix(k, key)) {
			dist = min(dist, 2)
		}
		if dist < bestDist {
			best, bestDist = k, dist
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
