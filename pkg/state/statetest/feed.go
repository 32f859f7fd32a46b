package statetest

import (
	"fmt"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// Feed applies events to a tenant as the consumer would, numbering them
// with increasing stream sequences.
type Feed struct {
	// Tenant receives the events.
	Tenant *state.Tenant
	// Seq is the stream sequence of the last event applied.
	Seq uint64
	// Lag is added to an event's timestamp to make its receipt time.
	Lag time.Duration
	n   int
}

// NewFeed returns a feed into a new tenant with cfg.
func NewFeed(cfg state.Config) *Feed {
	return &Feed{Tenant: state.NewTenant(DefaultTenant, cfg)}
}

// Apply applies e, naming it "ev-<n>" when it has no ID, and returns the
// outcome.
func (f *Feed) Apply(e E) state.Outcome {
	f.n++
	if e.ID == "" {
		e.ID = fmt.Sprintf("ev-%d", f.n)
	}
	return f.ApplyEvent(e.Event())
}

// ApplyEvent applies a built event with the next stream sequence.
func (f *Feed) ApplyEvent(ev *event.Event) state.Outcome {
	f.Seq++
	meta := event.Meta{
		StreamSeq: f.Seq,
		Stored:    ev.Timestamp,
		Received:  ev.Timestamp.Add(f.Lag),
	}
	return f.Tenant.Apply(ev, meta)
}

// ApplyAll applies every event in order.
func (f *Feed) ApplyAll(es ...E) {
	for _, e := range es {
		f.Apply(e)
	}
}
