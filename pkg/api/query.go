package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nats-io/nuid"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
)

// maxEntityRefs bounds references.entityIds.
const maxEntityRefs = 100

// query answers monitor.query.<tenant> in the steps of api.md: policy,
// audit of the decision, the tenant's figures as of now computed by its
// actor, the visibility filter, audit of each metric and of the state
// read, then the reply.
func (s *Server) query(ctx context.Context, r *request) reply {
	resultID := "r-" + nuid.Next()
	fail := func(e *Error, q *Query) reply {
		return reply{err: e, resultID: resultID, query: q}
	}

	tcfg := s.cfg.Tenant
	maxRecent := tcfg.RecentEvents
	if maxRecent <= 0 {
		maxRecent = state.DefaultRecentEvents
	}
	q, verr := decodeQuery(r.body, r.tenant, maxRecent)
	if verr != nil {
		return fail(verr, nil)
	}
	if q.RequestedBy != "" && q.RequestedBy != r.caller.UserID {
		return fail(forbidden(RuleAuthentication, "requestedBy is not the token's subject"), &q)
	}

	d := policy.EvaluateQuery(r.caller, policy.QueryRequest{
		Scope:       policy.Scope(q.Scope),
		Categories:  q.Categories,
		OperatorIDs: q.OperatorIDs,
	})
	s.recordDecision(r, "query", q.Scope.TenantID, d)
	if !d.Allowed {
		return fail(forbidden(d.Rule, d.Reason), &q)
	}
	if e := s.rebuilding(); e != nil {
		return fail(e, &q)
	}
	if len(q.Categories) == 0 {
		q.Categories = append([]string(nil), policy.MetricCategories[:]...)
	}

	opts := metrics.Options{RecentEvents: q.RecentEvents, SLATimers: q.SLATimers}
	if q.WindowMinutes != nil {
		opts.WindowMinutes = *q.WindowMinutes
	}
	now := r.now.UTC().Truncate(1e9)
	pending := s.cfg.Pipeline.Pending()
	vis := d.Visibility

	res := Result{ResultID: resultID, Query: q, ComputedAt: now, Omitted: d.Omitted, Truncated: []string{}}
	if res.Omitted == nil {
		res.Omitted = []policy.Omission{}
	}
	cats := make([]metrics.Category, 0, len(d.Categories))
	for _, name := range d.Categories {
		c, _ := metrics.ParseCategory(name)
		cats = append(cats, c)
	}
	compute := func(t *state.Tenant) {
		rep := metrics.Evaluate(t, cats, q.Scope, now, opts, pending, vis.CanSee)
		res.Metrics = rep.Metrics
		res.StreamState = &rep.StreamState
		res.Summary = Summary{MetricsComputed: len(res.Metrics), Summary: rep.Summary}
	}
	if err := s.readTenant(ctx, q.Scope.TenantID, compute); err != nil {
		return fail(asError(err, r.id), &q)
	}

	if err := applyVisibility(&res, vis); err != nil {
		return fail(asError(err, r.id), &q)
	}
	res.References = references(res.StreamState)

	for _, m := range res.Metrics {
		v := m.Value
		s.record(audit.Entry{Type: audit.TypeMetricComputed, TenantID: q.Scope.TenantID,
			UserID: r.caller.UserID, UserTenantID: r.caller.TenantID, Endpoint: "query",
			MetricCategory: m.Category.String(), Value: &v})
	}
	s.record(audit.Entry{Type: audit.TypeStreamStateUpdate, TenantID: q.Scope.TenantID,
		UserID: r.caller.UserID, UserTenantID: r.caller.TenantID, Endpoint: "query",
		Detail: fmt.Sprintf("events processed %d, metrics computed %d", res.Summary.EventsProcessed, len(res.Metrics))})

	body, err := s.fit(&res)
	if err != nil {
		return fail(asError(err, r.id), &q)
	}
	return reply{raw: body}
}

