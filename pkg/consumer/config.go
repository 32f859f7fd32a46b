package consumer

import (
	"fmt"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Defaults of Config.
const (
	DefaultPrefix          = "ops.events"
	DefaultStream          = "OPS_EVENTS"
	DefaultRejectedStream  = "MONITOR_REJECTED"
	DefaultDurablePrefix   = "monitor-"
	DefaultDuplicateWindow = 2 * time.Minute
	DefaultRejectedMaxAge  = 7 * 24 * time.Hour
	DefaultBatch           = 512
	DefaultMaxAckPending   = 8192
	DefaultAckWait         = 30 * time.Second
	DefaultMaxDeliver      = 10
)

// Config says where the events are and how to read them. The zero value
// means the defaults of events.md.
type Config struct {
	// Prefix is the ingest subject prefix. Default "ops.events".
	Prefix string
	// Stream is the ingest stream's name. Default "OPS_EVENTS".
	Stream string
	// BindOnly uses an existing stream as it is: nothing about the stream
	// is created or changed. The monitor's own durable consumers are still
	// created on it.
	BindOnly bool
	// Replicas of the streams the monitor provisions. Default 1.
	Replicas int
	// DuplicateWindow is the stream's Nats-Msg-Id window. Default 2 min.
	DuplicateWindow time.Duration
	// MaxAge limits the ingest stream by age. Default 0: no age limit.
	MaxAge time.Duration
	// MaxBytes limits the ingest stream by size. Default 0: no limit.
	MaxBytes int64

	// RejectedStream keeps copies of rejected messages. Default
	// "MONITOR_REJECTED".
	RejectedStream string
	// RejectedMaxAge is how long rejected copies are kept. Default 7 days.
	RejectedMaxAge time.Duration

	// DurablePrefix names the durable consumers, one per category:
	// prefix + category. Default "monitor-".
	DurablePrefix string
	// Batch is the most messages handled before one cumulative ack.
	// Default 512.
	Batch int
	// MaxAckPending bounds the messages delivered but not acknowledged per
	// consumer. Default 8192.
	MaxAckPending int
	// AckWait is how long the server waits for an ack before it
	// redelivers. Default 30 s.
	AckWait time.Duration
	// MaxDeliver bounds deliveries of one message. Default 10.
	MaxDeliver int

	// Limits are the validation limits (event size, future tolerance).
	Limits Limits
}

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	switch {
	case c.Replicas < 0 || c.Replicas > 5:
		return fmt.Errorf("%w: replicas must be 1-5", ErrConfig)
	case c.Batch < 0 || c.MaxAckPending < 0 || c.MaxDeliver < 0:
		return fmt.Errorf("%w: batch, max ack pending and max deliver must not be negative", ErrConfig)
	case c.Batch > 0 && c.MaxAckPending > 0 && c.Batch > c.MaxAckPending:
		return fmt.Errorf("%w: batch %d is larger than max ack pending %d", ErrConfig, c.Batch, c.MaxAckPending)
	case c.Limits.MaxEventBytes < 0 || c.Limits.FutureTolerance < 0:
		return fmt.Errorf("%w: event limits must not be negative", ErrConfig)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	if c.RejectedStream == "" {
		c.RejectedStream = DefaultRejectedStream
	}
	if c.RejectedMaxAge == 0 {
		c.RejectedMaxAge = DefaultRejectedMaxAge
	}
	if c.DurablePrefix == "" {
		c.DurablePrefix = DefaultDurablePrefix
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.MaxAckPending == 0 {
		c.MaxAckPending = DefaultMaxAckPending
	}
	if c.AckWait == 0 {
		c.AckWait = DefaultAckWait
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = DefaultMaxDeliver
	}
	c.Limits = c.Limits.withDefaults()
	return c
}

// filter returns the ingest filter subject of category c.
func (c Config) filter(cat event.Category) string {
	return c.Prefix + "." + cat.String() + ".*.*"
}

// durable returns the durable consumer name of category c.
func (c Config) durable(cat event.Category) string {
	return c.DurablePrefix + cat.String()
}
