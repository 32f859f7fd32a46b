package state

import (
	"fmt"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Defaults of Config, the values of events.md and metrics.md.
const (
	DefaultDedupWindow     = 4096
	DefaultClosedRetention = 7 * 24 * time.Hour
	DefaultRecentEvents    = 1000
	DefaultFutureTolerance = 5 * time.Minute
)

// DefaultSLAHours are the SLA thresholds by severity of metrics.md §3,
// most severe first.
var DefaultSLAHours = [event.NumSeverities]float64{4, 8, 24, 72}

// maxSLAHours bounds an SLA threshold, as events.md bounds slaHours.
const maxSLAHours = 8760

// Longest windows any reader asks for, used to decide how long records
// are kept. The margin absorbs a reader's clock running a little behind
// the newest event time.
const (
	countWindow    = 300 * time.Second   // trend-signal's five minutes
	changeWindow   = 5 * time.Minute     // workload-delta
	recordWindow   = 10080 * time.Minute // largest windowMinutes
	retentionSlack = 1 * time.Minute     // margin on top of the tolerance
)

// Config tunes a Tenant. The zero value is valid and means the defaults.
type Config struct {
	// DedupWindow is how many accepted event ids per category are
	// remembered to recognise a duplicate. Default 4096.
	DedupWindow int

	// ClosedRetention is how long, in event time measured against the
	// newest event timestamp seen, a closed entity is remembered; an event
	// for it after that counts as an orphan. Default 7 days.
	ClosedRetention time.Duration

	// RecentEvents is the size of the recent-events buffer. Default 1000.
	RecentEvents int

	// SLAHours are the default SLA thresholds by severity (critical, high,
	// medium, low), used when an entity's opening event gives no
	// payload.slaHours. A zero entry takes its default: 4, 8, 24, 72.
	SLAHours [event.NumSeverities]float64

	// FutureTolerance is how far an event timestamp may lie ahead of the
	// clock (the ingest check of events.md). Windowed data is kept this
	// much longer than the longest window, so a reader whose clock is
	// behind the newest event still sees its whole window. Default 5 min.
	FutureTolerance time.Duration
}

// Validate reports the first field out of range, wrapping
// ErrInvalidConfig. Zero values are valid: they select the defaults.
func (c Config) Validate() error {
	switch {
	case c.DedupWindow < 0:
		return fmt.Errorf("%w: DedupWindow %d is negative",
			ErrInvalidConfig, c.DedupWindow)
	case c.ClosedRetention < 0:
		return fmt.Errorf("%w: ClosedRetention %v is negative",
			ErrInvalidConfig, c.ClosedRetention)
	case c.RecentEvents < 0:
		return fmt.Errorf("%w: RecentEvents %d is negative",
			ErrInvalidConfig, c.RecentEvents)
	case c.FutureTolerance < 0:
		return fmt.Errorf("%w: FutureTolerance %v is negative",
			ErrInvalidConfig, c.FutureTolerance)
	}
	for i, h := range c.SLAHours {
		if h < 0 || h > maxSLAHours || h != h {
			return fmt.Errorf("%w: SLAHours[%s] %v is outside (0, %d]",
				ErrInvalidConfig, event.Severity(i), h, maxSLAHours)
		}
	}
	return nil
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.DedupWindow == 0 {
		c.DedupWindow = DefaultDedupWindow
	}
	if c.ClosedRetention == 0 {
		c.ClosedRetention = DefaultClosedRetention
	}
	if c.RecentEvents == 0 {
		c.RecentEvents = DefaultRecentEvents
	}
	if c.FutureTolerance == 0 {
		c.FutureTolerance = DefaultFutureTolerance
	}
	for i, h := range c.SLAHours {
		if h == 0 {
			c.SLAHours[i] = DefaultSLAHours[i]
		}
	}
	return c
}
