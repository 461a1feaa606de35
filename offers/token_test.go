package offers

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	secretA = bytes.Repeat([]byte("a"), 32)
	secretB = []byte("another secret, long enough: 32+ bytes")
)

// clock is a settable time source for a Signer.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestSigner(t testing.TB, c *clock, secrets ...[]byte) *Signer {
	t.Helper()
	s, err := NewSigner(secrets, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testClaims() Claims {
	return Claims{
		OfferID: "thermos-10", Variant: "b", Placement: PlacementThankYou,
		Subject: "1001", ProductID: "thermos", ProductVariantID: "thermos-steel-500ml",
		Quantity: 1, UnitPrice: 1999, Discount: 500, Currency: "USD",
		ExpiresAt: june.Add(15 * time.Minute),
	}
}

// sentinels are the errors every verification failure wraps one of.
var sentinels = []error{ErrMalformed, ErrBadSignature, ErrExpired, ErrWrongSubject}

// wrapped returns the one sentinel err wraps, failing when it wraps none or
// several.
func wrapped(t testing.TB, err error) error {
	t.Helper()
	var found []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("error %v wraps %d sentinels, want exactly 1", err, len(found))
	}
	return found[0]
}

func TestSignVerify(t *testing.T) {
	clk := &clock{june}
	s := newTestSigner(t, clk, secretA)
	in := testClaims()
	token, err := s.Sign(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(token, "=+/ .") || len(token) > 200 {
		t.Errorf("token %q (%d characters) is not compact and URL-safe", token, len(token))
	}
	got, err := s.VerifyFor(token, "1001")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Nonce) != 16 || !validNonce(got.Nonce) {
		t.Errorf("nonce %q", got.Nonce)
	}
	in.Nonce = got.Nonce
	if got != in {
		t.Errorf("got  %+v\nwant %+v", got, in)
	}
	if got.ExpiresAt.Location() != time.UTC {
		t.Errorf("expiry in %v, want UTC", got.ExpiresAt.Location())
	}

	// A nonce given by the caller is kept, and with it the token is the
	// same every time.
	in.Nonce = "order-1001-thermos"
	again, _ := s.Sign(in)
	if again2, _ := s.Sign(in); again != again2 {
		t.Error("signing the same claims twice gave two tokens")
	}
	if got, err := s.Verify(again); err != nil || got.Nonce != "order-1001-thermos" {
		t.Errorf("nonce %q, %v", got.Nonce, err)
	}

	// A binding is signed and comes back as it was.
	in.Binding = "cart-browser-hash"
	bound, _ := s.Sign(in)
	if got, err := s.Verify(bound); err != nil || got != in {
		t.Errorf("bound token: got %+v, %v", got, err)
	}
}

func TestSignKeepsSecondsOfExpiry(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	c := testClaims()
	c.ExpiresAt = time.Date(2025, 6, 1, 13, 15, 0, 999_999_999, time.FixedZone("CET", 3600))
	token, _ := s.Sign(c)
	got, err := s.Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ExpiresAt.Equal(c.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("expiry %v, want %v", got.ExpiresAt, c.ExpiresAt.Truncate(time.Second))
	}
}

func TestNoncesAreUnique(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	seen := map[string]bool{}
	for range 2000 {
		token, err := s.Sign(testClaims())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := s.Verify(token)
		if seen[c.Nonce] {
			t.Fatalf("nonce %q issued twice", c.Nonce)
		}
		seen[c.Nonce] = true
	}
}

func TestVerifyFailures(t *testing.T) {
	clk := &clock{june}
	s := newTestSigner(t, clk, secretA)
	other := newTestSigner(t, clk, secretB)
	token, _ := s.Sign(testClaims())
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	reencode := func(change func(b []byte) []byte) string {
		b := change(bytes.Clone(raw))
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signedByOther, _ := other.Sign(testClaims())
	// The payload of a valid token with another token's signature.
	spliced := token[:len(token)-43] + signedByOther[len(signedByOther)-43:]

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", ErrMalformed},
		{"not base64", "!!!!", ErrMalformed},
		{"padded", token + "=", ErrMalformed},
		{"standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(token) + "+", ErrMalformed},
		{"space inside", token[:10] + " " + token[10:], ErrMalformed},
		{"carriage return inside", token[:10] + "\r" + token[10:], ErrMalformed},
		{"newline inside", token[:10] + "\n" + token[10:], ErrMalformed},
		{"newline at the end", token + "\n", ErrMalformed},
		{"truncated to the signature", base64.RawURLEncoding.EncodeToString(raw[len(raw)-macSize:]), ErrMalformed},
		{"huge", strings.Repeat("A", maxTokenLength+1), ErrMalformed},
		{"unknown version", reencode(func(b []byte) []byte { b[0] = 1; return b }), ErrMalformed},
		{"payload byte changed", reencode(func(b []byte) []byte { b[len(b)-macSize-30] ^= 1; return b }), ErrBadSignature},
		{"quantity changed", reencode(func(b []byte) []byte { b[7] ^= 3; return b }), ErrBadSignature},
		{"price changed", reencode(func(b []byte) []byte { b[8] ^= 0x10; return b }), ErrBadSignature},
		{"placement changed", reencode(func(b []byte) []byte { b[1] = 0; return b }), ErrBadSignature},
		{"signature changed", reencode(func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }), ErrBadSignature},
		{"signature cut", reencode(func(b []byte) []byte { return b[:len(b)-1] }), ErrMalformed},
		{"byte appended", reencode(func(b []byte) []byte { return append(b, 0) }), ErrMalformed},
		{"another secret", signedByOther, ErrBadSignature},
		{"spliced signature", spliced, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Verify(tt.token)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if got := wrapped(t, err); got != tt.want {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if c != (Claims{}) {
				t.Errorf("claims returned with %v: %+v", err, c)
			}
		})
	}
}

