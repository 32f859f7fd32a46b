package consumer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Provision creates, or updates to the configured settings, the ingest
// stream (unless BindOnly), the rejected-copies stream and one durable
// consumer per category. It returns ErrSubjectClash naming the other
// stream when the ingest subjects overlap one, and ErrNoStream when
// BindOnly finds no stream. Errors of a cluster still settling (no
// response from a stream that has just been created) are retried for
// about half a minute.
func Provision(ctx context.Context, js jetstream.JetStream, cfg Config) error {
	return retryTransient(ctx, func(ctx context.Context) error { return provision(ctx, js, cfg) })
}

// provision is one attempt of Provision; every step is idempotent, so a
// retried attempt redoes what the failed one had done.
func provision(ctx context.Context, js jetstream.JetStream, cfg Config) error {
	cfg = cfg.withDefaults()

	if cfg.BindOnly {
		if _, err := js.Stream(ctx, cfg.Stream); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrNoStream, cfg.Stream, err)
		}
	} else if err := provisionIngest(ctx, js, cfg); err != nil {
		return err
	}

	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.RejectedStream,
		Description: "Copies of events the monitor rejected, with the reason in headers",
		Subjects:    []string{"monitor.rejected.>"},
		Storage:     jetstream.FileStorage,
		MaxAge:      cfg.RejectedMaxAge,
		Replicas:    cfg.Replicas,
	}); err != nil {
		return fmt.Errorf("provisioning stream %s: %w", cfg.RejectedStream, err)
	}

	for _, cat := range event.Categories {
		cc := consumerConfig(cfg, cat)
		// A consumer reset to a start sequence keeps it: the start
		// position cannot be changed on an existing consumer.
		if c, err := js.Consumer(ctx, cfg.Stream, cc.Durable); err == nil {
			have := c.CachedInfo().Config
			cc.DeliverPolicy, cc.OptStartSeq = have.DeliverPolicy, have.OptStartSeq
		}
		if _, err := js.CreateOrUpdateConsumer(ctx, cfg.Stream, cc); err != nil {
			return fmt.Errorf("provisioning consumer %s: %w", cc.Durable, err)
		}
	}
	return nil
}

// resetConsumer recreates a category's durable so that it delivers from
// the stream sequence after applied. Deliveries still outstanding to an
// earlier connection (a crashed instance, or messages lost in transit)
// would otherwise come back only after AckWait, behind newer messages, and
// break the per-category order. Should the process die between delete
// and create, the next start finds no consumer, creates it from the
// beginning and rebuilds the whole state live: nothing is lost, events are
// republished again.
func resetConsumer(ctx context.Context, js jetstream.JetStream, cfg Config, cat event.Category, applied uint64) error {
	cc := consumerConfig(cfg, cat)
	if applied > 0 {
		cc.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cc.OptStartSeq = applied + 1
	}
	if err := js.DeleteConsumer(ctx, cfg.Stream, cc.Durable); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("resetting consumer %s: %w", cc.Durable, err)
	}
	if _, err := js.CreateConsumer(ctx, cfg.Stream, cc); err != nil {
		return fmt.Errorf("resetting consumer %s: %w", cc.Durable, err)
	}
	return nil
}

func provisionIngest(ctx context.Context, js jetstream.JetStream, cfg Config) error {
	subjects := make([]string, 0, event.NumCategories)
	for _, cat := range event.Categories {
		subjects = append(subjects, cfg.filter(cat))
	}
	if other, err := clashingStream(ctx, js, cfg.Stream, subjects); err != nil {
		return err
	} else if other != "" {
		return fmt.Errorf("%w: stream %q already captures subjects of %s.>", ErrSubjectClash, other, cfg.Prefix)
	}

	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.Stream,
		Description: "Lifecycle events of the operations engines",
		Subjects:    subjects,
		Storage:     jetstream.FileStorage,
		Duplicates:  cfg.DuplicateWindow,
		MaxAge:      cfg.MaxAge,
		MaxBytes:    orUnlimited(cfg.MaxBytes),
		Replicas:    cfg.Replicas,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		return fmt.Errorf("provisioning stream %s: %w", cfg.Stream, err)
	}
	return nil
}

func orUnlimited(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// clashingStream returns the name of a stream other than own whose
// subjects overlap want, or "" when there is none.
func clashingStream(ctx context.Context, js jetstream.JetStream, own string, want []string) (string, error) {
	names := js.StreamNames(ctx)
	var clash string
	for name := range names.Name() {
		if name == own || clash != "" {
			continue
		}
		s, err := js.Stream(ctx, name)
		if err != nil {
			if errors.Is(err, jetstream.ErrStreamNotFound) {
				continue
			}
			return "", fmt.Errorf("reading stream %s: %w", name, err)
		}
		for _, have := range s.CachedInfo().Config.Subjects {
			for _, w := range want {
				if subjectsOverlap(have, w) {
					clash = name
				}
			}
		}
	}
	if err := names.Err(); err != nil && !errors.Is(err, jetstream.ErrEndOfData) {
		return "", fmt.Errorf("listing streams: %w", err)
	}
	return clash, nil
}

// subjectsOverlap reports whether some subject matches both patterns.
func subjectsOverlap(a, b string) bool {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(at) && i == len(bt):
			return true
		case i < len(at) && at[i] == ">":
			return i < len(bt)
		case i < len(bt) && bt[i] == ">":
			return i < len(at)
		case i == len(at) || i == len(bt):
			return false
		case at[i] != bt[i] && at[i] != "*" && bt[i] != "*":
			return false
		}
	}
}

func consumerConfig(cfg Config, cat event.Category) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       cfg.durable(cat),
		Description:   "Monitor state feed for " + cat.String(),
		FilterSubject: cfg.filter(cat),
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       cfg.AckWait,
		MaxAckPending: cfg.MaxAckPending,
		MaxDeliver:    cfg.MaxDeliver,
		MaxWaiting:    16,
		Replicas:      0, // inherit the stream's
	}
}
