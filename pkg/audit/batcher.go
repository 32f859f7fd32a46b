package audit

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// drainChunk is the most records the events goroutine takes from its
// buffer before it publishes the batches that are ready.
const drainChunk = 4096

// minFlushTick is the shortest pause between two looks for batches that
// are FlushInterval old.
const minFlushTick = 5 * time.Millisecond

// runEvents is the events goroutine. It gathers event-received records
// into one open batch per tenant, and publishes a batch when it holds
// EventBatchRecords records or EventBatchBytes, when it is FlushInterval
// old, or when the open batches together hold EventBufferSize records.
// On Close it drains the buffer, publishes every batch and returns. ctx
// is cancelled when Close runs out of time.
func (w *Writer) runEvents(ctx context.Context) {
	defer w.wg.Done()

	b := batcher{
		w:    w,
		p:    w.newPublisher(),
		open: map[string]*batchBuilder{},
	}
	tick := time.NewTicker(max(w.cfg.FlushInterval/4, minFlushTick))
	defer tick.Stop()

	for {
		select {
		case r := <-w.events:
			b.add(&r)
			b.drain(drainChunk)
		case now := <-tick.C:
			b.closeOlder(now.Add(-w.cfg.FlushInterval))
		case <-w.stop:
			for b.drain(drainChunk) > 0 {
				b.publish(ctx)
			}
			b.closeOlder(time.Time{})
			b.publish(ctx)
			b.p.flushLog()
			return
		}
		b.publish(ctx)
	}
}

// batcher is the state owned by the events goroutine.
type batcher struct {
	w *Writer
	p *publisher
	// open holds each tenant's batch being filled.
	open map[string]*batchBuilder
	// pending counts the records in open batches.
	pending int
	// ready holds closed batches waiting to be published.
	ready []outMsg
}

// drain adds up to n buffered records without waiting and returns how
// many it added.
func (b *batcher) drain(n int) int {
	for i := range n {
		select {
		case r := <-b.w.events:
			b.add(&r)
		default:
			return i
		}
	}
	return n
}

// add puts r into its tenant's open batch, closing that batch first when
// r would not fit, and after when it is full.
func (b *batcher) add(r *eventRecord) {
	cfg := &b.w.cfg
	bb := b.open[r.tenant]
	if bb != nil && bb.size()+recordSize(r) > cfg.EventBatchBytes {
		b.close(bb)
		bb = nil
	}
	if bb == nil {
		bb = newBatchBuilder(r.tenant, b.p.ids.Next(), r.time, time.Now())
		b.open[r.tenant] = bb
	}

	bb.add(r)
	b.pending++
	if bb.count >= cfg.EventBatchRecords {
		b.close(bb)
	}
	if b.pending >= cfg.EventBufferSize {
		b.closeOlder(time.Time{})
	}
}

// close moves bb from the open batches to the ready ones.
func (b *batcher) close(bb *batchBuilder) {
	delete(b.open, bb.tenant)
	b.pending -= bb.count

	m := nats.NewMsg(EventsSubjectPrefix + bb.tenant)
	m.Data = bb.bytes()
	m.Header.Set(jetstream.MsgIDHeader, bb.id)
	b.ready = append(b.ready, outMsg{msg: m, entries: bb.count, batch: true})
}

// closeOlder closes every open batch opened before t; a zero t closes
// them all.
func (b *batcher) closeOlder(t time.Time) {
	for _, bb := range b.open {
		if t.IsZero() || bb.opened.Before(t) {
			b.close(bb)
		}
	}
}

// publish stores the ready batches and settles their records.
func (b *batcher) publish(ctx context.Context) {
	if len(b.ready) == 0 {
		return
	}
	b.p.publish(ctx, b.ready)
	clear(b.ready)
	b.ready = b.ready[:0]
}
