// Package policy decides who may see what: it turns a bearer token into a
// verified Caller, evaluates the access rules of policy.md for queries,
// subscriptions, audit and statistics, and filters operator-keyed data
// out of results and delivered events.
//
// # Usage
//
// Load the trusted keys once and build a Verifier:
//
//	keys, err := policy.LoadKeys(pemBytes)
//	v, err := policy.NewVerifier(policy.VerifierConfig{Keys: keys})
//
// Then, per request:
//
//	tok, err := policy.BearerToken(header)
//	caller, err := v.Verify(tok)      // errors wrap ErrUnauthenticated
//	d := policy.EvaluateQuery(caller, req)
//	if !d.Allowed { return d.Err() } // wraps ErrDenied, names d.Rule
//	// compute d.Categories, list d.Omitted, filter with d.Visibility
//
// Without trusted keys, a development deployment can use
// LoadOrCreateDevKey, DevKeySet and Mint.
//
// # Key ids
//
// Each trusted key has a key id (kid). It is the PEM block's "kid" header
// when the block has one; otherwise the first 16 characters of the
// unpadded base64url SHA-256 digest of the key's DER-encoded
// SubjectPublicKeyInfo (see KeyID). A certificate's key gets the same
// default id as the same key given as a PUBLIC KEY block.
//
// # Concurrency
//
// KeySet, Verifier, Caller, Visibility and Decision are read-only once
// built and safe for concurrent use. The Evaluate functions and the
// filter helpers are pure functions. FilterOperatorMap changes the map it
// is given, so that map must not be shared.
package policy
