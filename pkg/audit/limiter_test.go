package audit

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestAuthFailureLimiter(t *testing.T) {
	clock := &fakeClock{t: base}
	l := NewAuthFailureLimiter(LimiterConfig{
		Burst: 10, Interval: time.Minute, Now: clock.Now,
	})
	failure := Entry{Type: TypeError, TenantID: "t1", Reason: "bad token"}

	for i := range 10 {
		_, ok := l.Admit(failure)
		assert.True(t, ok, "failure %d", i)
	}
	for range 12 {
		_, ok := l.Admit(failure)
		assert.False(t, ok)
	}
	assert.Equal(t, uint64(12), l.Suppressed())

	// Another tenant has its own bucket.
	_, ok := l.Admit(Entry{Type: TypeError, TenantID: "t2"})
	assert.True(t, ok)

	// One token back after a tenth of the interval.
	clock.Advance(6 * time.Second)
	e, ok := l.Admit(failure)
	assert.True(t, ok)
	assert.Equal(t, "bad token", e.Reason)
	assert.Equal(t, "12 similar failures suppressed", e.Detail)
	_, ok = l.Admit(failure)
	assert.False(t, ok)

	// A full interval refills the burst, no more.
	clock.Advance(time.Hour)
	for i := range 10 {
		e, ok := l.Admit(failure)
		assert.True(t, ok, "failure %d", i)
		if i == 0 {
			assert.Equal(t, "1 similar failures suppressed", e.Detail)
		} else {
			assert.Empty(t, e.Detail)
		}
	}
	_, ok = l.Admit(failure)
	assert.False(t, ok)
}

func TestAuthFailureLimiterBoundsTenants(t *testing.T) {
	clock := &fakeClock{t: base}
	l := NewAuthFailureLimiter(LimiterConfig{
		Burst: 2, Interval: time.Minute, MaxTenants: 100, Now: clock.Now,
	})

	allowed := 0
	for i := range 10000 {
		if ok, _ := l.Allow(fmt.Sprintf("hostile-%d", i)); ok {
			allowed++
		}
	}
	assert.Equal(t, 100, l.Tenants())
	assert.Equal(t, 100+2, allowed, "overflow tenants share one bucket")

	// Once idle buckets refill, a sweep frees room for new tenants.
	clock.Advance(2 * time.Minute)
	ok, _ := l.Allow("newcomer")
	assert.True(t, ok)
	assert.LessOrEqual(t, l.Tenants(), 100)
	ok, _ = l.Allow("newcomer")
	assert.True(t, ok)
}
