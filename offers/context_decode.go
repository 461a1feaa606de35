package offers

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeContext decodes the usual shape of a store context without
// encoding/json's reflection: every page that asks the store for its cart
// decodes one. It takes plain contexts only - known keys spelled exactly,
// strings without escapes, whole numbers, each known key once, no
// placed_at or payment (an order's) - and skips unknown members. On anything else it reports false
// and leaves c to encoding/json, which gives the same result where both
// apply (FuzzContextDecode) and the error messages where the input is
// wrong.
func decodeContext(data []byte, c *Context) bool {
	d := contextDecoder{data: data}
	if len(data) <= maxSharedText {
		// One copy of the document, whose strings are slices of it: a
		// context's strings then cost one allocation, not one each.
		d.text = string(data)
	}
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.once(0) && d.str(&c.ID)
		case "currency":
			return d.once(1) && d.str(&c.Currency)
		case "subtotal":
			return d.once(2) && d.int64(&c.Subtotal)
		case "status":
			return d.once(3) && d.str(&c.Status)
		case "items":
			return d.once(4) && d.items(&c.Items)
		case "customer":
			return d.once(5) && d.customer(&c.Customer)
		case "locale":
			return d.once(6) && d.str(&c.Locale)
		}
		return d.other(key, "placed_at", "payment", "id", "currency", "subtotal", "status", "items", "customer", "locale")
	}) && skipSpace(data, d.i) == len(data)
}

// contextDecoder reads a JSON document from i, checking it as it goes:
// whatever it takes is valid JSON (what json.Valid accepts), and it
// reports false at the first byte that is not.
type contextDecoder struct {
	data []byte
	i    int
	seen uint64 // known keys met in the object being read (once)
	// text is data as a string, the strings read being slices of it, for
	// a document of at most maxSharedText bytes ("" for a larger one: its
	// strings are copied one by one).
	text string
}

// maxSharedText bounds the documents whose strings share one copy: a
// context kept in the context cache keeps that copy alive, unknown members
// and all, so a large one keeps only its own strings. Whatever keeps one
// of a context's strings for long apart from the context (a map of IDs)
// should strings.Clone it.
const maxSharedText = 2 << 10

// once reports whether the known key numbered bit was not met before in
// the current object (encoding/json merges repeated keys; the fast path
// leaves those to it).
func (d *contextDecoder) once(bit uint) bool {
	if d.seen&(1<<bit) != 0 {
		return false
	}
	d.seen |= 1 << bit
	return true
}

// other skips the value of an unknown key, unless it names a known one in
// another letter case (encoding/json matches keys case-insensitively).
func (d *contextDecoder) other(key []byte, known ...string) bool {
	for _, k := range known {
		if bytes.EqualFold(key, []byte(k)) {
			return false
		}
	}
	end, ok := validEnd(d.data, d.i, 0)
	d.i = end
	return ok
}

// object reads an object at d.i, calling member with each key with d.i at
// its value; member reads the value and reports whether it could.
func (d *contextDecoder) object(member func(key []byte) bool) bool {
	d.i = skipSpace(d.data, d.i)
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		return false
	}
	outer := d.seen
	d.seen = 0
	defer func() { d.seen = outer }()
	d.i = skipSpace(d.data, d.i+1)
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.rawString()
		if !ok {
			return false
		}
		if d.i = skipSpace(d.data, d.i); d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i = skipSpace(d.data, d.i+1)
		if !member(key) {
			return false
		}
		if closed, ok := d.next('}'); closed || !ok {
			return ok
		}
	}
}

// next passes the space after a member or element and the ',' (and the
// space after it) or the closer that must follow: closed reports the
// closer, ok that one of the two was there.
func (d *contextDecoder) next(closer byte) (closed, ok bool) {
	if d.i = skipSpace(d.data, d.i); d.i >= len(d.data) {
		return false, false
	}
	switch d.data[d.i] {
	case ',':
		d.i = skipSpace(d.data, d.i+1)
		return false, true
	case closer:
		d.i++
		return true, true
	}
	return false, false
}

