package consumer

import (
	"context"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/event"
)

// runRebuild replays the stream, silently, up to each category's ack
// floor: the events the monitor had applied and acknowledged before it
// stopped. They are judged exactly as live (the future-timestamp check
// uses the stored time) but nothing is republished, copied or audited.
func (p *Pipeline) runRebuild(ctx context.Context, floors [event.NumCategories]uint64) error {
	defer p.rebuild.done.Store(true)

	var top uint64
	for _, f := range floors {
		top = max(top, f)
	}
	s, err := p.js.Stream(ctx, p.cfg.Stream)
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", p.cfg.Stream, err)
	}
	st := s.CachedInfo().State
	top = min(top, st.LastSeq)
	if top == 0 || top < st.FirstSeq {
		p.log.Info().Msg("no earlier state to rebuild")
		return nil
	}
	p.rebuild.target.Store(top - st.FirstSeq + 1)
	p.log.Info().Uint64("from_seq", st.FirstSeq).Uint64("to_seq", top).Msg("rebuilding state from the stream")

	oc, err := p.js.OrderedConsumer(ctx, p.cfg.Stream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("opening rebuild consumer: %w", err)
	}
	it, err := oc.Messages(jetstream.PullMaxMessages(4096))
	if err != nil {
		return fmt.Errorf("opening rebuild consumer: %w", err)
	}
	defer it.Stop()

	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		m, err := it.Next()
		if err != nil {
			return fmt.Errorf("rebuild read: %w", err)
		}
		md, err := m.Metadata()
		if err != nil {
			continue
		}
		seq := md.Sequence.Stream
		p.rebuild.applied.Store(seq - st.FirstSeq + 1)
		if cat, ok := categoryOf(p.cfg.Prefix, m.Subject()); ok && seq <= floors[cat] {
			msg := message{subject: m.Subject(), body: m.Data(), seq: seq, stored: md.Timestamp}
			if err := p.handle(ctx, msg, true, &wg); err != nil {
				return err
			}
		}
		if seq >= top {
			break
		}
	}
	wg.Wait()
	p.log.Info().Uint64("events", p.rebuild.applied.Load()).Msg("state rebuilt")
	return nil
}

// categoryOf returns the category named by an ingest subject.
func categoryOf(prefix, subject string) (event.Category, bool) {
	s, ok := ParseSubject(prefix, subject)
	if !ok {
		return 0, false
	}
	return event.ParseCategory(s.Category)
}
