package subscribe

import (
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// item is one entry of a shard's queue: an event with the candidate
// subscriptions it was offered to, or the end signal of one
// subscription.
type item struct {
	ev   *event.Event
	meta event.Meta
	subs []*sub

	end string // an End reason: this item ends sub
	sub *sub
}

// shard delivers the events of the subscriptions hashed to it, in the
// order they were offered, on one goroutine.
type shard struct {
	e *Engine
	// q is bounded by Config.QueueLen. Offer never waits on it: when it
	// is full the event is dropped for this shard's matching
	// subscriptions and counted. End signals wait for room instead.
	q chan item
}

// run delivers queued items until the engine closes, then delivers what
// is still queued and returns.
func (sh *shard) run() {
	defer sh.e.wg.Done()
	for {
		select {
		case it := <-sh.q:
			sh.handle(it)
		case <-sh.e.quit:
			for {
				select {
				case it := <-sh.q:
					sh.handle(it)
				default:
					return
				}
			}
		}
	}
}

func (sh *shard) handle(it item) {
	if it.end != "" {
		sh.endSub(it.sub, it.end)
		return
	}
	d := delivery{ev: it.ev, meta: it.meta}
	for _, s := range it.subs {
		if s.ended || s.shard != sh || !s.m.match(it.ev) {
			continue
		}
		sh.deliver(s, &d)
	}
}

// delivery is one event being delivered, with what every subscription's
// message shares, computed at most once.
type delivery struct {
	ev       *event.Event
	meta     event.Meta
	seq      string
	received string
	stripped []byte // the body without operator fields, once needed
	bad      bool   // the body could not be filtered
	// plain is 1 when the body names no operator but ev.OperatorID, so
	// that whoever sees that operator gets the body as it is; 2 when it
	// does (repeated members), and every subscriber needs the full
	// filter; 0 until known.
	plain uint8
}

// body returns the event as subscriber vis may see it, and false when
// the body cannot be filtered (then nothing is delivered).
func (d *delivery) body(vis *policy.Visibility) ([]byte, bool) {
	if vis.All() {
		return d.ev.Raw, true
	}
	if !vis.CanSee(d.ev.OperatorID) {
		// Not visible: every subscriber that cannot see the operator gets
		// the same stripped body.
		if d.stripped == nil && !d.bad {
			out, err := policy.StripOperatorFields(d.ev.Raw, policy.Visibility{})
			d.stripped, d.bad = out, err != nil
		}
		return d.stripped, !d.bad
	}
	if d.plain == 0 {
		d.plain = 2
		only := policy.NewVisibility(policy.Caller{TenantID: d.ev.TenantID,
			OperatorID: d.ev.OperatorID}, d.ev.TenantID, nil)
		if out, err := policy.StripOperatorFields(d.ev.Raw, only); err == nil &&
			len(out) == len(d.ev.Raw) {
			d.plain = 1
		}
	}
	if d.plain == 1 {
		return d.ev.Raw, true
	}
	out, err := policy.StripOperatorFields(d.ev.Raw, *vis)
	return out, err == nil
}

func (sh *shard) deliver(s *sub, d *delivery) {
	body, ok := d.body(s.vis.Load())
	if !ok {
		s.dropped.Add(1)
		sh.e.dropped.Add(1)
		return
	}
	if d.seq == "" {
		d.seq = strconv.FormatUint(d.meta.StreamSeq, 10)
		d.received = d.meta.Received.UTC().Format(time.RFC3339Nano)
	}
	m := &nats.Msg{Subject: s.subject, Data: body, Header: nats.Header{
		consumer.HeaderStreamSeq:  {d.seq},
		consumer.HeaderReceivedAt: {d.received},
		HeaderSubscriptionID:      {s.id},
	}}
	if err := sh.e.cfg.Publisher.PublishMsg(m); err != nil {
		s.dropped.Add(1)
		sh.e.dropped.Add(1)
		return
	}
	s.delivered.Add(1)
	sh.e.delivered.Add(1)
}

// endSub publishes s's last message: an empty body with the end reason.
func (sh *shard) endSub(s *sub, reason string) {
	s.ended = true
	sh.e.ended.Add(1)
	m := &nats.Msg{Subject: s.subject, Header: nats.Header{
		HeaderSubscriptionID:  {s.id},
		HeaderSubscriptionEnd: {reason},
	}}
	if err := sh.e.cfg.Publisher.PublishMsg(m); err != nil {
		sh.e.log.Debug().Err(err).Str("subscription", s.id).
			Str("reason", reason).Msg("end signal not sent")
	}
}
