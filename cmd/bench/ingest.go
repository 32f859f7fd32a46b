package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
)

// rate is one measured throughput.
type rate struct {
	Events  int     `json:"events"`
	Seconds float64 `json:"seconds"`
	PerSec  float64 `json:"perSec"`
}

func newRate(n int, d time.Duration) rate {
	return rate{Events: n, Seconds: d.Seconds(), PerSec: float64(n) / d.Seconds()}
}

// fillStream publishes the ingest set: n events of the realistic mix,
// their timestamps spread over the three hours before now.
func (b *bench) fillStream(ctx context.Context) error {
	n := b.size.Events
	g := newGenerator(genConfig{Tenants: b.size.Tenants, IDPrefix: "i",
		OpenShare: 0.3, Seed: 1})
	base := time.Now().Add(-3 * time.Hour)
	step := 3 * time.Hour / time.Duration(n)
	pub, err := b.env.publish(ctx, n, func(k int) generated {
		return g.next(base.Add(time.Duration(k) * step))
	})
	if err != nil {
		return err
	}
	b.res.PublishRate = pub
	b.logf("published %d events at %.0f/s (%d lives, %d tenants)",
		n, pub, g.lives, b.size.Tenants)
	return nil
}

// bareIngest drains the ingest stream with a new durable pull consumer
// that acknowledges every message on its own: the baseline of ingest.
func (b *bench) bareIngest(ctx context.Context, name string) (rate, error) {
	n := b.size.Events
	js := b.env.js
	c, err := js.CreateConsumer(ctx, consumer.DefaultStream, jetstream.ConsumerConfig{
		Durable:       name,
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: ingestPrefix + ".>",
		MaxAckPending: consumer.DefaultMaxAckPending,
	})
	if err != nil {
		return rate{}, fmt.Errorf("creating %s: %w", name, err)
	}
	defer func() { _ = js.DeleteConsumer(ctx, consumer.DefaultStream, name) }()

	start := time.Now()
	it, err := c.Messages(jetstream.PullMaxMessages(2 * consumer.DefaultBatch))
	if err != nil {
		return rate{}, err
	}
	defer it.Stop()
	for range n {
		m, err := it.Next()
		if err != nil {
			return rate{}, fmt.Errorf("%s: %w", name, err)
		}
		if err := m.Ack(); err != nil {
			return rate{}, fmt.Errorf("%s ack: %w", name, err)
		}
	}
	return newRate(n, time.Since(start)), nil
}

// monitorIngest starts a monitor on the filled stream and times it from
// its pipeline's start until every event is applied and republished
// (counted by a core subscription on monitor.events.>). On a fresh
// stream the ack floors are zero, so this is all live consumption. The
// service is returned running.
func (b *bench) monitorIngest(ctx context.Context) (rate, *service, error) {
	n := b.size.Events
	nc, _, err := b.env.connect("bench-republish-counter")
	if err != nil {
		return rate{}, nil, err
	}
	defer nc.Close()
	var seen atomic.Int64
	sub, err := nc.Subscribe("monitor.events.>", func(*nats.Msg) { seen.Add(1) })
	if err != nil {
		return rate{}, nil, err
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return rate{}, nil, err
	}
	if err := nc.Flush(); err != nil {
		return rate{}, nil, err
	}

	b.prof.start("ingest")
	s, err := b.env.startService(ctx)
	if err != nil {
		b.prof.stop("ingest")
		return rate{}, nil, err
	}
	stopTrace := b.trace("ingest", func() string {
		return fmt.Sprintf("accepted %d republished %d", s.svc.Pipeline().Stats().Accepted, seen.Load())
	})
	werr := waitFor(ctx, b.size.Timeout, func() bool { return seen.Load() >= int64(n) })
	stopTrace()
	end := time.Now()
	b.prof.stop("ingest")

	st := s.svc.Pipeline().Stats()
	var rejected uint64
	for _, r := range st.Rejected {
		rejected += r
	}
	b.logf("monitor ingest: accepted %d, rejected %d, republished seen %d, ack batches %d",
		st.Accepted, rejected, seen.Load(), st.AckBatches)
	if werr != nil {
		return rate{}, s, fmt.Errorf("monitor ingest: %d of %d republished: %w",
			seen.Load(), n, werr)
	}
	if rejected > 0 {
		return rate{}, s, fmt.Errorf("monitor rejected %d benchmark events", rejected)
	}
	return newRate(n, end.Sub(s.ready)), s, nil
}

// monitorReplay starts a new monitor on the stream the previous one
// consumed and acknowledged, and times its start-up rebuild: from its
// pipeline's start until Progress says done. The service is returned
// running.
func (b *bench) monitorReplay(ctx context.Context) (rate, *service, error) {
	b.prof.start("replay")
	s, err := b.env.startService(ctx)
	if err != nil {
		b.prof.stop("replay")
		return rate{}, nil, err
	}
	p := s.svc.Pipeline()
	werr := waitFor(ctx, b.size.Timeout, func() bool { return p.Progress().Done })
	end := time.Now()
	b.prof.stop("replay")
	if werr != nil {
		return rate{}, s, fmt.Errorf("rebuild: %d of %d: %w",
			p.Progress().Applied, p.Progress().Target, werr)
	}
	target := int(p.Progress().Target)
	if target == 0 {
		return rate{}, s, fmt.Errorf("rebuild had nothing to replay")
	}
	return newRate(target, end.Sub(s.ready)), s, nil
}

// bareEvent is how an ordinary consumer would decode an event: typed
// fields, metadata and payload as generic maps.
type bareEvent struct {
	EventID   string `json:"eventId"`
	Category  string `json:"category"`
	EventType string `json:"eventType"`
	Timestamp string `json:"timestamp"`
	Scope     struct {
		TenantID     string `json:"tenantId"`
		FacilityID   string `json:"facilityId"`
		FederationID string `json:"federationId"`
	} `json:"scope"`
	Severity     string         `json:"severity"`
	EntityID     string         `json:"entityId"`
	EntityType   string         `json:"entityType"`
	OperatorID   string         `json:"operatorId"`
	OperatorName string         `json:"operatorName"`
	Metadata     map[string]any `json:"metadata"`
	Payload      map[string]any `json:"payload"`
}

// bareReplay reads the first n messages of the stream with an ordered
// consumer and decodes each body: the baseline of replay.
func (b *bench) bareReplay(ctx context.Context, n int) (rate, error) {
	oc, err := b.env.js.OrderedConsumer(ctx, consumer.DefaultStream,
		jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return rate{}, err
	}
	start := time.Now()
	it, err := oc.Messages(jetstream.PullMaxMessages(4096))
	if err != nil {
		return rate{}, err
	}
	defer it.Stop()
	var cats [event.NumCategories]int
	for range n {
		m, err := it.Next()
		if err != nil {
			return rate{}, fmt.Errorf("ordered consumer: %w", err)
		}
		var ev bareEvent
		if err := json.Unmarshal(m.Data(), &ev); err != nil {
			return rate{}, fmt.Errorf("decoding: %w", err)
		}
		if c, ok := event.ParseCategory(ev.Category); ok {
			cats[c]++
		}
	}
	return newRate(n, time.Since(start)), nil
}

// trace logs what(), every 250 ms, until the returned stop is called;
// only with -v.
func (b *bench) trace(phase string, what func() string) (stop func()) {
	if !b.verbose {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				b.logf("%s %5.2fs: %s", phase, time.Since(start).Seconds(), what())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
