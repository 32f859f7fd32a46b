package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// Options wire a Pipeline to NATS and to the tenant state.
type Options struct {
	Config   Config
	Conn     *nats.Conn
	JS       jetstream.JetStream
	Registry *state.Registry
	Logger   zerolog.Logger
	// OnRejected is told of every live rejection (not those replayed by
	// the rebuild), on the consumer's goroutine. Optional.
	OnRejected func(Rejected)
	// Now is the wall clock, for receipt times. Default time.Now.
	Now func() time.Time
}

// Pipeline reads the ingest stream: first a silent rebuild of the state
// up to where the durable consumers stand, then the durable consumers
// live, one loop per category.
//
// Pipeline is safe for concurrent use; Run is called once.
type Pipeline struct {
	cfg        Config
	nc         *nats.Conn
	js         jetstream.JetStream
	registry   *state.Registry
	log        zerolog.Logger
	onRejected func(Rejected)
	now        func() time.Time
	rejectLog  rateLog

	stats   counters
	rebuild progress

	// mu guards consumers, the last polled consumer figures.
	mu        sync.Mutex
	consumers []ConsumerHealth
}

// ConsumerHealth is one durable consumer's backlog, as last polled.
type ConsumerHealth struct {
	Category    string `json:"category"`
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ackPending"`
	Redelivered int    `json:"redelivered"`
	Missing     bool   `json:"missing,omitempty"`
}

// Progress says how far the start-up rebuild has come.
type Progress struct {
	Done    bool   `json:"done"`
	Applied uint64 `json:"applied"`
	Target  uint64 `json:"target"`
}

type progress struct {
	done    atomic.Bool
	applied atomic.Uint64
	target  atomic.Uint64
}

// Stats are the pipeline's running totals.
type Stats struct {
	Accepted   uint64
	Rejected   [event.NumReasons]uint64
	Skipped    uint64 // redeliveries of events already applied
	Panics     uint64
	Gaps       uint64 // lost deliveries detected and recovered
	AckBatches uint64
}

type counters struct {
	accepted   atomic.Uint64
	rejected   [event.NumReasons]atomic.Uint64
	skipped    atomic.Uint64
	panics     atomic.Uint64
	gaps       atomic.Uint64
	ackBatches atomic.Uint64
}

// New returns a pipeline; Run starts it.
func New(opts Options) (*Pipeline, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Conn == nil || opts.JS == nil || opts.Registry == nil {
		return nil, fmt.Errorf("%w: connection, JetStream and registry are required", ErrConfig)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Pipeline{
		cfg:        opts.Config.withDefaults(),
		nc:         opts.Conn,
		js:         opts.JS,
		registry:   opts.Registry,
		log:        opts.Logger.With().Str("component", "consumer").Logger(),
		onRejected: opts.OnRejected,
		now:        now,
		rejectLog:  rateLog{every: 10 * time.Second},
	}, nil
}

// Run rebuilds the state and then consumes live until ctx ends or a
// consumer fails for good. The streams and consumers must exist
// (Provision). It returns nil when ctx ended, after every loop stopped and
// every handed-over event was applied and acknowledged.
func (p *Pipeline) Run(ctx context.Context) error {
	floors, err := p.ackFloors(ctx)
	if err != nil {
		return err
	}
	if err := p.runRebuild(ctx, floors); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, event.NumCategories+1)
	var wg sync.WaitGroup
	for _, cat := range event.Categories {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &loop{p: p, cat: cat, applied: floors[cat]}
			if err := l.run(ctx); err != nil {
				errs <- fmt.Errorf("%s consumer: %w", cat, err)
				cancel()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.pollConsumers(ctx)
	}()
	wg.Wait()
	close(errs)
	return <-errs
}

// ackFloors returns, per category, the highest stream sequence its
// durable consumer has acknowledged: everything up to it was applied
// before the last stop.
//
// A consumer that still has deliveries outstanding beyond its floor (the
// previous instance died with a batch in flight) is reset to deliver from
// the floor on, so that those messages come first and in order.
func (p *Pipeline) ackFloors(ctx context.Context) ([event.NumCategories]uint64, error) {
	var floors [event.NumCategories]uint64
	for _, cat := range event.Categories {
		c, err := p.js.Consumer(ctx, p.cfg.Stream, p.cfg.durable(cat))
		if err != nil {
			return floors, fmt.Errorf("reading consumer %s: %w", p.cfg.durable(cat), err)
		}
		info := c.CachedInfo()
		floors[cat] = info.AckFloor.Stream
		if info.Delivered.Stream > info.AckFloor.Stream || info.NumAckPending > 0 {
			p.log.Info().Str("category", cat.String()).Uint64("ack_floor", floors[cat]).
				Int("ack_pending", info.NumAckPending).Msg("consumer had deliveries in flight; resetting it to its ack floor")
			if err := resetConsumer(ctx, p.js, p.cfg, cat, floors[cat]); err != nil {
				return floors, err
			}
		}
	}
	return floors, nil
}

// Stats returns the running totals.
func (p *Pipeline) Stats() Stats {
	var s Stats
	s.Accepted = p.stats.accepted.Load()
	for i := range s.Rejected {
		s.Rejected[i] = p.stats.rejected[i].Load()
	}
	s.Skipped = p.stats.skipped.Load()
	s.Panics = p.stats.panics.Load()
	s.Gaps = p.stats.gaps.Load()
	s.AckBatches = p.stats.ackBatches.Load()
	return s
}

// Progress returns how far the rebuild has come.
func (p *Pipeline) Progress() Progress {
	return Progress{
		Done:    p.rebuild.done.Load(),
		Applied: p.rebuild.applied.Load(),
		Target:  p.rebuild.target.Load(),
	}
}

// Consumers returns the consumers' backlog as last polled (every few
// seconds), in category order; nil before the first poll.
func (p *Pipeline) Consumers() []ConsumerHealth {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ConsumerHealth(nil), p.consumers...)
}

// Pending returns the messages not yet delivered on all consumers, as
// last polled.
func (p *Pipeline) Pending() uint64 {
	var n uint64
	for _, c := range p.Consumers() {
		n += c.Pending
	}
	return n
}

const pollEvery = 2 * time.Second

func (p *Pipeline) pollConsumers(ctx context.Context) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		p.pollOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// PollNow refreshes the consumer figures at once.
func (p *Pipeline) PollNow(ctx context.Context) { p.pollOnce(ctx) }

func (p *Pipeline) pollOnce(ctx context.Context) {
	out := make([]ConsumerHealth, 0, event.NumCategories)
	for _, cat := range event.Categories {
		h := ConsumerHealth{Category: cat.String()}
		c, err := p.js.Consumer(ctx, p.cfg.Stream, p.cfg.durable(cat))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.Missing = errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound)
			if !h.Missing {
				p.log.Debug().Err(err).Str("category", cat.String()).Msg("polling consumer failed")
			}
		} else {
			info := c.CachedInfo()
			h.Pending = info.NumPending
			h.AckPending = info.NumAckPending
			h.Redelivered = info.NumRedelivered
		}
		out = append(out, h)
	}
	p.mu.Lock()
	p.consumers = out
	p.mu.Unlock()
}
