package offers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"
)

// The ways a token can fail verification. Every error from Verify and
// VerifyFor wraps exactly one of them; test with errors.Is.
var (
	// ErrMalformed: the token is not something Sign produces (bad
	// encoding, truncated, unknown version, over-long).
	ErrMalformed = errors.New("offers: malformed token")
	// ErrBadSignature: the token is well formed but no configured secret
	// signed it; it was altered or forged.
	ErrBadSignature = errors.New("offers: bad token signature")
	// ErrExpired: the token is authentic but its offer is no longer open.
	ErrExpired = errors.New("offers: token expired")
	// ErrWrongSubject: the token is authentic but was issued for another
	// cart or order.
	ErrWrongSubject = errors.New("offers: token issued for another cart or order")
)

// MinSecretLength is the shortest secret NewSigner accepts, in bytes: the
// output size of SHA-256, below which HMAC-SHA256 is weaker than it could be.
const MinSecretLength = 32

// maxTokenLength bounds the tokens Verify looks at, in characters; a token
// at the limits of every claim stays below it.
const maxTokenLength = 8192

// macSize is the length of the HMAC-SHA256 tag at the end of a token.
const macSize = sha256.Size

// nonceBytes is how many random bytes a generated nonce holds (96 bits,
// 16 characters once encoded).
const nonceBytes = 12

// tokenEncoding is unpadded base64url that refuses any other spelling of
// the same bytes, so a token has exactly one valid text.
var tokenEncoding = base64.RawURLEncoding.Strict()

// base64URLAlphabet marks the bytes a token may contain.
var base64URLAlphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// Claims are what a token vouches for: which offer was shown to which cart
// or order, at what price, until when. The server acts on an accepted offer
// from these claims and its catalog, never from prices or products sent by
// the browser.
type Claims struct {
	OfferID, Variant string
	Placement        Placement
	// Subject is the order id (thank_you) or cart id (cart) the offer was
	// shown for; VerifyFor refuses the token anywhere else.
	Subject                     string
	ProductID, ProductVariantID string
	Quantity                    int
	UnitPrice                   int64 // final unit price, minor units
	Discount                    int64 // taken off each unit, minor units
	// Shipping is charged once with the accept, on top of the items, in
	// minor units (post-purchase offers that set one; else 0).
	Shipping int64
	Currency string
	// ExpiresAt ends the token's validity; tokens keep it to the second.
	ExpiresAt time.Time
	// Nonce makes every token unique. It is URL-safe (letters, digits,
	// '-', '_'); Sign fills it with 96 random bits when empty. It is not an
	// idempotency key: two renders of one page sign two nonces for the same
	// offer, and exactly once is per (cart or order, offer).
	Nonce string
	// Binding ties the token to the customer it was shown to, beyond the
	// subject: the server compares it with what the requester presents at
	// accept (for cart offers, a hash of the browser's first-party cookie).
	// Optional; it is signed like every other claim.
	Binding string
	// Locale is the BCP 47 tag the offer's prices were written for, so
	// the answer to its accept writes amounts the same way; "" for the
	// plain way (Money.Format).
	Locale string
}

// Signer signs and verifies offer tokens with HMAC-SHA256. Several secrets
// allow rotation: the first signs, every one verifies. A Signer is safe for
// concurrent use.
//
// A token is the unpadded base64url encoding of a compact binary payload
// followed by its 32-byte HMAC: about 150 URL-safe characters, without '=',
// '+' or '/', fit for HTML attributes, form fields and URLs as they are.
type Signer struct {
	keys []*signingKey
	now  func() time.Time
}

// signingKey is one secret with a pool of HMAC states keyed with it.
// Resetting a used state restores its precomputed key schedule, so a MAC
// costs the payload's blocks and not the key's.
type signingKey struct {
	macs sync.Pool
}

// sum appends the HMAC-SHA256 of payload to dst.
func (k *signingKey) sum(dst, payload []byte) []byte {
	mac := k.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(payload)
	dst = mac.Sum(dst)
	k.macs.Put(mac)
	return dst
}

// bufferPool recycles the byte buffers of Sign and Verify.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// NewSigner builds a Signer from one or more secrets: the first signs, all
// verify, so a new secret can be put first while tokens signed with the old
// one (listed after it) keep working until they expire. Every secret must
// hold at least MinSecretLength bytes; use random bytes, not a password.
// now is the clock that decides expiry; nil means time.Now.
func NewSigner(secrets [][]byte, now func() time.Time) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("offers: no token secret given")
	}
	s := &Signer{now: now}
	if s.now == nil {
		s.now = time.Now
	}
	for i, secret := range secrets {
		if len(secret) < MinSecretLength {
			return nil, fmt.Errorf("offers: token secret %d is %d bytes, want at least %d", i+1, len(secret), MinSecretLength)
		}
		key := append([]byte(nil), secret...)
		s.keys = append(s.keys, &signingKey{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}})
	}
	return s, nil
}

