package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Defaults of WriterConfig.
const (
	DefaultBufferSize   = 65536
	DefaultBatchSize    = 512
	DefaultMaxAttempts  = 3
	DefaultAckTimeout   = 5 * time.Second
	DefaultRetryBackoff = 100 * time.Millisecond
)

// failureLogEvery is the least time between two logged publish failures;
// the ones in between are counted in the next log line.
const failureLogEvery = 10 * time.Second

// WriterConfig tunes a Writer. The zero value is valid.
type WriterConfig struct {
	// BufferSize bounds the entries waiting to be published. Default
	// 65,536. When it is full, Record does not wait: it counts the entry
	// in Stats.Dropped and returns false.
	BufferSize int
	// BatchSize is the most entries published before waiting for their
	// acks, so it bounds the publishes in flight. Default 512.
	BatchSize int
	// MaxAttempts is how often an entry is published before it counts as
	// failed. Default 3.
	MaxAttempts int
	// AckTimeout bounds the wait for one batch's acks. Default 5 s.
	AckTimeout time.Duration
	// RetryBackoff is the pause before the first retry, doubled for each
	// further one. Default 100 ms.
	RetryBackoff time.Duration
	// Now is the monitor's clock, used for entries without a time.
	// Default time.Now.
	Now func() time.Time
	// Tally, when set, observes every accepted entry.
	Tally *Tally
	// Logger receives lifecycle lines and rate-limited publish
	// failures. Default: no logging.
	Logger zerolog.Logger
}

// Validate reports a negative setting, wrapping ErrInvalidConfig.
func (c WriterConfig) Validate() error {
	if c.BufferSize < 0 || c.BatchSize < 0 || c.MaxAttempts < 0 ||
		c.AckTimeout < 0 || c.RetryBackoff < 0 {
		return fmt.Errorf("%w: negative writer setting", ErrInvalidConfig)
	}
	return nil
}

func (c WriterConfig) withDefaults() WriterConfig {
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = DefaultAckTimeout
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// WriterStats counts what became of recorded entries. Every entry given
// to Record ends in exactly one of Written, Dropped, Invalid or Failed,
// or is still Buffered.
type WriterStats struct {
	// Written entries were acknowledged by JetStream.
	Written uint64
	// Dropped entries found the buffer full or the writer closed.
	Dropped uint64
	// Invalid entries had an unknown type, a bad tenant id or a value
	// that is not finite.
	Invalid uint64
	// Failed entries were refused on every attempt, or were still
	// buffered when Close ran out of time.
	Failed uint64
	// Buffered entries are accepted and not yet written or failed.
	Buffered uint64
}

// Writer publishes audit entries to JetStream in the background. Record
// never blocks; one goroutine, started by Start and stopped by Close,
// drains the buffer in batches with asynchronous publishes.
type Writer struct {
	js  jetstream.JetStream
	cfg WriterConfig
	log zerolog.Logger

	// queue is bounded by cfg.BufferSize; see WriterConfig.BufferSize.
	queue chan Entry
	stop  chan struct{}
	done  chan struct{}

	// mu orders Record's sends before Close's final drain: Record
	// sends under the read lock, Close sets closed under the write lock.
	mu      sync.RWMutex
	closed  bool
	started bool
	cancel  context.CancelFunc

	written  atomic.Uint64
	dropped  atomic.Uint64
	invalid  atomic.Uint64
	failed   atomic.Uint64
	buffered atomic.Int64
}

// NewWriter returns a Writer publishing with js. It fails with
// ErrInvalidConfig. Entries may be recorded before Start; they wait in
// the buffer.
func NewWriter(js jetstream.JetStream, cfg WriterConfig) (*Writer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	w := &Writer{
		js:    js,
		cfg:   cfg,
		log:   cfg.Logger.With().Str("component", "audit_writer").Logger(),
		queue: make(chan Entry, cfg.BufferSize),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	return w, nil
}

// Record queues e for writing and reports whether it was accepted. It
// never blocks: a full buffer or a closed writer drops e, an invalid
// entry is refused, and both are counted in Stats. Record fills in Time
// when zero and compacts event-received entries. Safe for concurrent use.
func (w *Writer) Record(e Entry) bool {
	if why := e.check(); why != "" {
		w.invalid.Add(1)
		return false
	}
	if e.Time.IsZero() {
		e.Time = w.cfg.Now()
	}
	e.normalize()

	w.mu.RLock()
	ok := !w.closed
	if ok {
		select {
		case w.queue <- e:
			w.buffered.Add(1)
		default:
			ok = false
		}
	}
	w.mu.RUnlock()

	if !ok {
		w.dropped.Add(1)
		return false
	}
	if w.cfg.Tally != nil {
		w.cfg.Tally.Observe(e)
	}
	return true
}

// Stats returns the writer's counters. Safe for concurrent use.
func (w *Writer) Stats() WriterStats {
	return WriterStats{
		Written:  w.written.Load(),
		Dropped:  w.dropped.Load(),
		Invalid:  w.invalid.Load(),
		Failed:   w.failed.Load(),
		Buffered: uint64(max(w.buffered.Load(), 0)),
	}
}

// Start launches the writer's goroutine. A second Start does nothing;
// Start after Close fails with ErrClosed.
func (w *Writer) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()

	if w.closed {
		return ErrClosed
	}
	w.startLocked()
	return nil
}

func (w *Writer) startLocked() {
	if w.started {
		return
	}
	w.started = true

	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.log.Info().Int("buffer_size", w.cfg.BufferSize).Msg("writer started")
	go w.run(ctx)
}

// Close stops accepting entries, publishes what is buffered and waits
// for the goroutine to end. When ctx ends first, the entries not yet
// written are counted as failed and Close returns ctx's error joined
// with ErrUnwritten. A second Close fails with ErrClosed.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.closed = true
	w.startLocked()
	w.mu.Unlock()

	failedBefore := w.failed.Load()
	close(w.stop)

	var errs []error
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
		errs = append(errs,
			fmt.Errorf("flushing audit entries: %w", ctx.Err()))
	}
	w.cancel()

	if n := w.failed.Load() - failedBefore; n > 0 {
		errs = append(errs, fmt.Errorf("%w: %d during close", ErrUnwritten, n))
	}
	w.log.Info().Uint64("written", w.written.Load()).
		Uint64("failed", w.failed.Load()).Msg("writer closed")
	return errors.Join(errs...)
}
