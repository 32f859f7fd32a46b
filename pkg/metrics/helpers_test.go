package metrics_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

// E is short for statetest.E.
type E = statetest.E

// now is the evaluation time of the hand-worked tests.
var now = time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

// ago returns now - d.
func ago(d time.Duration) time.Time { return now.Add(-d) }

// tenantScope is the whole default tenant.
var tenantScope = metrics.Scope{TenantID: statetest.DefaultTenant}

// fixedID is a metric id source for stable expectations.
func fixedID() string { return "m-test" }

// tenantOf applies evs to a new tenant with the default config.
func tenantOf(t *testing.T, evs ...E) *state.Tenant {
	t.Helper()
	f := statetest.NewFeed(state.Config{})
	f.ApplyAll(evs...)
	return f.Tenant
}

// compute computes c for scope at now with default options.
func compute(tn *state.Tenant, c metrics.Category, scope metrics.Scope) metrics.Metric {
	opts := metrics.DefaultOptions()
	opts.NewID = fixedID
	return metrics.Compute(tn, c, scope, now, opts)
}

// sev builds a full severity breakdown from critical, high, medium, low.
func sev(c, h, m, l float64) map[string]float64 {
	return map[string]float64{"critical": c, "high": h, "medium": m, "low": l}
}
