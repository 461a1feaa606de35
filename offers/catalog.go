package offers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// catalogVersion is the version of the catalog format this package reads.
const catalogVersion = 1

// Catalog is a validated, indexed, read-only set of offers. Build one with
// LoadCatalog or ParseCatalog; to change the offers, load a new catalog and
// swap it in. A Catalog is safe for concurrent use.
type Catalog struct {
	name   string
	offers []*Offer // in catalog order
	byID   map[string]*Offer
	ranked []*Offer // in selection order: priority desc, id asc
	index  selectionIndex
	// followers holds the ids named by an on_decline or on_accept.
	followers map[string]bool
	// withheld holds the ids of offers never shown (Withhold); nil for none.
	withheld map[string]bool
}

// LoadCatalog reads and parses the catalog file at path, naming the file in
// every error. See ParseCatalog for the format.
func LoadCatalog(path string, opts ...CatalogOption) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("offers: reading catalog: %w", err)
	}
	return ParseCatalog(path, data, opts...)
}

// CatalogOption adds a check to the parsing of a catalog.
type CatalogOption func(*catalogOptions)

// catalogOptions are what the options set.
type catalogOptions struct {
	textKeys []schemaField // nil: any key
}

// WithTextKeys limits the keys of an offer's text to those the pages that
// show offers know: any other key is a problem of the catalog, with the
// closest known key suggested. Without it any key is taken.
func WithTextKeys(keys []string) CatalogOption {
	return func(o *catalogOptions) {
		o.textKeys = make([]schemaField, len(keys))
		for i, k := range keys {
			o.textKeys[i] = schemaField{name: k}
		}
	}
}

// ParseCatalog parses and validates a catalog (format v1, see the package
// documentation). name, usually the file's path, starts every problem
// reported. When anything is wrong, the error is a *CatalogError listing
// every problem found, one per line:
//
//	offers.json: offer "thermos-10": discount.percent: 120 is over 100
//	offers.json: offer "socks": on_decline: no offer "socks-5" in the catalog
func ParseCatalog(name string, data []byte, opts ...CatalogOption) (*Catalog, error) {
	var options catalogOptions
	for _, o := range opts {
		o(&options)
	}
	var problems []Problem
	fileProblem := func(field, format string, args ...any) {
		problems = append(problems, Problem{Index: -1, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	list := catalogOffers(bytes.TrimPrefix(data, []byte("\uFEFF")), fileProblem)
	drafts := make([]*draft, len(list))
	for i, raw := range list {
		drafts[i] = decodeOffer(i, raw, &problems)
		drafts[i].options = &options
		drafts[i].validate()
	}
	checkAcrossOffers(drafts)
	if len(problems) > 0 {
		// Problems found across offers were added after the offers' own;
		// put every problem back in the order of the file.
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Index - b.Index })
		return nil, &CatalogError{Name: name, Problems: problems}
	}
	offers := make([]*Offer, len(drafts))
	for i, d := range drafts {
		offers[i] = d.offer
	}
	return newCatalog(name, offers), nil
}

// catalogOffers finds the list of offers in a catalog document, which is
// either {"version": 1, "offers": [...]} or, for short, the bare list.
func catalogOffers(data []byte, problem func(field, format string, args ...any)) []json.RawMessage {
	if !json.Valid(data) {
		problem("", "%s", syntaxProblem(data))
		return nil
	}
	switch jsonType(data) {
	case '[':
		list, _ := arrayElements(data)
		return list
	case '{':
	default:
		problem("", `want an object {"version": 1, "offers": [...]}, got %s`, describeJSON(data))
		return nil
	}
	fields, _ := objectFields(data)
	var list []json.RawMessage
	hasOffers := false
	for _, f := range fields {
		switch f.key {
		case "version":
			if v := strings.TrimSpace(string(f.value)); v != strconv.Itoa(catalogVersion) {
				problem("version", "%s is not a supported version (want %d)", describeJSON(f.value), catalogVersion)
			}
		case "offers":
			hasOffers = true
			var ok bool
			if list, ok = arrayElements(f.value); !ok {
				problem("offers", "want a list of offers, got %s", describeJSON(f.value))
			}
		default:
			problem("", "unknown field %s%s", strconv.Quote(f.key), suggestion(f.key, catalogFields))
		}
	}
	if !hasOffers {
		problem("offers", "missing")
	}
	return list
}

// syntaxProblem describes why data is not JSON, with line and column.
func syntaxProblem(data []byte) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return `empty (want {"version": 1, "offers": [...]})`
	}
	var v any
	err := json.Unmarshal(data, &v)
	var syntaxErr *json.SyntaxError
	if !errors.As(err, &syntaxErr) {
		return fmt.Sprintf("not valid JSON: %v", err)
	}
	// Offset counts the bytes read, the offending one included.
	at := min(max(int(syntaxErr.Offset)-1, 0), len(data))
	line := 1 + bytes.Count(data[:at], []byte("\n"))
	column := at - bytes.LastIndexByte(data[:at], '\n')
	return fmt.Sprintf("not valid JSON: line %d, column %d: %v", line, column, err)
}

// newCatalog ranks and indexes validated offers.
func newCatalog(name string, offers []*Offer) *Catalog {
	c := &Catalog{
		name:   name,
		offers: offers,
		byID:   make(map[string]*Offer, len(offers)),
		ranked: slices.Clone(offers),
	}
	for _, o := range offers {
		c.byID[o.ID] = o
	}
	slices.SortFunc(c.ranked, compareRank)
	for r, o := range c.ranked {
		o.rank = int32(r)
		o.productHash = productHash(o.Product.ProductID)
	}
	c.index = buildSelectionIndex(c.ranked)
	c.followers = followersOf(offers)
	return c
}

// compareRank orders offers for selection: higher priority first, then by
// id.
func compareRank(a, b *Offer) int {
	if a.Priority != b.Priority {
		if a.Priority > b.Priority {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// Name is the name the catalog was parsed under, usually its file path.
func (c *Catalog) Name() string { return c.name }

// Len is the number of offers in the catalog.
func (c *Catalog) Len() int { return len(c.offers) }

// Offer returns the offer with the given id, or nil when there is none.
func (c *Catalog) Offer(id string) *Offer { return c.byID[id] }

// Offers returns every offer, in the order of the catalog file. The slice
// is the caller's; the offers are shared and must not be modified.
func (c *Catalog) Offers() []*Offer { return slices.Clone(c.offers) }
