package state

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Applied is called by a tenant's actor, on the actor's goroutine, after
// an event from the live stream has been applied (duplicates included, so
// that the caller can count them). It must not block for long: it runs
// between two events of the tenant.
type Applied func(ev *event.Event, meta event.Meta, out Outcome)

// envelope is one mailbox entry: an event to apply, a rejection to count,
// or a read to run against the state. It is kept small (88 bytes) because
// every actor's mailbox holds MailboxSize of them from the start.
type envelope struct {
	ev     *event.Event
	meta   event.Meta
	done   *sync.WaitGroup
	read   *readReq // set for a read
	kind   entryKind
	reject event.Reason
}

// entryKind says what an envelope asks for.
type entryKind uint8

const (
	entryApply  entryKind = iota // apply ev and call the Applied hook
	entrySilent                  // rebuild: apply ev without the hook
	entryReject                  // count a rejection for reason reject
	entryRead                    // run read.fn
)

// readReq is a read: fn runs on the actor, then ok is closed. Reads are
// rare next to events, so they carry their parts by pointer.
type readReq struct {
	fn func(*Tenant)
	ok chan struct{}
}

// Actor owns one tenant's state on one goroutine. Writers and readers talk
// to it through its bounded mailbox; nothing else touches the state.
//
// Actor is safe for concurrent use.
type Actor struct {
	id      string
	mailbox chan envelope
	tenant  *Tenant
	applied Applied
	panics  *atomic.Uint64
	onPanic func(tenant string, seq uint64, v any)
	stopped <-chan struct{} // closed when the registry closes
}

// ID returns the tenant id the actor owns.
func (a *Actor) ID() string { return a.id }

// Depth returns how many entries wait in the actor's mailbox.
func (a *Actor) Depth() int { return len(a.mailbox) }

// Apply queues ev for the actor. done, when not nil, is marked Done once
// the event is applied (or failed). Silent events, replayed during the
// rebuild, skip the Applied hook. Apply blocks while the mailbox is full
// (back-pressure onto the consumer, whose messages wait in JetStream) and
// returns ctx's error if ctx ends first; done is then not marked.
func (a *Actor) Apply(ctx context.Context, ev *event.Event, meta event.Meta, silent bool, done *sync.WaitGroup) error {
	kind := entryApply
	if silent {
		kind = entrySilent
	}
	return a.send(ctx, envelope{ev: ev, meta: meta, kind: kind, done: done})
}

// Reject queues the count of one rejected message whose ingest subject
// named this tenant. done is marked as for Apply.
func (a *Actor) Reject(ctx context.Context, r event.Reason, done *sync.WaitGroup) error {
	return a.send(ctx, envelope{kind: entryReject, reject: r, done: done})
}

// Read runs fn on the actor's goroutine, after every entry queued before
// it, and returns once fn has returned. fn must not keep the *Tenant.
// It returns ctx's error, or ErrClosed, if either ends first.
func (a *Actor) Read(ctx context.Context, fn func(*Tenant)) error {
	ok := make(chan struct{})
	req := &readReq{fn: fn, ok: ok}
	if err := a.send(ctx, envelope{kind: entryRead, read: req}); err != nil {
		return err
	}
	select {
	case <-ok:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tenant %s: %w", a.id, ctx.Err())
	case <-a.stopped:
		return ErrClosed
	}
}

func (a *Actor) send(ctx context.Context, e envelope) error {
	select {
	case a.mailbox <- e:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tenant %s: %w", a.id, ctx.Err())
	case <-a.stopped:
		return ErrClosed
	}
}

// run is the actor's loop. It ends when ctx ends; entries still queued
// then are dropped unapplied, which is safe because nothing was
// acknowledged for them.
func (a *Actor) run(ctx context.Context) {
	for {
		select {
		case e := <-a.mailbox:
			a.handle(e)
		case <-ctx.Done():
			return
		}
	}
}

// handle processes one entry, recovering a panic so that one bad event
// cannot take the tenant, or the monitor, down.
func (a *Actor) handle(e envelope) {
	defer func() {
		if v := recover(); v != nil {
			a.panics.Add(1)
			if a.onPanic != nil {
				a.onPanic(a.id, e.meta.StreamSeq, v)
			}
		}
		if e.done != nil {
			e.done.Done()
		}
		if e.read != nil {
			close(e.read.ok)
		}
	}()

	switch e.kind {
	case entryRead:
		e.read.fn(a.tenant)
	case entryReject:
		a.tenant.Reject(e.reject)
	default:
		out := a.tenant.Apply(e.ev, e.meta)
		if e.kind == entryApply && a.applied != nil {
			a.applied(e.ev, e.meta, out)
		}
	}
}
