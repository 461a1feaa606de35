package offers

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"time"
)

// The binary payload of a token, version 3. Integers are unsigned varints
// in their shortest form; strings are a varint length and the bytes:
//
//	version        1 byte (3)
//	placement      1 byte (0 cart, 1 thank_you, 2 product, 3 checkout, 4 popup)
//	expires at     varint, Unix seconds
//	quantity       varint
//	unit price     varint, minor units
//	discount       varint, minor units
//	shipping       varint, minor units
//	currency       3 bytes, ISO 4217
//	offer id, variant, subject, product id, product variant id, nonce,
//	binding, locale  8 strings
//
// Version 2 had no shipping and no locale; its tokens still verify (with
// neither), so pages rendered before an upgrade keep working until their
// tokens expire. Version 1 had no binding; its tokens no longer verify.
//
// Decoding accepts exactly what encoding (of version 3, or of version 2
// before it) produces, nothing more, so a payload has one spelling.
const (
	tokenVersion   = 3
	tokenVersion2  = 2
	minPayloadSize = 2 + 4 + 3 + 7 // version 2, every varint and string length one byte
	// maxClaimLength bounds every string claim, in bytes.
	maxClaimLength = 512
	// maxNonceLength bounds the nonce, which is a header and a storage key.
	maxNonceLength = 64
)

// appendPayload appends the payload of checked claims to dst.
func appendPayload(dst []byte, c *Claims) []byte {
	dst = append(dst, tokenVersion, byte(c.Placement.index()))
	dst = binary.AppendUvarint(dst, uint64(c.ExpiresAt.Unix()))
	dst = binary.AppendUvarint(dst, uint64(c.Quantity))
	dst = binary.AppendUvarint(dst, uint64(c.UnitPrice))
	dst = binary.AppendUvarint(dst, uint64(c.Discount))
	dst = binary.AppendUvarint(dst, uint64(c.Shipping))
	dst = append(dst, c.Currency...)
	for _, s := range [...]string{c.OfferID, c.Variant, c.Subject, c.ProductID, c.ProductVariantID, c.Nonce, c.Binding, c.Locale} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// errPayload is the single reason a signed payload fails to decode: only a
// Signer with a leaked secret, or a bug, can produce one.
var errPayload = errors.New("payload does not decode")

// parsePayload decodes a payload whose signature has been checked. The
// string claims share one allocation.
func parsePayload(payload []byte) (Claims, error) {
	p := payloadReader{s: string(payload)}
	var c Claims
	version := p.byte() // one of the two, checked by the caller
	if pl, ok := placementAt(p.byte()); ok {
		c.Placement = pl
	} else {
		p.bad = true
	}
	expires := p.uvarint(math.MaxInt64)
	c.ExpiresAt = time.Unix(int64(expires), 0).UTC()
	c.Quantity = int(p.uvarint(math.MaxInt32))
	c.UnitPrice = int64(p.uvarint(math.MaxInt64))
	c.Discount = int64(p.uvarint(math.MaxInt64))
	if version == tokenVersion {
		c.Shipping = int64(p.uvarint(math.MaxInt64))
	}
	c.Currency = p.fixed(3)
	c.OfferID = p.str()
	c.Variant = p.str()
	c.Subject = p.str()
	c.ProductID = p.str()
	c.ProductVariantID = p.str()
	c.Nonce = p.str()
	c.Binding = p.str()
	if version == tokenVersion {
		c.Locale = p.str()
	}
	if p.bad || len(p.s) != 0 || c.check() != nil {
		return Claims{}, errPayload
	}
	return c, nil
}

// payloadReader consumes a payload from the front, remembering whether
// anything went wrong instead of failing at each step.
type payloadReader struct {
	s   string
	bad bool
}

func (p *payloadReader) byte() byte {
	if len(p.s) < 1 {
		p.bad = true
		return 0
	}
	b := p.s[0]
	p.s = p.s[1:]
	return b
}

// uvarint reads a shortest-form varint no larger than limit.
func (p *payloadReader) uvarint(limit uint64) uint64 {
	var v uint64
	for i := 0; i < binary.MaxVarintLen64 && i < len(p.s); i++ {
		b := p.s[i]
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			// A last byte of 0 (after the first) means a longer spelling
			// than needed; the tenth byte may only carry the top bit.
			if (i > 0 && b == 0) || (i == binary.MaxVarintLen64-1 && b > 1) || v > limit {
				break
			}
			p.s = p.s[i+1:]
			return v
		}
	}
	p.bad = true
	p.s = ""
	return 0
}

// fixed reads n bytes.
func (p *payloadReader) fixed(n int) string {
	if len(p.s) < n {
		p.bad = true
		p.s = ""
		return ""
	}
	s := p.s[:n]
	p.s = p.s[n:]
	return s
}

// str reads a length-prefixed string.
func (p *payloadReader) str() string {
	n := p.uvarint(maxClaimLength)
	return p.fixed(int(n))
}

// check reports the first reason the claims cannot be signed, or nil. The
// same rules hold for every token Verify accepts.
func (c *Claims) check() error {
	switch {
	case c.OfferID == "":
		return errors.New("no offer id")
	case !c.Placement.Valid():
		return errors.New("unknown placement " + quoteShort(string(c.Placement)))
	case c.Subject == "":
		return errors.New("no subject (cart or order id)")
	case c.ProductID == "":
		return errors.New("no product id")
	case c.Quantity < 1 || c.Quantity > math.MaxInt32:
		return errors.New("quantity out of range")
	case c.UnitPrice < 0 || c.Discount < 0 || c.Shipping < 0:
		return errors.New("negative amount")
	case !isCurrencyCode(c.Currency):
		return errors.New("currency " + quoteShort(c.Currency) + " is not an ISO 4217 code")
	case c.ExpiresAt.Unix() <= 0:
		return errors.New("no expiry")
	case !validNonce(c.Nonce):
		return errors.New("nonce must be 1 to 64 letters, digits, '-' or '_'")
	}
	for _, s := range [...]string{c.OfferID, c.Variant, c.Subject, c.ProductID, c.ProductVariantID, c.Binding, c.Locale} {
		if len(s) > maxClaimLength {
			return errors.New("a claim is longer than 512 bytes")
		}
	}
	return nil
}

// isCurrencyCode reports whether code is a known ISO 4217 code.
func isCurrencyCode(code string) bool {
	_, ok := CurrencyDigits(code)
	return ok
}

// urlSafe marks the bytes of the base64url alphabet.
var urlSafe = func() (set [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		set[c] = true
	}
	return set
}()

// validNonce reports whether a nonce is 1 to 64 base64url characters.
func validNonce(nonce string) bool {
	if len(nonce) == 0 || len(nonce) > maxNonceLength {
		return false
	}
	for i := 0; i < len(nonce); i++ {
		if !urlSafe[nonce[i]] {
			return false
		}
	}
	return true
}

// quoteShort quotes a value for an error message, cut to 32 bytes.
func quoteShort(s string) string {
	return strconv.Quote(shorten(s, 32))
}
