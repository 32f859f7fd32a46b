package audit

import (
	"context"
	"testing"
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
