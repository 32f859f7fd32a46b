package policy

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew tolerated on exp and nbf.
const DefaultLeeway = 30 * time.Second

// MaxTokenBytes is the longest token Verify will parse; anything longer
// is refused before any decoding.
const MaxTokenBytes = 8 << 10

// VerifierConfig configures a Verifier. Only Keys is required.
type VerifierConfig struct {
	// Keys are the trusted public keys. Required.
	Keys *KeySet
	// Issuer, when not empty, must equal the token's iss claim.
	Issuer string
	// Audience, when not empty, must be one of the token's aud values.
	Audience string
	// Leeway is the tolerated clock skew on exp and nbf. Zero means
	// DefaultLeeway; it may not be negative.
	Leeway time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Validate reports a missing key set or a negative leeway, wrapping
// ErrNoKeys or ErrInvalidOptions.
func (c VerifierConfig) Validate() error {
	if c.Keys.Len() == 0 {
		return fmt.Errorf("verifier: %w", ErrNoKeys)
	}
	if c.Leeway < 0 {
		return fmt.Errorf("%w: negative leeway %s", ErrInvalidOptions, c.Leeway)
	}
	return nil
}

// Verifier checks bearer tokens against a set of trusted keys. It is
// safe for concurrent use.
type Verifier struct {
	keys   *KeySet
	parser *jwt.Parser
	now    func() time.Time
	leeway time.Duration
	cache  tokenCache
}

// NewVerifier returns a Verifier for cfg, or the error of cfg.Validate.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{AlgEdDSA, AlgES256, AlgRS256}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	return &Verifier{keys: cfg.Keys, parser: jwt.NewParser(opts...), now: cfg.Now, leeway: cfg.Leeway}, nil
}

// claims are the token claims the monitor reads.
type claims struct {
	jwt.RegisteredClaims
	Tenant      string   `json:"tenant"`
	Permissions []string `json:"permissions,omitempty"`
	Operator    string   `json:"operator,omitempty"`
	Team        []string `json:"team,omitempty"`
}

// Verify checks token's signature, algorithm and claims and returns the
// caller it names. The key is the one the kid header selects; without a
// kid, every trusted key of the token's algorithm is tried. The token's
// algorithm must be exactly its key's.
//
// Every failure wraps ErrUnauthenticated with a short reason that never
// quotes the token.
func (v *Verifier) Verify(token string) (Caller, error) {
	if token == "" {
		return Caller{}, unauthenticated("missing token")
	}
	if len(token) > MaxTokenBytes {
		return Caller{}, unauthenticated("token too long")
	}

	now := v.now()
	if c, ok := v.cache.get(token, now, v.leeway); ok {
		return c, nil
	}

	var cl claims
	if _, err := v.parser.ParseWithClaims(token, &cl, v.keyFor); err != nil {
		return Caller{}, unauthenticated(reasonFor(err, &cl))
	}

	switch {
	case cl.Subject == "":
		return Caller{}, unauthenticated("token has no sub claim")
	case cl.Tenant == "":
		return Caller{}, unauthenticated("token has no tenant claim")
	}
	c := NewCaller(cl.Subject, cl.Tenant, cl.Permissions, cl.Operator, cl.Team)
	entry := cachedToken{caller: c, expires: cl.ExpiresAt.Time}
	if cl.NotBefore != nil {
		entry.notBefore = cl.NotBefore.Time
	}
	v.cache.put(token, entry, now)
	return c, nil
}

// keyFor is the jwt.Keyfunc: it picks the key, or the keys, that may
// verify t.
func (v *Verifier) keyFor(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()

	if raw, present := t.Header["kid"]; present {
		kid, ok := raw.(string)
		if !ok {
			return nil, errReason("kid header is not a string")
		}
		key, ok := v.keys.Lookup(kid)
		if !ok {
			return nil, errReason("unknown key id")
		}
		if key.Algorithm != alg {
			return nil, errReason("algorithm does not match the key")
		}
		return key.Public, nil
	}

	var set jwt.VerificationKeySet
	for _, key := range v.keys.keys {
		if key.Algorithm == alg {
			set.Keys = append(set.Keys, key.Public)
		}
	}
	if len(set.Keys) == 0 {
		return nil, errReason("no trusted key for the algorithm")
	}
	return set, nil
}

// errReason is a failure found by keyFor, carried through the jwt
// library's error so that Verify can report it.
type errReason string

// Error returns the reason.
func (e errReason) Error() string { return string(e) }

// reasonFor turns a parse error into a short reason without token text;
// cl holds whatever claims were decoded before the failure.
func reasonFor(err error, cl *claims) string {
	var r errReason
	switch {
	case errors.As(err, &r):
		return string(r)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unverifiable token (unsupported algorithm)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if strings.Contains(err.Error(), "signing method") {
			return "algorithm not accepted"
		}
		return "invalid signature"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// Missing exp, or a configured iss or aud that is absent.
		switch {
		case cl.ExpiresAt == nil:
			return "token has no exp claim"
		case cl.Issuer == "":
			return "wrong issuer"
		default:
			return "wrong audience"
		}
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token not yet valid"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "invalid claims"
	default:
		return "invalid token"
	}
}

// unauthenticated returns an error wrapping ErrUnauthenticated.
func unauthenticated(reason string) error {
	return fmt.Errorf("%w: %s", ErrUnauthenticated, reason)
}

// BearerToken returns the token in an Authorization header value of the
// form "Bearer <token>", the scheme matched without regard to case. It
// fails with ErrUnauthenticated when the value is empty, names another
// scheme, or holds no token or more than one word after the scheme.
func BearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", unauthenticated("missing authorization header")
	}

	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", unauthenticated("authorization header is not a bearer token")
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", unauthenticated("malformed bearer token")
	}
	return token, nil
}
