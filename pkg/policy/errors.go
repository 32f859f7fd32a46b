package policy

import "errors"

// ErrUnauthenticated is wrapped by every failure to establish who the
// caller is: no token, a malformed header, a bad signature, an unknown
// key, a wrong algorithm, an expired or not-yet-valid token, a missing
// claim. It maps to code 401 and the rule "authentication".
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrDenied is wrapped by the error of a decision that denies access. It
// maps to code 403; the DenialError it comes in names the rule.
var ErrDenied = errors.New("access denied")

// ErrNoKeys is returned by LoadKeys when the PEM data holds no key, and
// by NewVerifier when it is given an empty KeySet.
var ErrNoKeys = errors.New("no trusted keys")

// ErrUnsupportedKey is wrapped by LoadKeys (and DevKeySet) when a key is
// of a type, curve or size the monitor does not trust: only Ed25519,
// ECDSA P-256 and RSA of at least 2048 bits are accepted.
var ErrUnsupportedKey = errors.New("unsupported key")

// ErrInvalidKeyFile is wrapped when a PEM file cannot be parsed, holds a
// block of an unexpected type, repeats a key id, or when the dev key
// file is readable by others than its owner.
var ErrInvalidKeyFile = errors.New("invalid key file")

// ErrInvalidOptions is wrapped by Mint and NewVerifier when their
// options are incomplete or out of range.
var ErrInvalidOptions = errors.New("invalid options")

// ErrInvalidEvent is wrapped by StripOperatorFields when its input is not
// a JSON object.
var ErrInvalidEvent = errors.New("invalid event JSON")
