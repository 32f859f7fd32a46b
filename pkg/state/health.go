package state

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Health are a tenant's stream-health counters.
type Health struct {
	// LastReceived is when the latest event was received (wall clock),
	// zero before the first.
	LastReceived time.Time
	// Lag is the latest event's receipt time less its timestamp.
	Lag time.Duration
	// Duplicates, Orphans and LateTransitions count accepted events
	// Apply did not apply.
	Duplicates      uint64
	Orphans         uint64
	LateTransitions uint64
	// Rejected counts rejected messages by reason.
	Rejected [event.NumReasons]uint64
}

// Health returns the tenant's stream-health counters.
func (t *Tenant) Health() Health {
	return Health{
		LastReceived:    t.lastReceived,
		Lag:             t.lag,
		Duplicates:      t.duplicates,
		Orphans:         t.orphans,
		LateTransitions: t.late,
		Rejected:        t.rejected,
	}
}