func TestVerifyExpiry(t *testing.T) {
	clk := &clock{june}
	s := newTestSigner(t, clk, secretA)
	token, _ := s.Sign(testClaims())
	expires := testClaims().ExpiresAt
	for _, tt := range []struct {
		now  time.Time
		want error
	}{
		{june, nil},
		{expires.Add(-time.Second), nil},
		{expires, ErrExpired},
		{expires.Add(time.Hour), ErrExpired},
	} {
		clk.t = tt.now
		c, err := s.Verify(token)
		if tt.want == nil {
			if err != nil {
				t.Errorf("at %v: %v", tt.now, err)
			}
			continue
		}
		if got := wrapped(t, err); got != tt.want {
			t.Errorf("at %v: error %v, want %v", tt.now, err, tt.want)
		}
		if c.OfferID != "thermos-10" {
			t.Errorf("at %v: an expired token's claims are not returned", tt.now)
		}
	}
}

func TestVerifyFor(t *testing.T) {
	clk := &clock{june}
	s := newTestSigner(t, clk, secretA)
	token, _ := s.Sign(testClaims())
	if _, err := s.VerifyFor(token, "1001"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, subject string
		now           time.Time
		want          error
	}{
		{"another order", "1002", june, ErrWrongSubject},
		{"prefix of the order", "100", june, ErrWrongSubject},
		{"another order, expired", "1002", june.Add(time.Hour), ErrWrongSubject},
		{"right order, expired", "1001", june.Add(time.Hour), ErrExpired},
	} {
		clk.t = tt.now
		c, err := s.VerifyFor(token, tt.subject)
		if got := wrapped(t, err); got != tt.want {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
		if c.Subject != "1001" {
			t.Errorf("%s: authentic claims not returned", tt.name)
		}
	}
	clk.t = june
	if _, err := s.VerifyFor("garbage", "1001"); wrapped(t, err) != ErrMalformed {
		t.Errorf("garbage: %v", err)
	}
}

func TestSecretRotation(t *testing.T) {
	clk := &clock{june}
	old := newTestSigner(t, clk, secretA)
	rotated := newTestSigner(t, clk, secretB, secretA)
	oldToken, _ := old.Sign(testClaims())
	if _, err := rotated.Verify(oldToken); err != nil {
		t.Errorf("a token signed with the old secret fails after rotation: %v", err)
	}
	newToken, _ := rotated.Sign(testClaims())
	if _, err := newTestSigner(t, clk, secretB).Verify(newToken); err != nil {
		t.Errorf("the first secret does not sign: %v", err)
	}
	if _, err := old.Verify(newToken); wrapped(t, err) != ErrBadSignature {
		t.Errorf("the old signer accepts a token of the new secret: %v", err)
	}
}

func TestNewSigner(t *testing.T) {
	for _, tt := range []struct {
		name    string
		secrets [][]byte
		want    string
	}{
		{"none", nil, "offers: no token secret given"},
		{"short", [][]byte{make([]byte, 31)}, "offers: token secret 1 is 31 bytes, want at least 32"},
		{"second short", [][]byte{secretA, []byte("password")}, "offers: token secret 2 is 8 bytes, want at least 32"},
	} {
		if _, err := NewSigner(tt.secrets, nil); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	// The secret is copied: changing the caller's slice changes nothing.
	secret := bytes.Clone(secretA)
	s, err := NewSigner([][]byte{secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := testClaims()
	c.ExpiresAt = time.Now().Add(time.Hour)
	token, _ := s.Sign(c)
	secret[0] ^= 1
	if _, err := s.Verify(token); err != nil {
		t.Errorf("changing the caller's secret broke the signer (nil clock means time.Now): %v", err)
	}
}

func TestSignRefusesIncompleteClaims(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	for _, tt := range []struct {
		name   string
		change func(c *Claims)
	}{
		{"no offer", func(c *Claims) { c.OfferID = "" }},
		{"unknown placement", func(c *Claims) { c.Placement = "basket" }},
		{"no subject", func(c *Claims) { c.Subject = "" }},
		{"no product", func(c *Claims) { c.ProductID = "" }},
		{"no quantity", func(c *Claims) { c.Quantity = 0 }},
		{"negative price", func(c *Claims) { c.UnitPrice = -1 }},
		{"negative discount", func(c *Claims) { c.Discount = -1 }},
		{"no currency", func(c *Claims) { c.Currency = "" }},
		{"lower-case currency", func(c *Claims) { c.Currency = "usd" }},
		{"no expiry", func(c *Claims) { c.ExpiresAt = time.Time{} }},
		{"nonce with a slash", func(c *Claims) { c.Nonce = "a/b" }},
		{"nonce too long", func(c *Claims) { c.Nonce = strings.Repeat("n", 65) }},
		{"subject too long", func(c *Claims) { c.Subject = strings.Repeat("s", 513) }},
	} {
		c := testClaims()
		tt.change(&c)
		if token, err := s.Sign(c); err == nil || !strings.HasPrefix(err.Error(), "offers: signing token: ") {
			t.Errorf("%s: token %q, error %v", tt.name, token, err)
		}
	}
	// The extremes that are allowed round-trip.
	c := testClaims()
	c.Variant, c.ProductVariantID = "", ""
	c.UnitPrice, c.Discount = 0, 1<<62
	c.Subject = strings.Repeat("s", maxClaimLength)
	c.Nonce = strings.Repeat("N", maxNonceLength)
	token, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Verify(token); err != nil || got != c {
		t.Errorf("extreme claims: %v\n got  %+v\nwant %+v", err, got, c)
	}
}

func TestPayloadReaderRefusesLongVarints(t *testing.T) {
	for _, tt := range []struct {
		in    string
		want  uint64
		valid bool
	}{
		{"\x00", 0, true},
		{"\x7f", 127, true},
		{"\x80\x01", 128, true},
		{"\x80\x00", 0, false},     // 0 in two bytes
		{"\xff\x80\x00", 0, false}, // 127 in three bytes
		{"\x80", 0, false},         // cut short
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 1<<64 - 1, true},
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 0, false}, // over 64 bits
	} {
		p := payloadReader{s: tt.in}
		got := p.uvarint(1<<64 - 1)
		if p.bad == tt.valid || (tt.valid && (got != tt.want || p.s != "")) {
			t.Errorf("uvarint(%q) = %d, bad %v", tt.in, got, p.bad)
		}
	}
}

// TestTokenCarriesEveryPlacement: each placement survives signing and
// verifying, so a pre-purchase token is never read back as another one.
func TestTokenCarriesEveryPlacement(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	for _, pl := range Placements() {
		c := testClaims()
		c.Placement = pl
		token, err := s.Sign(c)
		if err != nil {
			t.Fatalf("%s: %v", pl, err)
		}
		got, err := s.Verify(token)
		if err != nil || got.Placement != pl {
			t.Errorf("%s: verified as %q (%v)", pl, got.Placement, err)
		}
	}
}

func TestTokenCarriesShippingAndLocale(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	in := testClaims()
	in.Shipping, in.Locale, in.Nonce = 499, "de-DE", "n1"
	token, err := s.Sign(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Verify(token); err != nil || got != in {
		t.Fatalf("got %+v, %v; want %+v", got, err, in)
	}
	in.Shipping = -1
	if _, err := s.Sign(in); err == nil {
		t.Error("signed a negative shipping")
	}
}

// TestVersion2TokensStillVerify holds a token signed before shipping and
// locale joined the payload (version 2) to its claims, with neither.
func TestVersion2TokensStillVerify(t *testing.T) {
	s := newTestSigner(t, &clock{june}, secretA)
	in := testClaims()
	in.Nonce = "n1"
	v3 := appendPayload(nil, &in)
	// Version 2 is version 3 without the shipping varint (after the
	// discount's) and the trailing locale string (an empty one: one byte).
	var v2 []byte
	v2 = append(v2, tokenVersion2, v3[1])
	at := 2
	for range 4 { // expiry, quantity, unit price, discount
		_, n := binary.Uvarint(v3[at:])
		v2 = append(v2, v3[at:at+n]...)
		at += n
	}
	_, n := binary.Uvarint(v3[at:]) // shipping
	v2 = append(v2, v3[at+n:len(v3)-1]...)
	token := base64.RawURLEncoding.EncodeToString(s.keys[0].sum(v2, v2))
	got, err := s.Verify(token)
	if err != nil || got != in {
		t.Fatalf("got %+v, %v; want %+v", got, err, in)
	}
}
