package offers

import (
	"strconv"
	"strings"
)

// maxReportedProblems caps how many problems CatalogError.Error spells out;
// a catalog that is wrong everywhere would otherwise bury the first lines.
const maxReportedProblems = 50

// Problem is one thing wrong with a catalog.
type Problem struct {
	// Offer is the id of the offer concerned, "" when it has none or the
	// problem is about the file as a whole.
	Offer string
	// Index is the offer's position in the catalog's list of offers, from
	// 0; -1 for a problem about the file as a whole.
	Index int
	// Field is the JSON path of the field concerned within the offer (or the
	// file), such as "discount.percent" or "variants[1].weight"; "" for the
	// offer itself.
	Field string
	// Message says what is wrong, such as "120 is over 100".
	Message string
}

// String renders the problem as the operator reads it:
// `offer "thermos-10": discount.percent: 120 is over 100`, or
// `offers[3]: id: missing` for an offer without an id.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Offer != "":
		b.WriteString("offer ")
		b.WriteString(strconv.Quote(p.Offer))
		b.WriteString(": ")
	case p.Index >= 0:
		b.WriteString("offers[")
		b.WriteString(strconv.Itoa(p.Index))
		b.WriteString("]: ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// CatalogError lists everything wrong with a catalog, so that an operator
// can fix a file in one pass. ParseCatalog and LoadCatalog return it (as
// *CatalogError) whenever the content of a catalog is at fault.
type CatalogError struct {
	// Name is the name of the catalog, usually its file path.
	Name string
	// Problems is every problem found, in the order of the file.
	Problems []Problem
}

// Error renders one problem per line, each starting with the catalog's
// name: `offers.json: offer "thermos-10": discount.percent: 120 is over 100`.
// Past 50 problems it ends with a line saying how many more there are.
func (e *CatalogError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i == maxReportedProblems {
			b.WriteString("\n")
			b.WriteString(e.Name)
			b.WriteString(": … and ")
			b.WriteString(strconv.Itoa(len(e.Problems) - i))
			b.WriteString(" more problems")
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Name)
		b.WriteString(": ")
		b.WriteString(p.String())
	}
	return b.String()
}
