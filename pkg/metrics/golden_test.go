package metrics_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json")

// scenario returns a few hundred events of every category over the five
// hours before now, denser in the last ten minutes, from a fixed seed: tasks that get assigned, moved
// and closed, alerts acknowledged and escalated, remediation items
// progressing, informational signals, and some duplicates, orphans and
// late transitions.
func scenario() []E {
	rng := rand.New(rand.NewPCG(2026, 121))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ts := ago(5 * time.Hour)
	var out []E
	open := map[event.Category][]string{}
	var closed []E
	nextID := 0
	add := func(e E) {
		out = append(out, e)
	}
	for {
		gap := 70_000
		if ts.After(ago(10 * time.Minute)) {
			gap = 8_000
		}
		ts = ts.Add(time.Duration(rng.IntN(gap)) * time.Millisecond)
		if ts.After(now) {
			break
		}
		c := event.Category(rng.IntN(event.NumCategories))
		types := event.TypesOf(c)
		e := E{
			ID:       fmt.Sprintf("evt-%04d", len(out)),
			At:       ts,
			Severity: event.Severity(rng.IntN(event.NumSeverities)),
			Facility: pick("fac-01", "fac-02", "fac-03", ""),
		}
		e.Federation = map[string]string{"fac-01": "fed-north",
			"fac-02": "fed-north", "fac-03": "fed-south"}[e.Facility]
		switch ids := open[c]; {
		case c == event.PerformanceSignal || rng.IntN(10) == 0 && c == event.GovernanceLineage:
			e.Type = types[len(types)-1]
			if c == event.PerformanceSignal {
				e.Type = types[rng.IntN(len(types))]
			}
			e.Entity = "signal"
		case len(ids) == 0 || rng.IntN(3) == 0:
			nextID++
			e.Type = types[0]
			e.Entity = fmt.Sprintf("%s-%03d", c.String()[:4], nextID)
			open[c] = append(ids, e.Entity)
			if c == event.TaskLifecycle {
				e.WorkCategory = pick("audit-remediation", "patching", "")
			}
			if rng.IntN(6) == 0 {
				e.SLAHours = float64(1 + rng.IntN(6))
			}
		default:
			i := rng.IntN(len(ids))
			e.Entity = ids[i]
			e.Type = types[1+rng.IntN(len(types)-1)]
			if e.Type == event.LineageUpdated {
				e.Type = event.PolicyResolved
			}
			if e.Type.Role() == event.Closing {
				open[c] = append(ids[:i], ids[i+1:]...)
				closed = append(closed, e)
			}
		}
		if e.Type == event.TaskAssigned || e.Type == event.TaskInProgress && rng.IntN(2) == 0 {
			e.Operator = pick("op-001", "op-002", "op-003", "op-004", "op-005")
			e.OperatorName = map[string]string{"op-001": "Alice",
				"op-002": "Bob", "op-003": "Carol", "op-005": "Eve"}[e.Operator]
		}
		add(e)
		switch rng.IntN(25) {
		case 0: // redelivered
			add(e)
		case 1: // progress of an entity nobody opened
			o := e
			o.ID += "-orphan"
			o.Entity = "ghost"
			o.Type = event.TaskAcknowledged
			add(o)
		case 2: // progress after an entity closed
			if len(closed) > 0 {
				l := closed[rng.IntN(len(closed))]
				l.ID, l.At = e.ID+"-late", e.At
				add(l)
			}
		}
	}
	return out
}

func TestGolden(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.Lag = 250 * time.Millisecond
	for _, e := range scenario() {
		f.Apply(e)
	}
	f.Tenant.Reject(event.ReasonMalformedJSON)
	opts := metrics.DefaultOptions()
	opts.NewID = fixedID
	opts.RecentEvents = 5
	opts.SLATimers = 10

	type view struct {
		Metrics     []metrics.Metric    `json:"metrics"`
		StreamState metrics.StreamState `json:"streamState"`
		Summary     metrics.Summary     `json:"summary"`
	}
	scopes := []metrics.Scope{
		tenantScope,
		{TenantID: "tenant-alpha", FacilityID: "fac-01"},
		{TenantID: "tenant-alpha", FederationID: "fed-south"},
	}
	var got []view
	for _, sc := range scopes {
		v := view{
			StreamState: metrics.ComputeStreamState(f.Tenant, sc, now, opts, 7),
			Summary:     metrics.Summarize(f.Tenant, sc, now, nil),
		}
		for _, c := range metrics.Categories {
			v.Metrics = append(v.Metrics, metrics.Compute(f.Tenant, c, sc, now, opts))
		}
		got = append(got, v)
	}
	b, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	b = append(b, '\n')

	path := filepath.Join("testdata", "golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, b, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(b))
}
