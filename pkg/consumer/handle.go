package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// Rejected describes one rejected message, for the audit trail.
type Rejected struct {
	// Subject is the ingest subject the message arrived on.
	Subject string
	// TenantToken is the subject's tenant token, whatever it holds.
	TenantToken string
	Rejection   event.Rejection
	StreamSeq   uint64
	// Body is the message body as received; the callee must not keep it
	// beyond the call without copying.
	Body []byte
}

// message is what the handler needs of a JetStream message; both the
// durable loop and the rebuild feed it.
type message struct {
	subject string
	body    []byte
	seq     uint64
	stored  time.Time
}

// handle judges one message and hands it to its tenant's actor. done is
// marked when the actor has applied it (or at once when there is nothing
// to apply). Silent handling, during the rebuild, publishes nothing and
// tells no hook. It returns an error only when ctx ended, in which case
// the message was not handed over.
func (p *Pipeline) handle(ctx context.Context, m message, silent bool, done *sync.WaitGroup) (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.stats.panics.Add(1)
			p.log.Error().Uint64("stream_seq", m.seq).Str("subject", m.subject).
				Str("panic", fmt.Sprint(v)).Msg("recovered panic while handling event")
			err = nil
		}
	}()

	now := p.now()
	subj, ok := ParseSubject(p.cfg.Prefix, m.subject)
	var ev *event.Event
	var rej *event.Rejection
	if !ok {
		rej = &event.Rejection{Reason: event.ReasonSubjectMismatch, Detail: "the subject does not have the form prefix.category.tenant.facility"}
	} else {
		ev, rej = Decode(m.body, subj, m.stored, p.cfg.Limits)
	}

	var actor *state.Actor
	if rej == nil {
		actor, err = p.registry.GetOrCreate(ev.TenantID)
		if errors.Is(err, state.ErrTenantLimit) {
			rej = &event.Rejection{Reason: event.ReasonTenantLimit, Detail: "the monitor already tracks its maximum number of tenants"}
		} else if err != nil {
			return err
		}
	}
	if rej != nil {
		return p.rejectMsg(ctx, m, subj.Tenant, rej, silent, done)
	}

	p.stats.accepted.Add(1)
	meta := event.Meta{StreamSeq: m.seq, Stored: m.stored, Received: now}
	done.Add(1)
	if err := actor.Apply(ctx, ev, meta, silent, done); err != nil {
		done.Done()
		return err
	}
	return nil
}

// rejectMsg counts a rejection under the subject's tenant (when that token
// is a tenant id the monitor may track) and, live, copies the message to
// monitor.rejected.<token> and tells the audit hook.
func (p *Pipeline) rejectMsg(ctx context.Context, m message, token string, rej *event.Rejection, silent bool, done *sync.WaitGroup) error {
	p.stats.rejected[rej.Reason].Add(1)
	if event.ValidName(token) {
		if a, err := p.registry.GetOrCreate(token); err == nil {
			done.Add(1)
			if err := a.Reject(ctx, rej.Reason, done); err != nil {
				done.Done()
				return err
			}
		}
	}
	if silent {
		return nil
	}

	copyToken := token
	if !subjectToken(copyToken) {
		copyToken = "_invalid"
	}
	if err := p.nc.PublishMsg(rejectedMsg(copyToken, m.body, rej, m.seq, p.nc.MaxPayload())); err != nil {
		p.log.Error().Err(err).Uint64("stream_seq", m.seq).Msg("copying rejected event failed")
	}
	if p.onRejected != nil {
		p.onRejected(Rejected{Subject: m.subject, TenantToken: token, Rejection: *rej, StreamSeq: m.seq, Body: m.body})
	}
	p.rejectLog.Warn(func() {
		p.log.Warn().Str("reason", rej.Reason.String()).Str("detail", rej.Detail).
			Uint64("stream_seq", m.seq).Str("subject", m.subject).Msg("event rejected")
	})
	return nil
}

// subjectToken reports whether s can stand as one token of a subject.
func subjectToken(s string) bool {
	if s == "" || s == "*" || s == ">" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == '.' || s[i] == 0x7f {
			return false
		}
	}
	return true
}
