package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

func newRegistry(t *testing.T) *state.Registry {
	t.Helper()
	r, err := state.NewRegistry(state.RegistryConfig{})
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r
}

// apply hands events to their tenants' actors and waits until applied.
func apply(t *testing.T, r *state.Registry, es ...statetest.E) {
	t.Helper()
	var wg sync.WaitGroup
	for i, e := range es {
		ev := e.Event()
		a, err := r.GetOrCreate(ev.TenantID)
		require.NoError(t, err)
		meta := event.Meta{StreamSeq: uint64(i + 1), Stored: ev.Timestamp, Received: ev.Timestamp}
		wg.Add(1)
		require.NoError(t, a.Apply(context.Background(), ev, meta, false, &wg))
	}
	wg.Wait()
}

func TestAppliedCountsOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, Options{}, Sources{})
	require.NoError(t, err)

	m.Applied(state.Outcome{})
	m.Applied(state.Outcome{})
	m.Applied(state.Outcome{Duplicate: true})
	m.Applied(state.Outcome{Orphan: true})
	m.Applied(state.Outcome{Late: true})
	m.Applied(state.Outcome{Late: true})

	want := `
# HELP monitor_events_applied_total Live events handled by the tenant actors, by outcome (applied, duplicate, orphan, late).
# TYPE monitor_events_applied_total counter
monitor_events_applied_total{outcome="applied"} 2
monitor_events_applied_total{outcome="duplicate"} 1
monitor_events_applied_total{outcome="late"} 2
monitor_events_applied_total{outcome="orphan"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"monitor_events_applied_total"))
}

func TestAppliedAllocatesNothing(t *testing.T) {
	m, err := New(prometheus.NewRegistry(), Options{}, Sources{})
	require.NoError(t, err)
	out := state.Outcome{Orphan: true}
	allocs := testing.AllocsPerRun(100, func() { m.Applied(out) })
	assert.Zero(t, allocs)
}

func TestNewTwiceOnOneRegistryFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, err := New(reg, Options{}, Sources{})
	require.NoError(t, err)
	_, err = New(reg, Options{}, Sources{})
	assert.Error(t, err)
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"figures on", Options{TenantFigures: true, MaxTenantSeries: 5}, true},
		{"negative cap", Options{MaxTenantSeries: -1}, false},
		{"negative timeout", Options{TenantTimeout: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(prometheus.NewRegistry(), tt.opts, Sources{})
			assert.Equal(t, tt.ok, err == nil, "err %v", err)
		})
	}
}

func TestNoSourceNoSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, err := New(reg, Options{TenantFigures: true}, Sources{
		Registry: func() *state.Registry { return nil },
	})
	require.NoError(t, err)

	n, err := testutil.GatherAndCount(reg, "monitor_tenants", "monitor_events_consumed_total",
		"monitor_tenant_open_tasks", "monitor_audit_buffer_used", "monitor_subscriptions")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestActorSeriesFollowTheRegistry(t *testing.T) {
	r := newRegistry(t)
	reg := prometheus.NewRegistry()
	_, err := New(reg, Options{}, Sources{Registry: func() *state.Registry { return r }})
	require.NoError(t, err)

	tenantsAre := func(n int) {
		t.Helper()
		want := `
# HELP monitor_tenants Tenants the monitor tracks.
# TYPE monitor_tenants gauge
monitor_tenants ` + string(rune('0'+n)) + "\n"
		require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), "monitor_tenants"))
	}
	tenantsAre(0)

	now := time.Now()
	apply(t, r,
		statetest.E{ID: "a1", Type: event.TaskCreated, At: now, Entity: "t1", Tenant: "acme"},
		statetest.E{ID: "b1", Type: event.TaskCreated, At: now, Entity: "t1", Tenant: "beta"},
	)
	tenantsAre(2)

	n, err := testutil.GatherAndCount(reg, "monitor_actor_mailbox_depth_max",
		"monitor_actor_mailbox_depth_sum")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestHooks(t *testing.T) {
	reg := prometheus.NewRegistry()
	subs := 0
	_, err := New(reg, Options{}, Sources{
		AuditBuffer:   func() (int, int, bool) { return 7, 1024, true },
		Subscriptions: func() (int, bool) { return subs, true },
	})
	require.NoError(t, err)

	subs = 3
	want := `
# HELP monitor_audit_buffer_used Audit entries accepted and not yet written.
# TYPE monitor_audit_buffer_used gauge
monitor_audit_buffer_used 7
# HELP monitor_audit_buffer_capacity Capacity of the audit writer's buffer; entries beyond it are dropped.
# TYPE monitor_audit_buffer_capacity gauge
monitor_audit_buffer_capacity 1024
# HELP monitor_subscriptions Live managed subscriptions.
# TYPE monitor_subscriptions gauge
monitor_subscriptions 3
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"monitor_audit_buffer_used", "monitor_audit_buffer_capacity", "monitor_subscriptions"))
}

func TestInstrumentHandlerObservesStatus(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, Options{}, Sources{})
	require.NoError(t, err)
	h := m.InstrumentHandler("/readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))

	for _, q := range []string{"", "", "?fail=1"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/readyz"+q, nil))
	}
	m.ObserveRequest("query", "ok", 3*time.Millisecond)

	n, err := testutil.GatherAndCount(reg, "monitor_request_duration_seconds")
	require.NoError(t, err)
	assert.Equal(t, 3, n, "one series per (endpoint, code)")
	ok := testutil.CollectAndCount(m.requests.WithLabelValues("/readyz", "200").(prometheus.Histogram))
	assert.Equal(t, 1, ok)
}
