package monitor

import (
	"sync"
	"time"
)

// receiptRates counts live events per tenant per second of the monitor's
// clock, for the statistics' this-minute-versus-last trend. It keeps two
// minutes per tenant.
type receiptRates struct {
	// mu guards byTenant.
	mu       sync.Mutex
	byTenant map[string]*secondRing
}

// secondRing holds counts for the last ringSeconds seconds.
type secondRing struct {
	secs   [ringSeconds]int64
	counts [ringSeconds]int
}

const ringSeconds = 120

func newReceiptRates() *receiptRates {
	return &receiptRates{byTenant: make(map[string]*secondRing)}
}

// Add counts one event of tenant received at t. Tenants are bounded by
// the registry's cap, so the map is too.
func (r *receiptRates) Add(tenant string, t time.Time) {
	sec := t.Unix()
	r.mu.Lock()
	ring := r.byTenant[tenant]
	if ring == nil {
		ring = &secondRing{}
		r.byTenant[tenant] = ring
	}
	i := sec % ringSeconds
	if ring.secs[i] != sec {
		ring.secs[i], ring.counts[i] = sec, 0
	}
	ring.counts[i]++
	r.mu.Unlock()
}

// PerMinute returns the events of tenant received in (now-60s, now] and
// in the 60 s before.
func (r *receiptRates) PerMinute(tenant string, now time.Time) (current, previous int) {
	end := now.Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	ring := r.byTenant[tenant]
	if ring == nil {
		return 0, 0
	}
	for i := range ring.secs {
		age := end - ring.secs[i]
		switch {
		case age >= 0 && age < 60:
			current += ring.counts[i]
		case age >= 60 && age < 120:
			previous += ring.counts[i]
		}
	}
	return current, previous
}
