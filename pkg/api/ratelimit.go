package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiters bounds the (tenant, user) pairs tracked; past it, idle
// limiters are dropped, and if none is idle the pair shares one overflow
// limiter, so hostile identities cannot grow memory.
const maxLimiters = 50000

// limiter applies a per-(tenant, user) request rate.
type limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	// mu guards byKey and overflow.
	mu       sync.Mutex
	byKey    map[string]*rate.Limiter
	overflow *rate.Limiter
}

// newLimiter allows perSecond requests a second, bursts of twice that;
// perSecond <= 0 disables limiting.
func newLimiter(perSecond float64, now func() time.Time) *limiter {
	if perSecond <= 0 {
		return nil
	}
	burst := max(1, int(2*perSecond))
	return &limiter{
		rate:     rate.Limit(perSecond),
		burst:    burst,
		now:      now,
		byKey:    make(map[string]*rate.Limiter),
		overflow: rate.NewLimiter(rate.Limit(perSecond), burst),
	}
}

// Allow reports whether the pair may make a request now.
func (l *limiter) Allow(tenant, user string) bool {
	if l == nil {
		return true
	}
	key := tenant + "\x00" + user
	now := l.now()

	l.mu.Lock()
	lim, ok := l.byKey[key]
	if !ok {
		if len(l.byKey) >= maxLimiters {
			l.evictLocked(now)
		}
		if len(l.byKey) >= maxLimiters {
			lim = l.overflow
		} else {
			lim = rate.NewLimiter(l.rate, l.burst)
			l.byKey[key] = lim
		}
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}

// evictLocked drops limiters whose bucket is full again: forgetting them
// changes nothing.
func (l *limiter) evictLocked(now time.Time) {
	for k, lim := range l.byKey {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.byKey, k)
		}
	}
}
