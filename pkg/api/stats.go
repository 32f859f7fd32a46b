package api

import (
	"context"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
)

// stats answers monitor.stats.<tenant>: totals since the state began,
// breakdowns, stream health and this-minute-versus-last trends.
func (s *Server) stats(ctx context.Context, r *request) reply {
	f, err := decodeFields(r.body)
	if err != nil {
		return errReply(err)
	}
	scope, err := f.scope(r.tenant)
	if err != nil {
		return errReply(err)
	}
	if err := requestedBy(f, r.caller); err != nil {
		return errReply(err)
	}
	d := policy.EvaluateStats(r.caller, policy.Scope(scope))
	s.recordDecision(r, "stats", scope.TenantID, d)
	if !d.Allowed {
		return errReply(forbidden(d.Rule, d.Reason))
	}
	if e := s.rebuilding(); e != nil {
		return errReply(e)
	}

	now := r.now.UTC().Truncate(1e9)
	out := Stats{Scope: scope, ComputedAt: now, ByTenant: map[string]uint64{}}
	pending := s.cfg.Pipeline.Pending()
	filter := state.Filter{FacilityID: scope.FacilityID, FederationID: scope.FederationID}
	read := func(t *state.Tenant) {
		tot := t.Totals(filter)
		out.Totals.EventsReceived = tot.Events
		out.ByCategory = make(map[string]uint64, event.NumCategories)
		for _, c := range event.Categories {
			out.ByCategory[c.String()] = tot.ByCategory[c]
		}
		out.BySeverity = make(map[string]uint64, event.NumSeverities)
		for _, sv := range event.Severities {
			out.BySeverity[sv.String()] = tot.BySeverity[sv]
		}
		lw := metrics.Compute(t, metrics.LiveWorkload, scope, now, metrics.Options{})
		out.ByOperator = lw.Operators()
		out.StreamHealth = metrics.ComputeStreamState(t, scope, now, metrics.Options{}, pending).StreamHealth
	}
	if err := s.readTenant(ctx, scope.TenantID, read); err != nil {
		return errReply(asError(err, r.id))
	}
	if out.ByOperator == nil {
		out.ByOperator = map[string]float64{}
	}
	policy.FilterOperatorMap(out.ByOperator, d.Visibility)

	if s.cfg.Tally != nil {
		t := s.cfg.Tally.Counters(scope.TenantID)
		out.Totals.MetricsComputed = t.MetricsComputed
		out.Totals.PolicyAllowed = t.PolicyAllowed
		out.Totals.PolicyDenied = t.PolicyDenied
		out.Totals.Errors = t.Errors
		cur, prev := s.cfg.Tally.MetricsPerMinute(scope.TenantID, now)
		out.Trends.MetricsPerMinute = minuteTrend(cur, prev)
	}
	if s.cfg.Received != nil {
		cur, prev := s.cfg.Received(scope.TenantID, now)
		out.Trends.EventsPerMinute = minuteTrend(cur, prev)
	}

	out.ByTenant[scope.TenantID] = out.Totals.EventsReceived
	if r.caller.Has(policy.PermCrossTenantRead) {
		for _, id := range s.cfg.Registry.IDs() {
			if id == scope.TenantID {
				continue
			}
			var n uint64
			if err := s.readTenant(ctx, id, func(t *state.Tenant) { n = t.Totals(state.Filter{}).Events }); err == nil {
				out.ByTenant[id] = n
			}
		}
	}
	return reply{body: out}
}

// minuteTrend compares two per-minute counts: the change in percent, 0
// when both are 0 and 100 when only the previous is.
func minuteTrend(cur, prev int) MinuteTrend {
	t := MinuteTrend{Current: float64(cur), Previous: float64(prev)}
	switch {
	case prev > 0:
		t.ChangeRate = float64(cur-prev) / float64(prev) * 100
	case cur > 0:
		t.ChangeRate = 100
	}
	return t
}
