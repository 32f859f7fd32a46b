package policy

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DevKeyFile is the name of the dev key file in the data directory.
const DevKeyFile = "dev-auth-key.pem"

// DefaultMintTTL is the lifetime of a minted token when MintOptions.TTL
// is zero.
const DefaultMintTTL = time.Hour

// LoadOrCreateDevKey returns the Ed25519 dev key kept in
// <dataDir>/dev-auth-key.pem, creating it (and dataDir, mode 0700) when
// it does not exist; created says which happened. The file holds the
// private key as a PKCS #8 "PRIVATE KEY" PEM block with mode 0600.
//
// Creation is atomic: the key is written to a temporary file and linked
// into place, so two processes starting together end up with the same
// key and nobody reads a half-written file. It fails with
// ErrInvalidKeyFile when the existing file is not an Ed25519 PKCS #8 key
// or is readable or writable by group or others.
func LoadOrCreateDevKey(dataDir string) (ed25519.PrivateKey, bool, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, false, fmt.Errorf("dev key: %w", err)
	}
	path := filepath.Join(dataDir, DevKeyFile)

	priv, err := readDevKey(path)
	if err == nil {
		return priv, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}

	priv, err = createDevKey(dataDir, path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first: use theirs.
		priv, err = readDevKey(path)
		return priv, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return priv, true, nil
}

// readDevKey reads and checks the dev key file at path.
func readDevKey(path string) (ed25519.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("dev key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %#o, want 0600",
			ErrInvalidKeyFile, path, perm)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dev key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: %s holds no PRIVATE KEY block",
			ErrInvalidKeyFile, path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidKeyFile, path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s holds a %T, want Ed25519",
			ErrInvalidKeyFile, path, key)
	}
	return priv, nil
}

// createDevKey generates a key and links it into place at path; it
// fails with an error wrapping fs.ErrExist when path already exists.
func createDevKey(dir, path string) (priv ed25519.PrivateKey, err error) {
	_, priv, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("dev key: generate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("dev key: encode: %w", err)
	}

	// CreateTemp opens the file with mode 0600.
	tmp, err := os.CreateTemp(dir, ".dev-auth-key-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("dev key: %w", err)
	}
	defer func() {
		err = errors.Join(err, os.Remove(tmp.Name()))
	}()

	werr := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("dev key: write: %w", werr)
	}

	if err := os.Link(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("dev key: %w", err)
	}
	return priv, nil
}

// MintOptions are the claims and lifetime of a token made by Mint.
type MintOptions struct {
	// Tenant is the tenant claim. Required.
	Tenant string
	// User is the sub claim. Required.
	User string
	// Perms is the permissions claim; omitted when empty.
	Perms []string
	// Operator is the operator claim; omitted when empty.
	Operator string
	// Team is the team claim; omitted when empty.
	Team []string
	// TTL is the token's lifetime. Zero means DefaultMintTTL; it may not
	// be negative.
	TTL time.Duration
	// Now is the clock for iat, nbf and exp. Nil means time.Now.
	Now func() time.Time
	// Kid is the kid header. Empty means the key's default id (KeyID),
	// which is the id DevKeySet trusts it under.
	Kid string
	// Issuer is the iss claim; omitted when empty.
	Issuer string
	// Audience is the aud claim; omitted when empty.
	Audience string
}

// Mint returns an EdDSA token signed with priv carrying the claims of o.
// It fails with ErrInvalidOptions when Tenant or User is empty or TTL is
// negative, and with ErrUnsupportedKey when priv is not a whole Ed25519
// key.
func Mint(priv ed25519.PrivateKey, o MintOptions) (string, error) {
	switch {
	case o.Tenant == "":
		return "", fmt.Errorf("%w: tenant is required", ErrInvalidOptions)
	case o.User == "":
		return "", fmt.Errorf("%w: user is required", ErrInvalidOptions)
	case o.TTL < 0:
		return "", fmt.Errorf("%w: negative ttl %s", ErrInvalidOptions, o.TTL)
	case len(priv) != ed25519.PrivateKeySize:
		return "", fmt.Errorf("%w: ed25519 private key of %d bytes",
			ErrUnsupportedKey, len(priv))
	}
	if o.TTL == 0 {
		o.TTL = DefaultMintTTL
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if o.Kid == "" {
		kid, err := KeyID(priv.Public())
		if err != nil {
			return "", err
		}
		o.Kid = kid
	}

	t := now().Truncate(time.Second)
	cl := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   o.User,
			Issuer:    o.Issuer,
			IssuedAt:  jwt.NewNumericDate(t),
			NotBefore: jwt.NewNumericDate(t),
			ExpiresAt: jwt.NewNumericDate(t.Add(o.TTL)),
		},
		Tenant:      o.Tenant,
		Permissions: o.Perms,
		Operator:    o.Operator,
		Team:        o.Team,
	}
	if o.Audience != "" {
		cl.Audience = jwt.ClaimStrings{o.Audience}
	}

	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, cl)
	tok.Header["kid"] = o.Kid
	signed, err := tok.SignedString(priv)
	if err != nil {
		return "", fmt.Errorf("mint: sign: %w", err)
	}
	return signed, nil
}
