package audit

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRecord measures Record throughput with the writer publishing
// to an embedded server; the buffer is sized so that no entry drops.
func BenchmarkRecord(b *testing.B) {
	js := newJetStream(b, Config{})
	w, err := NewWriter(js, WriterConfig{BufferSize: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	e := Entry{Type: TypeMetricComputed, TenantID: "t1", UserID: "u1",
		Endpoint: "query", MetricCategory: "live-workload", Value: ptr(1)}

	b.ResetTimer()
	for range b.N {
		if !w.Record(e) {
			b.Fatal("dropped")
		}
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()

	st := w.Stats()
	if st.Written != uint64(b.N) {
		b.Fatalf("written %d of %d", st.Written, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkRecordEventReceived measures event-received entries from
// parallel callers over 200 tenants, as tenant actors record them, with
// the default buffer: the time includes Close's flush, so entries/s is
// what the writer stored. dropped/op is the share that found the buffer
// full (recording as fast as the callers can, far above ingest rates).
func BenchmarkRecordEventReceived(b *testing.B) {
	js := newJetStream(b, Config{})
	w, err := NewWriter(js, WriterConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	tenants := make([]string, 200)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("tenant-%03d", i)
	}
	var seq atomic.Uint64

	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			w.Record(Entry{
				Type:      TypeEventReceived,
				Time:      time.Now(),
				TenantID:  tenants[n%uint64(len(tenants))],
				Category:  "task-lifecycle",
				EventID:   fmt.Sprintf("evt-%012d", n),
				StreamSeq: n,
			})
		}
	})
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()

	st := w.Stats()
	if st.Written+st.Dropped != uint64(b.N) {
		b.Fatalf("written %d + dropped %d of %d", st.Written, st.Dropped, b.N)
	}
	b.ReportMetric(float64(st.Written)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
	if st.EventBatches > 0 {
		b.ReportMetric(float64(st.Written)/float64(st.EventBatches),
			"entries/msg")
	}
}

// BenchmarkRecordEventReceivedPaced records event-received entries at a
// steady 100,000/s (bursts of 1,000 every 10 ms, over 200 tenants) with
// the default buffer, as sustained ingest would: dropped/op should be 0.
// Run it with -benchtime 300000x or so; ns/op is the pacing.
func BenchmarkRecordEventReceivedPaced(b *testing.B) {
	const burst, every = 1000, 10 * time.Millisecond
	js := newJetStream(b, Config{})
	w, err := NewWriter(js, WriterConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	tenants := make([]string, 200)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("tenant-%03d", i)
	}

	b.ResetTimer()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for n := 0; n < b.N; {
		for end := min(n+burst, b.N); n < end; n++ {
			w.Record(Entry{
				Type:      TypeEventReceived,
				Time:      time.Now(),
				TenantID:  tenants[n%len(tenants)],
				Category:  "task-lifecycle",
				EventID:   fmt.Sprintf("evt-%012d", n),
				StreamSeq: uint64(n + 1),
			})
		}
		<-tick.C
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()

	st := w.Stats()
	b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
	b.ReportMetric(float64(st.Written)/b.Elapsed().Seconds(), "entries/s")
}
