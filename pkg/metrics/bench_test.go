package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

// bigTenant returns a tenant with about n open entities spread over
// tasks (half assigned), alerts (half acknowledged) and remediation
// items, with their events in the last hours.
func bigTenant(b *testing.B, n int) *state.Tenant {
	b.Helper()
	f := statetest.NewFeed(state.Config{})
	cats := []event.Type{event.TaskCreated, event.AlertDetected,
		event.FindingCreated, event.DriftDetected}
	for i := range n {
		ts := ago(time.Duration(n-i) * 500 * time.Millisecond)
		typ := cats[i%len(cats)]
		id := fmt.Sprintf("x-%d", i)
		fac := fmt.Sprintf("fac-%02d", i%8)
		f.Apply(E{Type: typ, Entity: id, At: ts, Facility: fac,
			Severity: event.Severity(i % 4)})
		switch {
		case typ == event.TaskCreated && i%8 == 0:
			f.Apply(E{Type: event.TaskAssigned, Entity: id, At: ts,
				Operator: fmt.Sprintf("op-%02d", i%50)})
		case typ == event.AlertDetected && i%8 == 1:
			f.Apply(E{Type: event.AlertAcknowledged, Entity: id, At: ts})
		}
	}
	return f.Tenant
}

func BenchmarkCompute(b *testing.B) {
	tn := bigTenant(b, 10_000)
	opts := metrics.DefaultOptions()
	opts.NewID = fixedID
	for _, c := range metrics.Categories {
		b.Run(c.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				metrics.Compute(tn, c, tenantScope, now, opts)
			}
		})
	}
	b.Run("stream-state", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			metrics.ComputeStreamState(tn, tenantScope, now, opts, 0)
		}
	})
	b.Run("summary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			metrics.Summarize(tn, tenantScope, now, nil)
		}
	})
}

// BenchmarkEvaluate is a full query (all eight metrics, stream state and
// summary) at 10,000 open entities, over the whole tenant and over one
// facility, through the one entry point; "separate" is the same through
// Compute, ComputeStreamState and Summarize, for comparison.
func BenchmarkEvaluate(b *testing.B) {
	tn := bigTenant(b, 10_000)
	opts := metrics.DefaultOptions()
	opts.NewID = fixedID
	facility := metrics.Scope{TenantID: tenantScope.TenantID, FacilityID: "fac-03"}
	for _, sc := range []struct {
		name  string
		scope metrics.Scope
	}{{"tenant", tenantScope}, {"facility", facility}} {
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				metrics.Evaluate(tn, metrics.Categories[:], sc.scope, now, opts, 0, nil)
			}
		})
	}
	b.Run("separate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range metrics.Categories {
				metrics.Compute(tn, c, tenantScope, now, opts)
			}
			metrics.ComputeStreamState(tn, tenantScope, now, opts, 0)
			metrics.Summarize(tn, tenantScope, now, nil)
		}
	})
}
