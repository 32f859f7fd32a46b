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
	DefaultBufferSize        = 65536
	DefaultBatchSize         = 512
	DefaultMaxAttempts       = 3
	DefaultAckTimeout        = 5 * time.Second
	DefaultRetryBackoff      = 100 * time.Millisecond
	DefaultEventBufferSize   = 65536
	DefaultEventBatchRecords = 1000
	DefaultEventBatchBytes   = 64 << 10
	DefaultFlushInterval     = time.Second
)

// failureLogEvery is the least time between two logged publish failures;
// the ones in between are counted in the next log line.
const failureLogEvery = 10 * time.Second

// WriterConfig tunes a Writer. The zero value is valid.
type WriterConfig struct {
	// BufferSize bounds the trail entries (every type but
	// event-received) waiting to be published. Default 65,536. When it
	// is full, Record does not wait: it counts the entry in
	// Stats.Dropped and returns false.
	BufferSize int
	// BatchSize is the most trail entries published before waiting for
	// their acks, so it bounds the publishes in flight. Default 512.
	BatchSize int
	// EventBufferSize bounds the event-received records waiting to be
	// put into batches, and separately those in open batches: the open
	// batches are all published when they reach it. Default 65,536.
	// When the buffer is full, Record does not wait: it counts the
	// entry in Stats.Dropped and returns false.
	EventBufferSize int
	// EventBatchRecords is the most event-received records of one
	// stored message, at most MaxBatchRecords. Default 1,000.
	EventBatchRecords int
	// EventBatchBytes is the most bytes of one batch message's body.
	// Default 64 KiB; a single record is always stored, whatever its
	// size.
	EventBatchBytes int
	// FlushInterval is the longest an event-received record waits in
	// an open batch before the batch is published. Default 1 s.
	FlushInterval time.Duration
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
	// Tally, when set, observes every accepted trail entry.
	Tally *Tally
	// Logger receives lifecycle lines and rate-limited publish
	// failures. Default: no logging.
	Logger zerolog.Logger
}

// Validate reports a negative setting, or EventBatchRecords above
// MaxBatchRecords, wrapping ErrInvalidConfig.
func (c WriterConfig) Validate() error {
	switch {
	case c.BufferSize < 0, c.BatchSize < 0, c.MaxAttempts < 0,
		c.AckTimeout < 0, c.RetryBackoff < 0, c.EventBufferSize < 0,
		c.EventBatchRecords < 0, c.EventBatchBytes < 0,
		c.FlushInterval < 0:
		return fmt.Errorf("%w: negative writer setting", ErrInvalidConfig)
	case c.EventBatchRecords > MaxBatchRecords:
		return fmt.Errorf("%w: event batch records above %d",
			ErrInvalidConfig, MaxBatchRecords)
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
	if c.EventBufferSize == 0 {
		c.EventBufferSize = DefaultEventBufferSize
	}
	if c.EventBatchRecords == 0 {
		c.EventBatchRecords = DefaultEventBatchRecords
	}
	if c.EventBatchBytes == 0 {
		c.EventBatchBytes = DefaultEventBatchBytes
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
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
	// EventBatches counts the batch messages of event-received entries
	// acknowledged by JetStream; their entries count in Written.
	EventBatches uint64
}

// Writer publishes audit entries to JetStream in the background. Record
// never blocks. Two goroutines, started by Start and stopped by Close,
// drain the buffers: one publishes trail entries, one message each, in
// rounds of asynchronous publishes; the other packs event-received
// entries into batch messages, one open batch per tenant.
type Writer struct {
	js  jetstream.JetStream
	cfg WriterConfig
	log zerolog.Logger

	// queue is bounded by cfg.BufferSize; see WriterConfig.BufferSize.
	queue chan Entry
	// events is bounded by cfg.EventBufferSize; see
	// WriterConfig.EventBufferSize.
	events chan eventRecord
	stop   chan struct{}
	// done is closed when both goroutines, counted in wg, have ended.
	done chan struct{}
	wg   sync.WaitGroup

	// mu orders Record's sends before Close's final drain: Record
	// sends under the read lock, Close sets closed under the write lock.
	mu      sync.RWMutex
	closed  bool
	started bool
	cancel  context.CancelFunc

	written  atomic.Uint64
	batches  atomic.Uint64
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
		js:     js,
		cfg:    cfg,
		log:    cfg.Logger.With().Str("component", "audit_writer").Logger(),
		queue:  make(chan Entry, cfg.BufferSize),
		events: make(chan eventRecord, cfg.EventBufferSize),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	return w, nil
}

// Record queues e for writing and reports whether it was accepted. It
// never blocks: a full buffer or a closed writer drops e, an invalid
// entry is refused, and both are counted in Stats. Record fills in Time
// when zero and compacts event-received entries to their time, tenant,
// category, event id, stream sequence and id (when given). Safe for
// concurrent use.
func (w *Writer) Record(e Entry) bool {
	if why := e.check(); why != "" {
		w.invalid.Add(1)
		return false
	}
	if e.Time.IsZero() {
		e.Time = w.cfg.Now()
	}
	if e.Type == TypeEventReceived {
		return w.recordEvent(&e)
	}
	e.normalize()

	if !offer(w, w.queue, e) {
		return false
	}
	if w.cfg.Tally != nil {
		w.cfg.Tally.Observe(e)
	}
	return true
}

// recordEvent queues a checked event-received entry for its batch.
func (w *Writer) recordEvent(e *Entry) bool {
	r := eventRecord{
		tenant:    e.TenantID,
		category:  capText(e.Category, MaxFieldBytes),
		eventID:   capText(e.EventID, MaxFieldBytes),
		id:        capText(e.ID, MaxFieldBytes),
		time:      e.Time.UnixNano(),
		streamSeq: e.StreamSeq,
	}
	return offer(w, w.events, r)
}

// offer puts v on one of the writer's bounded queues without waiting: a
// closed writer or a full queue counts v as dropped and returns false.
func offer[T any](w *Writer, queue chan<- T, v T) bool {
	w.mu.RLock()
	ok := !w.closed
	if ok {
		select {
		case queue <- v:
			w.buffered.Add(1)
		default:
			ok = false
		}
	}
	w.mu.RUnlock()

	if !ok {
		w.dropped.Add(1)
	}
	return ok
}

// Stats returns the writer's counters. Safe for concurrent use.
func (w *Writer) Stats() WriterStats {
	return WriterStats{
		Written:      w.written.Load(),
		Dropped:      w.dropped.Load(),
		Invalid:      w.invalid.Load(),
		Failed:       w.failed.Load(),
		Buffered:     uint64(max(w.buffered.Load(), 0)),
		EventBatches: w.batches.Load(),
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
	w.log.Info().Int("buffer_size", w.cfg.BufferSize).
		Int("event_buffer_size", w.cfg.EventBufferSize).
		Msg("writer started")
	w.wg.Add(2)
	go w.run(ctx)
	go w.runEvents(ctx)
	go func() {
		w.wg.Wait()
		close(w.done)
	}()
}

// Close stops accepting entries, publishes what is buffered (open
// batches included) and waits for the goroutines to end. When ctx ends first, the entries not yet
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
		Uint64("event_batches", w.batches.Load()).
		Uint64("dropped", w.dropped.Load()).
		Uint64("failed", w.failed.Load()).Msg("writer closed")
	return errors.Join(errs...)
}
