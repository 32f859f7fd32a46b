package audit

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// EventCounts describes what the events stream holds.
type EventCounts struct {
	// Messages is the number of stored messages: batches, and single
	// entries stored before batching.
	Messages uint64
	// Entries is the number of event-received entries in them.
	Entries uint64
	// Malformed counts messages that decode as neither.
	Malformed uint64
}

// CountEvents reads the whole events stream of cfg and counts its
// messages and the event-received entries they hold, reading each
// batch's record count without expanding it. The cost is one pass over
// the stream. It fails with ErrInvalidConfig, ctx's error or
// JetStream's.
func CountEvents(ctx context.Context, js jetstream.JetStream,
	cfg Config) (EventCounts, error) {
	var c EventCounts
	if err := cfg.Validate(); err != nil {
		return c, err
	}
	cfg = cfg.withDefaults()

	sc, err := newScanner(ctx, js, cfg.EventsStream,
		[]string{EventsSubjectPrefix + "*"}, 1, nil)
	if err != nil {
		return c, fmt.Errorf("counting audit events: %w", err)
	}
	for {
		batch, end, err := sc.fetch(fetchChunk)
		if err != nil {
			return c, fmt.Errorf("counting audit events: %w", err)
		}
		for _, m := range batch {
			c.Messages++
			if !isBatch(m.data) {
				if _, ok := m.entries(nil, true, 0); ok {
					c.Entries++
				} else {
					c.Malformed++
				}
				continue
			}
			n, err := batchCount(m.data)
			if err != nil {
				c.Malformed++
				continue
			}
			c.Entries += uint64(n)
		}
		if end {
			return c, nil
		}
		if err := ctx.Err(); err != nil {
			return c, err
		}
	}
}