// readTenant runs fn on the tenant's actor; a tenant with no events yet
// is answered from an empty state, without creating an actor for it.
func (s *Server) readTenant(ctx context.Context, tenant string, fn func(*state.Tenant)) error {
	a := s.cfg.Registry.Get(tenant)
	if a == nil {
		fn(state.NewTenant(tenant, s.cfg.Tenant))
		return nil
	}
	return a.Read(ctx, fn)
}

// references lists the returned events and the entities behind breaching
// and warning timers.
func references(ss *metrics.StreamState) References {
	refs := References{EventIDs: []string{}, EntityIDs: []string{}}
	if ss == nil {
		return refs
	}
	for _, e := range ss.RecentEvents {
		refs.EventIDs = append(refs.EventIDs, e.EventID)
	}
	for _, t := range ss.SLACountdowns {
		if len(refs.EntityIDs) == maxEntityRefs {
			break
		}
		if t.Status == "breach" || t.Status == "warning" {
			refs.EntityIDs = append(refs.EntityIDs, t.EntityID)
		}
	}
	return refs
}

// applyVisibility removes operator-keyed data the caller may not see.
// Totals stay scope-wide.
func applyVisibility(res *Result, vis policy.Visibility) error {
	for i := range res.Metrics {
		if ops := res.Metrics[i].Operators(); ops != nil {
			policy.FilterOperatorMap(ops, vis)
		}
	}
	if res.StreamState == nil {
		return nil
	}
	return filterStreamState(res.StreamState, vis)
}

// filterStreamState applies the visibility filter to a stream state.
func filterStreamState(ss *metrics.StreamState, vis policy.Visibility) error {
	if vis.All() {
		return nil
	}
	rows := ss.WorkloadState[:0]
	for _, row := range ss.WorkloadState {
		if vis.CanSee(row.OperatorID) {
			rows = append(rows, row)
		}
	}
	ss.WorkloadState = rows
	for i := range ss.SLACountdowns {
		t := &ss.SLACountdowns[i]
		if t.OperatorID != "" && !vis.CanSee(t.OperatorID) {
			t.OperatorID, t.OperatorName = "", ""
		}
	}
	for i := range ss.RecentEvents {
		e := &ss.RecentEvents[i]
		raw, err := policy.StripOperatorFields(e.Raw, vis)
		if err != nil {
			return err
		}
		e.Raw = raw
		if !vis.CanSee(e.OperatorID) {
			e.OperatorID = ""
		}
	}
	return nil
}

// replyHeadroom leaves room in a reply for headers and protocol.
const replyHeadroom = 4 << 10

// fit encodes res within the connection's max payload: when it is too
// large, recent events are dropped oldest first, then SLA timers least
// urgent first, and truncated names what was cut; if it still does not
// fit, 413.
func (s *Server) fit(res *Result) ([]byte, error) {
	limit := int(s.cfg.Conn.MaxPayload()) - replyHeadroom
	for {
		body, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		excess := len(body) - limit
		if excess <= 0 {
			return body, nil
		}
		ss := res.StreamState
		switch {
		case ss != nil && len(ss.RecentEvents) > 0:
			n, cut := 0, 0
			for n < len(ss.RecentEvents) && cut < excess {
				cut += len(ss.RecentEvents[n].Raw) + len(ss.RecentEvents[n].EventID) + 4
				n++
			}
			ss.RecentEvents = ss.RecentEvents[n:]
			res.References = references(ss)
			markTruncated(res, "recentEvents")
		case ss != nil && len(ss.SLACountdowns) > 0:
			n := max(1, excess/200)
			ss.SLACountdowns = ss.SLACountdowns[:max(0, len(ss.SLACountdowns)-n)]
			res.References = references(ss)
			markTruncated(res, "slaCountdowns")
		default:
			return nil, &Error{Code: 413, Rule: RuleSizeLimit,
				Reason: "the result does not fit in the connection's max payload of " + strconv.Itoa(int(s.cfg.Conn.MaxPayload())) + " bytes"}
		}
	}
}

func markTruncated(res *Result, what string) {
	for _, t := range res.Truncated {
		if t == what {
			return
		}
	}
	res.Truncated = append(res.Truncated, what)
}
