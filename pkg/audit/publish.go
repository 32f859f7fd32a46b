package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// run is the trail goroutine: it publishes buffered entries of every
// type but event-received, batch by batch, until Close; then it drains
// the buffer and returns. ctx is cancelled when Close runs out of time.
func (w *Writer) run(ctx context.Context) {
	defer w.wg.Done()

	p := w.newPublisher()
	batch := make([]Entry, 0, w.cfg.BatchSize)
	for {
		select {
		case e := <-w.queue:
			batch = w.fill(append(batch[:0], e))
			p.publish(ctx, p.encodeAll(batch))
		case <-w.stop:
			for {
				batch = w.fill(batch[:0])
				if len(batch) == 0 {
					p.flushLog()
					return
				}
				p.publish(ctx, p.encodeAll(batch))
			}
		}
	}
}

// fill adds buffered entries to batch, without waiting, up to BatchSize.
func (w *Writer) fill(batch []Entry) []Entry {
	for len(batch) < w.cfg.BatchSize {
		select {
		case e := <-w.queue:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// outMsg is one message to store and the number of entries it holds.
type outMsg struct {
	msg     *nats.Msg
	entries int
	// batch marks a batch of event-received entries.
	batch bool
}

// publisher publishes for one of the writer's goroutines and owns the
// state of its failure log.
type publisher struct {
	w   *Writer
	ids *nuid.NUID

	// failures counts failed entries since the last log line.
	failures int
	lastErr  error
	lastLog  time.Time
}

func (w *Writer) newPublisher() *publisher {
	return &publisher{w: w, ids: nuid.New()}
}

// encodeAll turns trail entries into messages of one entry each.
func (p *publisher) encodeAll(batch []Entry) []outMsg {
	msgs := make([]outMsg, 0, len(batch))
	for i := range batch {
		if m := p.encode(&batch[i]); m != nil {
			msgs = append(msgs, outMsg{msg: m, entries: 1})
		}
	}
	return msgs
}

// publish writes msgs, retrying what failed, and settles every entry
// they hold as written or failed.
func (p *publisher) publish(ctx context.Context, msgs []outMsg) {
	backoff := p.w.cfg.RetryBackoff
	for attempt := 1; len(msgs) > 0; attempt++ {
		msgs = p.send(ctx, msgs)
		if len(msgs) == 0 {
			return
		}
		if attempt >= p.w.cfg.MaxAttempts || !sleep(ctx, backoff) {
			n := 0
			for _, m := range msgs {
				n += m.entries
			}
			p.fail(n)
			return
		}
		backoff *= 2
	}
}

// encode turns e into a message with its id as Nats-Msg-Id, or counts it
// failed when it cannot be encoded.
func (p *publisher) encode(e *Entry) *nats.Msg {
	if e.ID == "" {
		e.ID = p.ids.Next()
	}
	data, err := json.Marshal(e)
	if err != nil {
		p.lastErr = err
		p.fail(1)
		return nil
	}

	m := nats.NewMsg(subjectFor(e))
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, e.ID)
	return m
}

// send publishes msgs once and returns those that were not acknowledged
// within AckTimeout.
func (p *publisher) send(ctx context.Context, msgs []outMsg) []outMsg {
	var retry []outMsg
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	sent := make([]outMsg, 0, len(msgs))
	for _, m := range msgs {
		f, err := p.w.js.PublishMsgAsync(copyMsg(m.msg))
		if err != nil {
			p.lastErr = err
			retry = append(retry, m)
			continue
		}
		futures = append(futures, f)
		sent = append(sent, m)
	}

	timer := time.NewTimer(p.w.cfg.AckTimeout)
	defer timer.Stop()
	expired := false
	for i, f := range futures {
		if !expired {
			select {
			case <-f.Ok():
				p.written(sent[i])
				continue
			case err := <-f.Err():
				p.lastErr = err
				retry = append(retry, sent[i])
				continue
			case <-timer.C:
				expired = true
			case <-ctx.Done():
				expired = true
			}
		}
		select {
		case <-f.Ok():
			p.written(sent[i])
		default:
			retry = append(retry, sent[i])
		}
	}
	if expired && p.lastErr == nil {
		p.lastErr = context.DeadlineExceeded
	}
	return retry
}

// copyMsg returns a fresh message with m's subject, headers and data, so
// a retry never reuses a message the client library has seen.
func copyMsg(m *nats.Msg) *nats.Msg {
	return &nats.Msg{Subject: m.Subject, Header: m.Header, Data: m.Data}
}

func (p *publisher) written(m outMsg) {
	p.w.written.Add(uint64(m.entries))
	p.w.buffered.Add(-int64(m.entries))
	if m.batch {
		p.w.batches.Add(1)
	}
}

// fail counts n entries as failed and logs, at most once per
// failureLogEvery, how many failed since the last line.
func (p *publisher) fail(n int) {
	p.w.failed.Add(uint64(n))
	p.w.buffered.Add(-int64(n))
	p.failures += n

	if time.Since(p.lastLog) >= failureLogEvery {
		p.flushLog()
	}
}

func (p *publisher) flushLog() {
	if p.failures == 0 {
		return
	}
	p.w.log.Error().Err(p.lastErr).Int("entries", p.failures).
		Msg("audit entries not written")
	p.failures = 0
	p.lastLog = time.Now()
}

// sleep waits d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
