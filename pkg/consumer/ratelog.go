package consumer

import (
	"sync"
	"time"
)

// rateLog lets a repeated warning through at most once per interval, so
// that a flood of bad input cannot flood the log.
type rateLog struct {
	every time.Duration

	mu   sync.Mutex
	last time.Time
}

// Warn calls log when the interval since the last call that logged has
// passed.
func (r *rateLog) Warn(log func()) {
	r.mu.Lock()
	now := time.Now()
	ok := now.Sub(r.last) >= r.every
	if ok {
		r.last = now
	}
	r.mu.Unlock()
	if ok {
		log()
	}
}
