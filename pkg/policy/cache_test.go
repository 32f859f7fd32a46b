package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifiedTokensStillExpire checks that the verified-token cache
// re-applies exp and nbf on every hit.
func TestVerifiedTokensStillExpire(t *testing.T) {
	priv, _, err := LoadOrCreateDevKey(t.TempDir())
	require.NoError(t, err)
	keys, err := DevKeySet(priv)
	require.NoError(t, err)
	now := time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)
	v, err := NewVerifier(VerifierConfig{Keys: keys, Now: func() time.Time { return now }})
	require.NoError(t, err)
	tok, err := Mint(priv, MintOptions{Tenant: "t", User: "u", TTL: time.Minute, Now: func() time.Time { return now }})
	require.NoError(t, err)

	c, err := v.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, "u", c.UserID)

	now = now.Add(time.Minute + DefaultLeeway) // exp plus leeway: still valid
	_, err = v.Verify(tok)
	require.NoError(t, err)

	now = now.Add(time.Second)
	_, err = v.Verify(tok)
	assert.True(t, errors.Is(err, ErrUnauthenticated), "a cached token expires too: %v", err)

	// A token valid only in the future is refused even after a cached
	// verification of the same bytes at a later time.
	later := now.Add(time.Hour)
	future, err := Mint(priv, MintOptions{Tenant: "t", User: "u", TTL: time.Hour, Now: func() time.Time { return later }})
	require.NoError(t, err)
	now = later
	_, err = v.Verify(future)
	require.NoError(t, err)
	now = later.Add(-time.Minute)
	_, err = v.Verify(future)
	assert.True(t, errors.Is(err, ErrUnauthenticated), "nbf holds on a cache hit: %v", err)
}
