package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Subject layout. The monitor's audit request endpoint is
// monitor.audit.<tenantId>: three tokens. Log subjects have five tokens
// and event subjects four, so no request subject is ever a stored
// subject, even for tenants named "log" or "events" (their request
// subjects monitor.audit.log and monitor.audit.events have three tokens
// and match neither monitor.audit.log.*.* nor monitor.audit.events.*),
// and the endpoint's monitor.audit.* subscription never sees an entry.
const (
	// LogSubjectPrefix starts the subjects of MONITOR_AUDIT:
	// monitor.audit.log.<tenantId>.<type>.
	LogSubjectPrefix = "monitor.audit.log."
	// EventsSubjectPrefix starts the subjects of the events stream:
	// monitor.audit.events.<tenantId>.
	EventsSubjectPrefix = "monitor.audit.events."
)

// Defaults of Config.
const (
	DefaultStream       = "MONITOR_AUDIT"
	DefaultEventsStream = "MONITOR_AUDIT_EVENTS"
	DefaultMaxAge       = 30 * 24 * time.Hour
	DefaultEventsMaxAge = 24 * time.Hour
	DefaultDuplicates   = 2 * time.Minute
	DefaultMaxScan      = 20000
	DefaultTimeSlack    = 5 * time.Minute
)

// Config names and sizes the two audit streams and bounds the reader.
// The zero value is valid: every zero field takes its default.
type Config struct {
	// Stream is the security trail: every type but event-received.
	// Default MONITOR_AUDIT.
	Stream string
	// EventsStream holds event-received entries. Default
	// MONITOR_AUDIT_EVENTS.
	EventsStream string
	// MaxAge is the trail's retention. Default 30 days.
	MaxAge time.Duration
	// EventsMaxAge is the events stream's retention. Default 24 h.
	EventsMaxAge time.Duration
	// MaxBytes caps the trail's size; the oldest entries go first.
	// Default 0: no cap.
	MaxBytes int64
	// EventsMaxBytes caps the events stream's size. Default 0: no cap.
	EventsMaxBytes int64
	// Replicas of both streams. Default 1.
	Replicas int
	// Duplicates is the window in which a re-published entry id is
	// stored only once. Default 2 min.
	Duplicates time.Duration
	// MaxScan bounds how many stored entries one Reader.Query looks at
	// (each entry of a batch counts, and each message that does not
	// decode). Default 20,000.
	MaxScan int
	// TimeSlack is how far an entry's Time may lie from the server's
	// store time of it. A time-bounded query seeks to Since minus this
	// and stops at Until plus this, by store time. Entries stamped by
	// the Writer are stored within seconds (clock skew between monitor
	// and server aside); back-dated entries further off than TimeSlack
	// can be missed by a time-bounded query. Default 5 min; negative
	// turns seeking off, so every query scans from the stream's start.
	TimeSlack time.Duration
}

// Validate reports a negative setting, wrapping ErrInvalidConfig.
func (c Config) Validate() error {
	switch {
	case c.MaxAge < 0, c.EventsMaxAge < 0:
		return fmt.Errorf("%w: negative max age", ErrInvalidConfig)
	case c.MaxBytes < 0, c.EventsMaxBytes < 0:
		return fmt.Errorf("%w: negative max bytes", ErrInvalidConfig)
	case c.Replicas < 0 || c.Replicas > 5:
		return fmt.Errorf("%w: replicas not in 0-5", ErrInvalidConfig)
	case c.Duplicates < 0:
		return fmt.Errorf("%w: negative duplicates window", ErrInvalidConfig)
	case c.MaxScan < 0:
		return fmt.Errorf("%w: negative max scan", ErrInvalidConfig)
	case c.Stream != "" && c.Stream == c.EventsStream:
		return fmt.Errorf("%w: both streams named %q", ErrInvalidConfig,
			c.Stream)
	}
	return nil
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.EventsStream == "" {
		c.EventsStream = DefaultEventsStream
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.EventsMaxAge == 0 {
		c.EventsMaxAge = DefaultEventsMaxAge
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Duplicates == 0 {
		c.Duplicates = DefaultDuplicates
	}
	if c.MaxScan == 0 {
		c.MaxScan = DefaultMaxScan
	}
	if c.TimeSlack == 0 {
		c.TimeSlack = DefaultTimeSlack
	}
	return c
}

// Provision creates both audit streams, or updates them to cfg. It fails
// with ErrInvalidConfig, or with JetStream's error (for example when
// another stream already holds the subjects).
func Provision(ctx context.Context, js jetstream.JetStream,
	cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()

	streams := []jetstream.StreamConfig{{
		Name:        cfg.Stream,
		Description: "Monitor audit trail: decisions, metrics, errors",
		Subjects:    []string{LogSubjectPrefix + "*.*"},
		MaxAge:      cfg.MaxAge,
		MaxBytes:    orUnlimited(cfg.MaxBytes),
		Replicas:    cfg.Replicas,
		Duplicates:  cfg.Duplicates,
		Storage:     jetstream.FileStorage,
		Discard:     jetstream.DiscardOld,
	}, {
		Name:        cfg.EventsStream,
		Description: "Monitor audit of received events, short retention",
		Subjects:    []string{EventsSubjectPrefix + "*"},
		MaxAge:      cfg.EventsMaxAge,
		MaxBytes:    orUnlimited(cfg.EventsMaxBytes),
		Replicas:    cfg.Replicas,
		Duplicates:  cfg.Duplicates,
		Storage:     jetstream.FileStorage,
		Discard:     jetstream.DiscardOld,
	}}

	for _, sc := range streams {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("provisioning stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

func orUnlimited(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

// subjectFor is the subject an entry is published on.
func subjectFor(e *Entry) string {
	if e.Type == TypeEventReceived {
		return EventsSubjectPrefix + e.TenantID
	}
	return LogSubjectPrefix + e.TenantID + "." + string(e.Type)
}