// Sign returns the token for the claims, signed with the first secret.
// When c.Nonce is empty it is filled with a fresh random one. The claims
// must be complete: an offer id, a known placement, a subject, a product
// id, a quantity of at least 1, amounts not below zero, an ISO 4217
// currency and an expiry.
func (s *Signer) Sign(c Claims) (string, error) {
	if c.Nonce == "" {
		c.Nonce = newNonce()
	}
	if err := c.check(); err != nil {
		return "", fmt.Errorf("offers: signing token: %w", err)
	}
	bp := bufferPool.Get().(*[]byte)
	raw := appendPayload((*bp)[:0], &c)
	raw = s.keys[0].sum(raw, raw)
	buf := tokenEncoding.AppendEncode(raw, raw) // the text goes after the bytes
	token := string(buf[len(raw):])
	*bp = buf[:0]
	bufferPool.Put(bp)
	return token, nil
}

// Verify checks a token and returns its claims. Errors wrap exactly one of
// ErrMalformed, ErrBadSignature and ErrExpired. With ErrExpired the claims
// are returned as well (they are authentic), so the caller can say which
// offer expired.
func (s *Signer) Verify(token string) (Claims, error) {
	c, err := s.authentic(token)
	if err != nil {
		return Claims{}, err
	}
	return c, s.checkExpiry(c)
}

// VerifyFor is Verify for a token that must belong to a given cart or order
// (subject): a token issued for another one fails with ErrWrongSubject. That
// check comes before expiry, since a token presented in the wrong place is
// the stronger signal. With ErrWrongSubject or ErrExpired the authentic
// claims are returned as well.
func (s *Signer) VerifyFor(token, subject string) (Claims, error) {
	c, err := s.authentic(token)
	if err != nil {
		return Claims{}, err
	}
	if c.Subject != subject {
		return c, fmt.Errorf("%w: issued for %q", ErrWrongSubject, shorten(c.Subject, 64))
	}
	return c, s.checkExpiry(c)
}

// checkExpiry fails with ErrExpired once now has reached ExpiresAt.
func (s *Signer) checkExpiry(c Claims) error {
	if now := s.now(); !now.Before(c.ExpiresAt) {
		return fmt.Errorf("%w: at %s", ErrExpired, c.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// authentic decodes a token and checks its signature against every secret,
// in constant time per secret. It does not look at the expiry.
func (s *Signer) authentic(token string) (Claims, error) {
	if len(token) > maxTokenLength {
		return Claims{}, fmt.Errorf("%w: longer than %d characters", ErrMalformed, maxTokenLength)
	}
	// encoding/base64 skips '\r' and '\n' even in strict mode; a token
	// must have exactly one spelling, so only the alphabet is allowed.
	for i := 0; i < len(token); i++ {
		if !base64URLAlphabet[token[i]] {
			return Claims{}, fmt.Errorf("%w: character %q at %d is not base64url", ErrMalformed, token[i], i)
		}
	}
	bp := bufferPool.Get().(*[]byte)
	defer bufferPool.Put(bp)
	need := len(token) + tokenEncoding.DecodedLen(len(token)) + macSize
	if cap(*bp) < need {
		*bp = make([]byte, 0, need)
	}
	text := append((*bp)[:0], token...)
	raw, err := tokenEncoding.AppendDecode(text[len(text):], text)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: not base64url", ErrMalformed)
	}
	if len(raw) < minPayloadSize+macSize {
		return Claims{}, fmt.Errorf("%w: too short", ErrMalformed)
	}
	payload, tag := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if payload[0] != tokenVersion && payload[0] != tokenVersion2 {
		return Claims{}, fmt.Errorf("%w: unknown version %d", ErrMalformed, payload[0])
	}
	// The payload is decoded before the signature is checked, so that a
	// token cut short or otherwise broken is told apart from a forged one;
	// the decoder is bounded and trusts nothing it reads.
	c, err := parsePayload(payload)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	signed := false
	for _, k := range s.keys {
		expected := k.sum(raw[len(raw):], payload)
		if hmac.Equal(expected, tag) {
			signed = true
			break
		}
	}
	if !signed {
		return Claims{}, ErrBadSignature
	}
	return c, nil
}

// newNonce returns 96 random bits, base64url encoded.
func newNonce() string {
	var b [nonceBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
