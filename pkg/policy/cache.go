package policy

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxCachedTokens bounds the verified-token cache. When it is full,
// expired entries are dropped, and if none has expired the whole cache is
// cleared: the cost is one signature check per token afterwards, never
// unbounded memory.
const maxCachedTokens = 10000

// tokenCache remembers tokens whose signature and claims were verified,
// so that a client sending the same token on every request pays the
// signature check once. A token's bytes fix its claims, and trusted keys
// do not change while the monitor runs, so a hit needs only the time
// checks again.
type tokenCache struct {
	// mu guards byHash.
	mu     sync.Mutex
	byHash map[[32]byte]cachedToken
}

type cachedToken struct {
	caller    Caller
	notBefore time.Time // zero when the token has no nbf
	expires   time.Time
}

// get returns the caller of a cached token that is valid at now, given
// the leeway.
func (c *tokenCache) get(token string, now time.Time, leeway time.Duration) (Caller, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	e, ok := c.byHash[key]
	c.mu.Unlock()
	if !ok || now.After(e.expires.Add(leeway)) || (!e.notBefore.IsZero() && now.Before(e.notBefore.Add(-leeway))) {
		return Caller{}, false
	}
	return e.caller, true
}

func (c *tokenCache) put(token string, e cachedToken, now time.Time) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil {
		c.byHash = make(map[[32]byte]cachedToken)
	}
	if len(c.byHash) >= maxCachedTokens {
		for k, old := range c.byHash {
			if now.After(old.expires) {
				delete(c.byHash, k)
			}
		}
		if len(c.byHash) >= maxCachedTokens {
			clear(c.byHash)
		}
	}
	c.byHash[key] = e
}
