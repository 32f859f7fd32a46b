package monitor

import (
	"sync"
	"time"

	"github.com/opsmonitor/monitor/pkg/audit"
)

// receiptRates counts live events per tenant by the monitor's receipt
// clock, for the statistics' this-minute-versus-last trend. Tenants are
// bounded by the registry's cap, so the map is too.
type receiptRates struct {
	// mu guards byTenant.
	mu       sync.Mutex
	byTenant map[string]*audit.Minutes
}

func newReceiptRates() *receiptRates {
	return &receiptRates{byTenant: make(map[string]*audit.Minutes)}
}

// Add counts one event of tenant received at t.
func (r *receiptRates) Add(tenant string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.byTenant[tenant]
	if m == nil {
		m = new(audit.Minutes)
		r.byTenant[tenant] = m
	}
	m.Add(t)
}

// PerMinute returns the events of tenant received in the last 60 s up to
// now and in the 60 s before.
func (r *receiptRates) PerMinute(tenant string, now time.Time) (current, previous int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.byTenant[tenant]; m != nil {
		return m.PerMinute(now)
	}
	return 0, 0
}
