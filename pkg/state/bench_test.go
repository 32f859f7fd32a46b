package state_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// BenchmarkApply applies a stream of task lifecycles (create, assign,
// resolve) with pre-built events, so only Apply is measured.
func BenchmarkApply(b *testing.B) {
	const n = 30_000
	evs := make([]*event.Event, n)
	for i := range evs {
		typ := []event.Type{event.TaskCreated, event.TaskAssigned,
			event.TaskResolved}[i%3]
		evs[i] = E{ID: fmt.Sprintf("e-%d", i), Type: typ,
			Entity: fmt.Sprintf("t-%d", i/3), At: at(time.Duration(i) * time.Millisecond),
			Operator: "op-1", Facility: "fac-01"}.Event()
	}
	tn := state.NewTenant("t", state.Config{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := evs[i%n]
		if i%n == 0 && i > 0 {
			tn = state.NewTenant("t", state.Config{})
		}
		tn.Apply(ev, event.Meta{StreamSeq: uint64(i + 1), Received: ev.Timestamp})
		i++
	}
}

// BenchmarkOpenEntityMemory reports the heap held per open entity, with
// the event bodies themselves excluded (they belong to the buffer).
func BenchmarkOpenEntityMemory(b *testing.B) {
	const n = 10_000
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = E{ID: fmt.Sprintf("e-%d", i), Type: event.TaskCreated,
			Entity: fmt.Sprintf("task-%06d", i), At: at(0),
			Facility: "fac-01", Federation: "fed-north"}.Event()
	}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tn := state.NewTenant("t", state.Config{RecentEvents: 1})
		for i, ev := range evs {
			tn.Apply(ev, event.Meta{StreamSeq: uint64(i + 1)})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/entity")
		runtime.KeepAlive(tn)
	}
}
