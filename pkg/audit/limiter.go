package audit

import (
	"fmt"
	"sync"
	"time"
)

// Defaults of LimiterConfig.
const (
	DefaultAuthFailureBurst    = 10
	DefaultAuthFailureInterval = time.Minute
	DefaultLimiterTenants      = 10000
)

// LimiterConfig tunes an AuthFailureLimiter. The zero value is valid.
type LimiterConfig struct {
	// Burst is how many entries a tenant may get in one Interval; the
	// bucket refills at Burst per Interval. Default 10.
	Burst int
	// Interval is the refill period. Default 1 min.
	Interval time.Duration
	// MaxTenants bounds the tenants with a bucket of their own. Default
	// 10,000. When full, idle buckets are swept (at most once per
	// Interval); tenants still without room share one overflow bucket,
	// so hostile tenant ids cost neither memory nor trail.
	MaxTenants int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// AuthFailureLimiter decides which authentication failures are audited:
// at most Burst per tenant per Interval, by token bucket. The refused
// ones are counted, and the count is reported by the next allowed one.
// Safe for concurrent use.
type AuthFailureLimiter struct {
	burst    float64
	interval time.Duration
	max      int
	now      func() time.Time

	// mu guards the fields below it.
	mu         sync.Mutex
	buckets    map[string]*bucket
	overflow   bucket
	lastSweep  time.Time
	suppressed uint64
}

type bucket struct {
	tokens     float64
	last       time.Time
	suppressed int
}

// NewAuthFailureLimiter returns a limiter with every bucket full.
func NewAuthFailureLimiter(cfg LimiterConfig) *AuthFailureLimiter {
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultAuthFailureBurst
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultAuthFailureInterval
	}
	if cfg.MaxTenants <= 0 {
		cfg.MaxTenants = DefaultLimiterTenants
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	l := &AuthFailureLimiter{
		burst:    float64(cfg.Burst),
		interval: cfg.Interval,
		max:      cfg.MaxTenants,
		now:      cfg.Now,
		buckets:  map[string]*bucket{},
	}
	l.overflow.tokens = l.burst
	return l
}

// Allow reports whether one more failure of tenant may be audited, and
// if so how many were suppressed since the last allowed one.
func (l *AuthFailureLimiter) Allow(tenant string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()

	now := l.now()
	b := l.bucketLocked(tenant, now)
	b.refill(now, l.burst, l.interval)
	if b.tokens < 1 {
		b.suppressed++
		l.suppressed++
		return false, 0
	}

	b.tokens--
	n := b.suppressed
	b.suppressed = 0
	return true, n
}

// Admit applies Allow to e's tenant. When allowed, it returns e with the
// suppressed count, if any, added to Detail ("12 similar failures
// suppressed").
func (l *AuthFailureLimiter) Admit(e Entry) (Entry, bool) {
	ok, n := l.Allow(e.TenantID)
	if ok && n > 0 {
		note := fmt.Sprintf("%d similar failures suppressed", n)
		if e.Detail != "" {
			note = e.Detail + "; " + note
		}
		e.Detail = note
	}
	return e, ok
}

// Suppressed returns how many failures were refused in all.
func (l *AuthFailureLimiter) Suppressed() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.suppressed
}

// Tenants returns how many tenants have a bucket of their own.
func (l *AuthFailureLimiter) Tenants() int {
	l.mu.Lock()
	defer l.mu.Unlock()

	return len(l.buckets)
}

// bucketLocked finds or makes tenant's bucket, falling back to the
// shared overflow bucket when the map is full.
func (l *AuthFailureLimiter) bucketLocked(tenant string,
	now time.Time) *bucket {
	if b := l.buckets[tenant]; b != nil {
		return b
	}
	if len(l.buckets) >= l.max {
		l.sweepLocked(now)
	}
	if len(l.buckets) >= l.max {
		return &l.overflow
	}

	b := &bucket{tokens: l.burst, last: now}
	l.buckets[tenant] = b
	return b
}

// sweepLocked drops buckets that are full again and owe no suppressed
// count: a fresh bucket would behave the same. It runs at most once per
// interval, so a full map costs one pass per interval, not per call.
func (l *AuthFailureLimiter) sweepLocked(now time.Time) {
	if now.Sub(l.lastSweep) < l.interval {
		return
	}
	l.lastSweep = now

	for t, b := range l.buckets {
		b.refill(now, l.burst, l.interval)
		if b.tokens >= l.burst && b.suppressed == 0 {
			delete(l.buckets, t)
		}
	}
}

// refill adds the tokens earned since the last refill, up to burst.
func (b *bucket) refill(now time.Time, burst float64, interval time.Duration) {
	if b.last.IsZero() {
		b.last = now
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(burst, b.tokens+burst*d.Seconds()/interval.Seconds())
		b.last = now
	}
}
