package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
)

// queryTenant holds the open tasks and alerts the query figure reads.
const queryTenant = "tenant-query"

// queryOpen is how many open tasks and alerts queryTenant holds.
const queryOpen = 10_000

// queryResult is the query figure: the monitor's latencies through each
// path that exists, and the echo responder's.
type queryResult struct {
	OpenEntities int         `json:"openEntities"`
	ReplyBytes   int         `json:"replyBytes"`
	InProcess    percentiles `json:"inProcess"`
	Wrapped      percentiles `json:"natsWrapped"`
	API          percentiles `json:"api"`
	APIPresent   bool        `json:"apiPresent"`
	APINote      string      `json:"apiNote,omitempty"`
	Echo         percentiles `json:"echo"`
}

// queryReply is what the benchmark computes for one query: all eight
// metrics, the stream state and the summary of a whole tenant.
type queryReply struct {
	Metrics     []metrics.Metric    `json:"metrics"`
	StreamState metrics.StreamState `json:"streamState"`
	Summary     metrics.Summary     `json:"summary"`
}

// computeAll computes and encodes the full query of t at now. It runs on
// the tenant's actor.
func computeAll(t *state.Tenant, now time.Time) ([]byte, error) {
	scope := metrics.Scope{TenantID: t.ID()}
	opts := metrics.DefaultOptions()
	rep := metrics.Evaluate(t, metrics.Categories[:], scope, now, opts, 0, nil)
	r := queryReply{Metrics: rep.Metrics, StreamState: rep.StreamState, Summary: rep.Summary}
	return json.Marshal(r)
}

// fillQueryTenant publishes queryOpen opening events, tasks and alerts
// alternately over the last ten hours (so that SLA timers are breached,
// warned and fine), assigns a quarter of the tasks over 50 operators and
// acknowledges a third of the alerts; then waits until the monitor holds
// them all open.
func (b *bench) fillQueryTenant(ctx context.Context, s *service) (int, error) {
	g := newGenerator(genConfig{Tenants: 1, IDPrefix: "q", Seed: 3})
	g.tenants = []string{queryTenant}
	base := time.Now().Add(-10 * time.Hour)
	step := 10 * time.Hour / queryOpen

	var evs []generated
	lives := make([]*life, queryOpen)
	for k := range lives {
		l := &life{cat: &categories[k%2], tenant: 0,
			facility: "facility-" + pad3(k%6), fed: "fed-north",
			entity:   fmt.Sprintf("q-%s-%d", categories[k%2].entityType, k),
			operator: k % 50, severity: k % 4}
		lives[k] = l
		evs = append(evs, g.build(l, l.cat.steps[0], base.Add(time.Duration(k)*step)))
	}
	for k, l := range lives {
		at := base.Add(time.Duration(k)*step + time.Minute)
		switch {
		case k%2 == 0 && k%8 == 0:
			evs = append(evs, g.build(l, "assigned", at))
		case k%2 == 1 && k%6 == 1:
			evs = append(evs, g.build(l, "acknowledged", at))
		}
	}

	before := s.svc.Pipeline().Stats().Accepted
	if _, err := b.env.publish(ctx, len(evs),
		func(k int) generated { return evs[k] }); err != nil {
		return 0, err
	}
	p := s.svc.Pipeline()
	if err := waitFor(ctx, time.Minute, func() bool {
		return p.Stats().Accepted >= before+uint64(len(evs))
	}); err != nil {
		return 0, fmt.Errorf("query tenant not applied: %w", err)
	}
	a := s.svc.Registry().Get(queryTenant)
	if a == nil {
		return 0, errors.New("query tenant missing from the registry")
	}
	open := 0
	err := a.Read(ctx, func(t *state.Tenant) {
		open = t.OpenCount(event.TaskLifecycle) + t.OpenCount(event.AlertLifecycle)
	})
	return open, err
}

