package metrics

import (
	"crypto/rand"
	"encoding/hex"
)

// Defaults and limits of Options, those of api.md.
const (
	DefaultRecentEvents = 20
	DefaultSLATimers    = 100
	MaxSLATimers        = 1000
	MaxWindowMinutes    = 10080
)

// Options are the query's numbers that shape the figures. The API layer
// validates them; out-of-range values are clamped here.
type Options struct {
	// WindowMinutes replaces the default window of response-latency (60)
	// and remediation-timeline (1440); 0 keeps the default. Clamped to
	// 1..10080.
	WindowMinutes int

	// RecentEvents is how many recent events a stream state carries.
	// As in a query, 0 means none; a negative value means the default,
	// 20. Capped at the tenant's buffer size.
	RecentEvents int

	// SLATimers is how many SLA timers a stream state lists. 0 means
	// none; a negative value means the default, 100. Capped at 1000.
	SLATimers int

	// NewID returns a metricId. Nil means random ids ("m-" and 32 hex
	// digits); tests set a fixed source.
	NewID func() string
}

// DefaultOptions returns the options of a query that sets no numbers.
func DefaultOptions() Options {
	return Options{RecentEvents: -1, SLATimers: -1}
}

// window returns the effective window in minutes, given the default.
func (o Options) window(def int) int {
	if o.WindowMinutes == 0 {
		return def
	}
	return min(max(o.WindowMinutes, 1), MaxWindowMinutes)
}

// recentEvents returns how many recent events to carry, at most buffer.
func (o Options) recentEvents(buffer int) int {
	n := o.RecentEvents
	if n < 0 {
		n = DefaultRecentEvents
	}
	return min(n, buffer)
}

// slaTimers returns how many SLA timers to list.
func (o Options) slaTimers() int {
	if o.SLATimers < 0 {
		return DefaultSLATimers
	}
	return min(o.SLATimers, MaxSLATimers)
}

// id returns a fresh metricId.
func (o Options) id() string {
	if o.NewID != nil {
		return o.NewID()
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return "m-" + hex.EncodeToString(b[:])
}
