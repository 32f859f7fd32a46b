package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/event"
)

// loop consumes one category's durable consumer. It takes what has
// arrived (up to Batch messages) and hands every new event to its
// tenant's actor; an acker goroutine waits until all of a batch's events
// are applied and only then acknowledges the batch with one cumulative
// ack (AckAll) on its highest message. The loop goes on with the next
// batch meanwhile (at most maxBatchesInFlight batches wait for their
// ack), so reading and decoding overlap with applying. Mailboxes are
// FIFO, so order within the category holds.
//
// applied is the highest stream sequence already applied; a redelivery at
// or below it is skipped, so every event is applied exactly once.
type loop struct {
	p       *Pipeline
	cat     event.Category
	applied uint64
	lastDlv uint64 // consumer sequence of the last delivery seen
}

func (l *loop) run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := l.consume(ctx)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, errGap) {
			l.p.log.Error().Err(err).Str("category", l.cat.String()).Msg("consumer stopped, restarting")
		}
		// Whatever was delivered after the last applied event must come
		// back, in order, before anything newer: start the consumer
		// again right after it.
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil
		}
		if err := resetConsumer(ctx, l.p.js, l.p.cfg, l.cat, l.applied); err != nil {
			l.p.log.Error().Err(err).Str("category", l.cat.String()).Msg("consumer reset failed")
		}
	}
	return nil
}

var errGap = errors.New("lost delivery")

// errStopped says the iterator ended while the loop should still run.
var errStopped = errors.New("message iterator stopped")

// consume runs one iterator until ctx ends or a delivery goes missing.
func (l *loop) consume(ctx context.Context) error {
	c, err := l.p.js.Consumer(ctx, l.p.cfg.Stream, l.p.cfg.durable(l.cat))
	if err != nil {
		return err
	}
	it, err := c.Messages(jetstream.PullMaxMessages(l.p.cfg.Batch * 2))
	if err != nil {
		return err
	}
	defer it.Stop()
	l.lastDlv = 0

	// A reader goroutine turns the blocking iterator into a channel, so
	// that a batch can take whatever has arrived without waiting.
	msgs := make(chan jetstream.Msg, l.p.cfg.Batch)
	readErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		for {
			m, err := it.Next(jetstream.NextContext(ctx))
			if err != nil {
				if ctx.Err() == nil {
					readErr <- fmt.Errorf("%w: %w", errStopped, err)
				}
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		it.Stop()
		for range msgs { // let the reader finish
		}
	}()

	// The acker acknowledges batches in order, each once it is applied.
	acks := make(chan pendingAck, maxBatchesInFlight)
	ackerDone := make(chan struct{})
	go func() {
		defer close(ackerDone)
		for a := range acks {
			a.applied.Wait()
			if err := a.msg.Ack(); err != nil {
				l.p.log.Warn().Err(err).Str("category", l.cat.String()).Msg("acknowledging batch failed")
			}
			l.p.stats.ackBatches.Add(1)
		}
	}()
	defer func() {
		close(acks)
		<-ackerDone
	}()

	batch := make([]jetstream.Msg, 0, l.p.cfg.Batch)
	for {
		batch = batch[:0]
		select {
		case m, ok := <-msgs:
			if !ok {
				select {
				case err := <-readErr:
					return err
				default:
					return nil
				}
			}
			batch = append(batch, m)
		case <-ctx.Done():
			return nil
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case m, ok := <-msgs:
				if !ok {
					break fill
				}
				batch = append(batch, m)
			default:
				break fill
			}
		}
		if err := l.handleBatch(ctx, batch, acks); err != nil {
			return err
		}
	}
}

// maxBatchesInFlight bounds the batches handed to actors but not yet
// acknowledged per category. When it is reached the loop waits for the
// oldest to be applied; JetStream holds the rest (MaxAckPending).
const maxBatchesInFlight = 4

// pendingAck is a batch waiting to be acknowledged.
type pendingAck struct {
	applied *sync.WaitGroup
	msg     jetstream.Msg
}

// handleBatch hands a batch to the actors and queues its ack. On a
// delivery gap it hands over what came before the gap and returns errGap.
func (l *loop) handleBatch(ctx context.Context, batch []jetstream.Msg, acks chan<- pendingAck) error {
	wg := new(sync.WaitGroup)
	var ackMsg jetstream.Msg
	var gapErr error
	for _, m := range batch {
		md, err := m.Metadata()
		if err != nil {
			continue // not a JetStream message: nothing to ack
		}
		if l.lastDlv != 0 && md.Sequence.Consumer != l.lastDlv+1 {
			l.p.stats.gaps.Add(1)
			l.p.log.Warn().Str("category", l.cat.String()).Uint64("expected", l.lastDlv+1).
				Uint64("got", md.Sequence.Consumer).Msg("delivery gap, waiting for redelivery")
			gapErr = errGap
			break
		}
		l.lastDlv = md.Sequence.Consumer
		ackMsg = m
		if md.Sequence.Stream <= l.applied {
			l.p.stats.skipped.Add(1)
			continue
		}
		msg := message{subject: m.Subject(), body: m.Data(), seq: md.Sequence.Stream, stored: md.Timestamp}
		if err := l.p.handle(ctx, msg, false, wg); err != nil {
			// Not handed over: no ack for this batch; what was handed
			// over is applied, and comes back after a restart only if
			// the process stops before a later ack covers it.
			return err
		}
		l.applied = md.Sequence.Stream
	}
	if ackMsg != nil {
		acks <- pendingAck{applied: wg, msg: ackMsg}
	}
	return gapErr
}
