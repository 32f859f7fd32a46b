package telemetry

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

func TestTenantFiguresOffByDefault(t *testing.T) {
	r := newRegistry(t)
	apply(t, r, statetest.E{ID: "a1", Type: event.TaskCreated, At: time.Now(), Entity: "t1", Tenant: "acme"})
	reg := prometheus.NewRegistry()
	_, err := New(reg, Options{}, Sources{Registry: func() *state.Registry { return r }})
	require.NoError(t, err)

	n, err := testutil.GatherAndCount(reg, "monitor_tenant_open_tasks",
		"monitor_tenant_sla_timers", "monitor_tenant_events_per_minute")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestTenantFigures(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := newRegistry(t)
	apply(t, r,
		// Breached: 1 h allowed, opened 2 h ago.
		statetest.E{ID: "a1", Type: event.TaskCreated, At: now.Add(-2 * time.Hour),
			Entity: "t1", Tenant: "acme", SLAHours: 1},
		// Warning: critical (4 h), 30 min left, under a fifth.
		statetest.E{ID: "a2", Type: event.TaskCreated, At: now.Add(-210 * time.Minute),
			Entity: "t2", Tenant: "acme", Severity: event.Critical},
		// Fine: low (72 h), just opened, then assigned to an operator.
		statetest.E{ID: "a3", Type: event.TaskCreated, At: now.Add(-10 * time.Second),
			Entity: "t3", Tenant: "acme", Severity: event.Low},
		statetest.E{ID: "a4", Type: event.TaskAssigned, At: now.Add(-5 * time.Second),
			Entity: "t3", Tenant: "acme", Severity: event.Low, Operator: "op-secret"},
		statetest.E{ID: "b1", Type: event.TaskCreated, At: now.Add(-time.Hour),
			Entity: "t1", Tenant: "beta", Severity: event.Low},
		statetest.E{ID: "c1", Type: event.TaskCreated, At: now, Entity: "t1", Tenant: "zeta"},
	)

	reg := prometheus.NewRegistry()
	_, err := New(reg, Options{
		TenantFigures:   true,
		MaxTenantSeries: 2,
		Now:             func() time.Time { return now },
	}, Sources{Registry: func() *state.Registry { return r }})
	require.NoError(t, err)

	want := `
# HELP monitor_tenant_open_tasks Open tasks of a tenant, assigned or not (active-tasks).
# TYPE monitor_tenant_open_tasks gauge
monitor_tenant_open_tasks{tenant="acme"} 3
monitor_tenant_open_tasks{tenant="beta"} 1
# HELP monitor_tenant_sla_timers SLA timers of a tenant's open tasks and alerts, by status (ok, warning, breach).
# TYPE monitor_tenant_sla_timers gauge
monitor_tenant_sla_timers{status="breach",tenant="acme"} 1
monitor_tenant_sla_timers{status="ok",tenant="acme"} 1
monitor_tenant_sla_timers{status="warning",tenant="acme"} 1
monitor_tenant_sla_timers{status="breach",tenant="beta"} 0
monitor_tenant_sla_timers{status="ok",tenant="beta"} 1
monitor_tenant_sla_timers{status="warning",tenant="beta"} 0
# HELP monitor_tenant_events_per_minute Events of a tenant accepted in the last minute of event time.
# TYPE monitor_tenant_events_per_minute gauge
monitor_tenant_events_per_minute{tenant="acme"} 2
monitor_tenant_events_per_minute{tenant="beta"} 0
# HELP monitor_tenant_figures_omitted Tenants left out of the per-tenant series in this scrape: over the cap or too slow to answer.
# TYPE monitor_tenant_figures_omitted gauge
monitor_tenant_figures_omitted 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"monitor_tenant_open_tasks", "monitor_tenant_sla_timers",
		"monitor_tenant_events_per_minute", "monitor_tenant_figures_omitted"))

	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				assert.NotContains(t, l.GetValue(), "op-secret", "operator id as a label of %s", mf.GetName())
			}
		}
	}
}

func TestTenantFiguresOmitClosedRegistry(t *testing.T) {
	r, err := state.NewRegistry(state.RegistryConfig{})
	require.NoError(t, err)
	apply(t, r, statetest.E{ID: "a1", Type: event.TaskCreated, At: time.Now(), Entity: "t1", Tenant: "acme"})
	r.Close()

	reg := prometheus.NewRegistry()
	_, err = New(reg, Options{TenantFigures: true, TenantTimeout: time.Second},
		Sources{Registry: func() *state.Registry { return r }})
	require.NoError(t, err)

	want := `
# HELP monitor_tenant_figures_omitted Tenants left out of the per-tenant series in this scrape: over the cap or too slow to answer.
# TYPE monitor_tenant_figures_omitted gauge
monitor_tenant_figures_omitted 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"monitor_tenant_figures_omitted"))
}