// query measures the query figure: all eight metrics of a tenant with
// queryOpen open tasks and alerts.
func (b *bench) query(ctx context.Context, s *service) (queryResult, error) {
	var res queryResult
	open, err := b.fillQueryTenant(ctx, s)
	if err != nil {
		return res, err
	}
	res.OpenEntities = open
	actor := s.svc.Registry().Get(queryTenant)
	iters := b.size.Queries

	// In-process: the actor computes and encodes, no NATS in between.
	var body []byte
	inProc := func() error {
		var cerr error
		err := actor.Read(ctx, func(t *state.Tenant) {
			body, cerr = computeAll(t, time.Now())
		})
		return errors.Join(err, cerr)
	}
	b.prof.start("query")
	res.InProcess, err = measure(iters, inProc)
	b.prof.stop("query")
	if err != nil {
		return res, err
	}
	res.ReplyBytes = len(body)

	rc, _, err := b.env.connect("bench-query-responder")
	if err != nil {
		return res, err
	}
	defer rc.Close()
	qc, _, err := b.env.connect("bench-query-requester")
	if err != nil {
		return res, err
	}
	defer qc.Close()

	// NATS-wrapped: the same work behind a request/reply responder of
	// the benchmark's own, with no token or policy in the way.
	wrapSub, err := rc.Subscribe("bench.query."+queryTenant, func(m *nats.Msg) {
		var out []byte
		_ = actor.Read(ctx, func(t *state.Tenant) { out, _ = computeAll(t, time.Now()) })
		_ = m.Respond(out)
	})
	if err != nil {
		return res, err
	}
	defer func() { _ = wrapSub.Unsubscribe() }()
	if err := rc.Flush(); err != nil {
		return res, err
	}
	res.Wrapped, err = measure(iters, func() error {
		_, err := qc.Request("bench.query."+queryTenant, nil, 5*time.Second)
		return err
	})
	if err != nil {
		return res, err
	}

	if err := b.apiQuery(ctx, s, qc, &res); err != nil {
		return res, err
	}

	// Echo: a bare responder returning a reply of the same size.
	reply := make([]byte, res.ReplyBytes)
	for i := range reply {
		reply[i] = 'x'
	}
	echoSub, err := rc.Subscribe("bench.echo", func(m *nats.Msg) { _ = m.Respond(reply) })
	if err != nil {
		return res, err
	}
	defer func() { _ = echoSub.Unsubscribe() }()
	if err := rc.Flush(); err != nil {
		return res, err
	}
	res.Echo, err = measure(iters, func() error {
		_, err := qc.Request("bench.echo", nil, 5*time.Second)
		return err
	})
	return res, err
}

// apiQuery measures the query API, monitor.query.<tenant>, when the
// service answers it; otherwise it notes that the API is absent.
func (b *bench) apiQuery(ctx context.Context, s *service, qc *nats.Conn,
	res *queryResult) error {
	priv, _, err := policy.LoadOrCreateDevKey(s.dataDir)
	if err != nil {
		return err
	}
	tok, err := policy.Mint(priv, policy.MintOptions{
		Tenant: queryTenant, User: "bench",
		Perms: []string{policy.PermViewAllOperators, policy.PermViewCrossEngineMetrics,
			policy.PermViewWorkloadMetrics, policy.PermViewTrendMetrics},
	})
	if err != nil {
		return err
	}
	req := func() (*nats.Msg, error) {
		m := nats.NewMsg("monitor.query." + queryTenant)
		m.Header.Set("Authorization", "Bearer "+tok)
		m.Data = []byte(`{"queryId":"bench","scope":{"tenantId":"` + queryTenant + `"}}`)
		return qc.RequestMsg(m, 5*time.Second)
	}

	first, err := req()
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		res.APINote = "no responder on monitor.query.<tenant>: the query API is not wired yet"
		return nil
	case err != nil:
		res.APINote = "query API failed: " + err.Error()
		return nil
	case first.Header.Get("Nats-Service-Error") != "":
		res.APINote = "query API answered an error: " + first.Header.Get("Nats-Service-Error")
		return nil
	}
	res.APIPresent = true
	res.ReplyBytes = len(first.Data)
	res.API, err = measure(b.size.Queries, func() error {
		r, err := req()
		if err == nil && r.Header.Get("Nats-Service-Error") != "" {
			err = errors.New(r.Header.Get("Nats-Service-Error"))
		}
		return err
	})
	return err
}

// measure runs fn a tenth of iters times to warm up, then iters times,
// and returns the latencies.
func measure(iters int, fn func() error) (percentiles, error) {
	for range iters / 10 {
		if err := fn(); err != nil {
			return percentiles{}, err
		}
	}
	ds := make([]time.Duration, 0, iters)
	for range iters {
		start := time.Now()
		if err := fn(); err != nil {
			return percentiles{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return summarize(ds, 0), nil
}
