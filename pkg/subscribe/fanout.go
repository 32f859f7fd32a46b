package subscribe

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// FanoutOptions configure MeasureFanout.
type FanoutOptions struct {
	// Subscriptions on one tenant, each matching every event. Default
	// 1000.
	Subscriptions int
	// Events offered. Default 1000.
	Events int
	// Visible says whether the subscribers may see the events' operator;
	// when false every delivery goes through the visibility filter's
	// stripped copy.
	Visible bool
	// Engine overrides the engine's settings (Publisher is set by
	// MeasureFanout).
	Engine Config
}

// FanoutResult are the figures of one MeasureFanout run.
type FanoutResult struct {
	Subscriptions int
	Events        int
	// Delivered and Dropped are the engine's counters; Received is what
	// arrived at the subscriber's connection.
	Delivered, Dropped, Received uint64
	// Offer is the mean time Offer took per event: the cost on the
	// tenant's actor, the ingest path.
	Offer time.Duration
	// Elapsed runs from the first Offer to the last delivery received
	// (or the deadline).
	Elapsed time.Duration
	// PerSecond is Received / Elapsed.
	PerSecond float64
}

// String formats r on one line.
func (r FanoutResult) String() string {
	return fmt.Sprintf("%d subs x %d events: %d delivered, %d dropped, %d received in %v "+
		"(%.0f msg/s); Offer %v/event", r.Subscriptions, r.Events, r.Delivered, r.Dropped,
		r.Received, r.Elapsed.Round(time.Millisecond), r.PerSecond, r.Offer)
}

// MeasureFanout runs an engine publishing on pub with opts.Subscriptions
// subscriptions of one tenant, each delivering to its own subject under
// _INBOX_fanout, which recv reads; it offers opts.Events events as fast
// as it can and waits until every delivery arrived or ctx ends. It is
// the fan-out benchmark, for tests and cmd/bench.
func MeasureFanout(ctx context.Context, pub, recv *nats.Conn, opts FanoutOptions) (FanoutResult, error) {
	if opts.Subscriptions <= 0 {
		opts.Subscriptions = 1000
	}
	if opts.Events <= 0 {
		opts.Events = 1000
	}
	res := FanoutResult{Subscriptions: opts.Subscriptions, Events: opts.Events}

	var received atomic.Uint64
	sub, err := recv.Subscribe("_INBOX_fanout.>", func(*nats.Msg) { received.Add(1) })
	if err != nil {
		return res, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return res, err
	}
	if err := recv.Flush(); err != nil {
		return res, err
	}

	cfg := opts.Engine
	cfg.Publisher = pub
	cfg.MaxPerTenant = max(cfg.MaxPerTenant, opts.Subscriptions)
	e, err := New(cfg)
	if err != nil {
		return res, err
	}
	defer e.Close()
	const tenant = "fanout"
	vis := policy.NewVisibility(policy.NewCaller("bench", tenant, nil, "op-1", nil), tenant, nil)
	for i := range opts.Subscriptions {
		_, err := e.Create(Request{Filter: Filter{Scope: policy.Scope{TenantID: tenant}},
			Owner: Owner{tenant, "bench"}, Subject: "_INBOX_fanout." + strconv.Itoa(i),
			Lease: MaxLease, Visibility: vis})
		if err != nil {
			return res, err
		}
	}

	events := fanoutEvents(tenant, opts.Events, opts.Visible)
	start := time.Now()
	for i, ev := range events {
		e.Offer(ev, event.Meta{StreamSeq: uint64(i + 1), Received: start})
	}
	res.Offer = time.Since(start) / time.Duration(len(events))

	want := uint64(opts.Subscriptions * opts.Events)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		st := e.Stats()
		if received.Load()+st.Dropped >= want {
			break
		}
		select {
		case <-ctx.Done():
			return res.finish(e, &received, start), ctx.Err()
		case <-tick.C:
		}
	}
	return res.finish(e, &received, start), nil
}

func (r FanoutResult) finish(e *Engine, received *atomic.Uint64, start time.Time) FanoutResult {
	r.Elapsed = time.Since(start)
	st := e.Stats()
	r.Delivered, r.Dropped, r.Received = st.Delivered, st.Dropped, received.Load()
	r.PerSecond = float64(r.Received) / r.Elapsed.Seconds()
	return r
}

// fanoutEvents builds n task events of about 400 bytes, with operator
// op-1 when visible and op-2 otherwise.
func fanoutEvents(tenant string, n int, visible bool) []*event.Event {
	op := "op-2"
	if visible {
		op = "op-1"
	}
	out := make([]*event.Event, n)
	for i := range out {
		id := "ev-" + strconv.Itoa(i)
		raw := fmt.Sprintf(`{"eventId":%q,"category":"task-lifecycle","eventType":"created",`+
			`"timestamp":"2026-01-21T10:00:00Z","scope":{"tenantId":%q,"facilityId":"facility-01"},`+
			`"severity":"high","entityId":"task-%d","entityType":"task","operatorId":%q,`+
			`"operatorName":"Operator Name","payload":{"category":"maintenance","slaHours":4,`+
			`"title":"Replace the filter on line 3 before the next shift starts"}}`, id, tenant, i, op)
		out[i] = &event.Event{ID: id, Category: event.TaskLifecycle, Type: event.TaskCreated,
			Severity: event.High, TenantID: tenant, FacilityID: "facility-01",
			EntityID: "task-" + strconv.Itoa(i), EntityType: "task",
			OperatorID: op, OperatorName: "Operator Name", Raw: []byte(raw)}
	}
	return out
}
