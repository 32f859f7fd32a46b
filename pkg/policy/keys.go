package policy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// The JWT algorithms a trusted key can carry; each follows from the key's
// type alone.
const (
	AlgEdDSA = "EdDSA"
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
)

// MinRSABits is the smallest RSA modulus, in bits, that LoadKeys accepts.
const MinRSABits = 2048

// kidHeader is the optional PEM header that names a key's id.
const kidHeader = "kid"

// kidLen is the length of a default key id.
const kidLen = 16

// Key is one trusted public key.
type Key struct {
	// ID is the key id a token's kid header selects it by.
	ID string
	// Algorithm is the only JWT algorithm the key verifies: AlgEdDSA,
	// AlgES256 or AlgRS256.
	Algorithm string
	// Public is the key: ed25519.PublicKey, *ecdsa.PublicKey or
	// *rsa.PublicKey.
	Public crypto.PublicKey
}

// KeySet is the set of trusted public keys, read-only once built.
type KeySet struct {
	keys []Key
	byID map[string]int
}

// LoadKeys returns the trusted keys in pemBytes, which may hold several
// blocks of type "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS #1) or
// "CERTIFICATE" (only its public key is used; validity dates and chains
// are not checked). A block may carry a "kid" header naming its key id;
// otherwise the id is KeyID of the key.
//
// It fails with ErrNoKeys when there is no block, with ErrUnsupportedKey
// for a key that is not Ed25519, ECDSA P-256 or RSA of at least
// MinRSABits, and with ErrInvalidKeyFile for any other block type (a
// private key has no place in a trust file), an unparsable block or a
// repeated key id.
func LoadKeys(pemBytes []byte) (*KeySet, error) {
	ks := &KeySet{byID: make(map[string]int)}
	rest := pemBytes
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}

		pub, spki, err := parseBlock(block)
		if err != nil {
			return nil, fmt.Errorf("pem block %d: %w", n, err)
		}

		kid := block.Headers[kidHeader]
		if kid == "" {
			kid = thumbprint(spki)
		}
		if err := ks.add(kid, pub); err != nil {
			return nil, fmt.Errorf("pem block %d: %w", n, err)
		}
	}

	if len(ks.keys) == 0 {
		return nil, ErrNoKeys
	}
	return ks, nil
}

// DevKeySet returns a KeySet that trusts the public half of the dev key
// priv under its default key id, the id Mint puts in its tokens.
func DevKeySet(priv ed25519.PrivateKey) (*KeySet, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: ed25519 private key of %d bytes",
			ErrUnsupportedKey, len(priv))
	}
	pub := priv.Public()
	kid, err := KeyID(pub)
	if err != nil {
		return nil, err
	}

	ks := &KeySet{byID: make(map[string]int)}
	if err := ks.add(kid, pub); err != nil {
		return nil, err
	}
	return ks, nil
}

// KeyID returns the default key id of pub: the first 16 characters of the
// unpadded base64url SHA-256 digest of its DER-encoded
// SubjectPublicKeyInfo. It fails with ErrUnsupportedKey for a key x509
// cannot encode.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return thumbprint(der), nil
}

// Len returns the number of keys in the set.
func (ks *KeySet) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

// Keys returns a copy of the keys, in the order they were loaded.
func (ks *KeySet) Keys() []Key {
	if ks == nil {
		return nil
	}
	return append([]Key(nil), ks.keys...)
}

// Lookup returns the key with the id kid, and false when there is none.
func (ks *KeySet) Lookup(kid string) (Key, bool) {
	if ks == nil {
		return Key{}, false
	}
	i, ok := ks.byID[kid]
	if !ok {
		return Key{}, false
	}
	return ks.keys[i], true
}

// add appends pub under kid after checking that its type is trusted.
func (ks *KeySet) add(kid string, pub crypto.PublicKey) error {
	alg, err := algorithmFor(pub)
	if err != nil {
		return err
	}
	if _, dup := ks.byID[kid]; dup {
		return fmt.Errorf("%w: key id %q repeated", ErrInvalidKeyFile, kid)
	}
	ks.byID[kid] = len(ks.keys)
	ks.keys = append(ks.keys, Key{ID: kid, Algorithm: alg, Public: pub})
	return nil
}

// parseBlock returns the public key in block and its DER-encoded
// SubjectPublicKeyInfo.
func parseBlock(block *pem.Block) (crypto.PublicKey, []byte, error) {
	switch block.Type {
	case "PUBLIC KEY":
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidKeyFile, err)
		}
		return pub, block.Bytes, nil
	case "RSA PUBLIC KEY":
		pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidKeyFile, err)
		}
		spki, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidKeyFile, err)
		}
		return pub, spki, nil
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidKeyFile, err)
		}
		return cert.PublicKey, cert.RawSubjectPublicKeyInfo, nil
	default:
		return nil, nil, fmt.Errorf(
			"%w: block type %q (want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)",
			ErrInvalidKeyFile, block.Type)
	}
}

// algorithmFor returns the one JWT algorithm pub may verify, or
// ErrUnsupportedKey.
func algorithmFor(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: ed25519 key of %d bytes",
				ErrUnsupportedKey, len(k))
		}
		return AlgEdDSA, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("%w: ecdsa curve %s (want P-256)",
				ErrUnsupportedKey, k.Curve.Params().Name)
		}
		return AlgES256, nil
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return "", fmt.Errorf("%w: rsa key of %d bits (want at least %d)",
				ErrUnsupportedKey, bits, MinRSABits)
		}
		return AlgRS256, nil
	default:
		return "", fmt.Errorf("%w: key type %T", ErrUnsupportedKey, pub)
	}
}

// thumbprint returns the default key id of the SubjectPublicKeyInfo der.
func thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:kidLen]
}