// rawString reads a string at d.i without escapes or control bytes, in
// valid UTF-8, and returns its bytes.
func (d *contextDecoder) rawString() ([]byte, bool) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, false
	}
	for end := d.i + 1; end < len(d.data); end++ {
		switch c := d.data[end]; {
		case c == '"':
			lit := d.data[d.i+1 : end]
			if !utf8.Valid(lit) {
				return nil, false
			}
			d.i = end + 1
			return lit, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string value into dst.
func (d *contextDecoder) str(dst *string) bool {
	start := d.i + 1
	lit, ok := d.rawString()
	switch {
	case !ok:
	case d.text != "":
		*dst = d.text[start : start+len(lit)]
	default:
		*dst = string(lit)
	}
	return ok
}

// int64 reads a whole number into dst.
func (d *contextDecoder) int64(dst *int64) bool {
	n, ok := d.integer(64)
	*dst = n
	return ok
}

// int reads a whole number that fits an int into dst.
func (d *contextDecoder) int(dst *int) bool {
	n, ok := d.integer(strconv.IntSize)
	*dst = int(n)
	return ok
}

// integer reads a JSON number without fraction or exponent that fits in
// bits, leaving others (1.5, 1e3, too large) to encoding/json.
func (d *contextDecoder) integer(bits int) (int64, bool) {
	end, ok := integerEnd(d.data, d.i)
	if !ok || end < len(d.data) && (d.data[end] == '.' || d.data[end]|0x20 == 'e') {
		return 0, false
	}
	n, err := strconv.ParseInt(string(d.data[d.i:end]), 10, bits)
	if err != nil {
		return 0, false
	}
	d.i = end
	return n, true
}

// array reads an array at d.i, calling elem with d.i at each element.
func (d *contextDecoder) array(elem func() bool) bool {
	if d.i >= len(d.data) || d.data[d.i] != '[' {
		return false
	}
	d.i = skipSpace(d.data, d.i+1)
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		if closed, ok := d.next(']'); closed || !ok {
			return ok
		}
	}
}

// strings reads an array of strings into dst (never nil, as with
// encoding/json for "[]").
func (d *contextDecoder) strings(dst *[]string) bool {
	list := []string{}
	ok := d.array(func() bool {
		var s string
		if !d.str(&s) {
			return false
		}
		list = append(list, s)
		return true
	})
	*dst = list
	return ok
}

// items reads the items array.
func (d *contextDecoder) items(dst *[]Item) bool {
	list := []Item{}
	ok := d.array(func() bool {
		var it Item
		if !d.object(func(key []byte) bool {
			switch string(key) {
			case "product_id":
				return d.once(0) && d.str(&it.ProductID)
			case "variant_id":
				return d.once(1) && d.str(&it.VariantID)
			case "quantity":
				return d.once(2) && d.int(&it.Quantity)
			case "unit_price":
				return d.once(3) && d.int64(&it.UnitPrice)
			case "tags":
				return d.once(4) && d.strings(&it.Tags)
			}
			return d.other(key, "product_id", "variant_id", "quantity", "unit_price", "tags")
		}) {
			return false
		}
		list = append(list, it)
		return true
	})
	*dst = list
	return ok
}

// customer reads the customer object, or null (a guest).
func (d *contextDecoder) customer(dst **Customer) bool {
	if strings.HasPrefix(string(d.data[d.i:min(d.i+4, len(d.data))]), "null") {
		d.i += 4
		return true
	}
	var cu Customer
	if !d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.once(0) && d.str(&cu.ID)
		case "tags":
			return d.once(1) && d.strings(&cu.Tags)
		case "orders_count":
			return d.once(2) && d.int(&cu.OrdersCount)
		}
		return d.other(key, "id", "tags", "orders_count")
	}) {
		return false
	}
	*dst = &cu
	return true
}
