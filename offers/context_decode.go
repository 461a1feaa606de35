package offers

import (
	"bytes"
	"encoding/json"
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
	if !json.Valid(data) {
		return false
	}
	d := contextDecoder{data: data}
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
	})
}

// contextDecoder walks a valid JSON document (json.Valid) from i.
type contextDecoder struct {
	data []byte
	i    int
	seen uint64 // known keys met in the object being read (once)
}

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
	d.i = skipSpace(d.data, skipValue(d.data, d.i))
	return true
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
	for d.i < len(d.data) && d.data[d.i] != '}' {
		key, ok := d.rawString()
		if !ok {
			return false
		}
		d.i = skipSpace(d.data, skipSpace(d.data, d.i)+1) // the colon
		if !member(key) {
			return false
		}
		d.i = skipSpace(d.data, d.i)
		if d.i < len(d.data) && d.data[d.i] == ',' {
			d.i = skipSpace(d.data, d.i+1)
		}
	}
	d.i++ // the '}'
	return true
}

// rawString reads a string at d.i without escapes, in valid UTF-8, and
// returns its bytes.
func (d *contextDecoder) rawString() ([]byte, bool) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, false
	}
	end := skipString(d.data, d.i)
	lit := d.data[d.i+1 : end-1]
	if bytes.IndexByte(lit, '\\') >= 0 || !utf8.Valid(lit) {
		return nil, false
	}
	d.i = end
	return lit, true
}

// str reads a string value into dst.
func (d *contextDecoder) str(dst *string) bool {
	lit, ok := d.rawString()
	if ok {
		*dst = string(lit)
	}
	return ok
}

// int64 reads a whole number into dst.
func (d *contextDecoder) int64(dst *int64) bool {
	end := skipValue(d.data, d.i)
	n, err := strconv.ParseInt(string(d.data[d.i:end]), 10, 64)
	if err != nil {
		return false
	}
	*dst = n
	d.i = end
	return true
}

// int reads a whole number that fits an int into dst.
func (d *contextDecoder) int(dst *int) bool {
	end := skipValue(d.data, d.i)
	n, err := strconv.ParseInt(string(d.data[d.i:end]), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	*dst = int(n)
	d.i = end
	return true
}

// array reads an array at d.i, calling elem with d.i at each element.
func (d *contextDecoder) array(elem func() bool) bool {
	if d.i >= len(d.data) || d.data[d.i] != '[' {
		return false
	}
	d.i = skipSpace(d.data, d.i+1)
	for d.i < len(d.data) && d.data[d.i] != ']' {
		if !elem() {
			return false
		}
		d.i = skipSpace(d.data, d.i)
		if d.i < len(d.data) && d.data[d.i] == ',' {
			d.i = skipSpace(d.data, d.i+1)
		}
	}
	d.i++ // the ']'
	return true
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
