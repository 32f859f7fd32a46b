package audit

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr(v float64) *float64 { return &v }

// sampleEntries returns one entry of every type, with every field set.
func sampleEntries(tenant string, at time.Time) []Entry {
	full := func(t Type) Entry {
		return Entry{
			Type: t, Time: at, TenantID: tenant, UserID: "user-1",
			UserTenantID: "other", Endpoint: "query",
			Decision: DecisionDenied, Rule: "tenant-isolation",
			Reason: "scope tenant differs", Category: "task-lifecycle",
			EventID: "ev-1", StreamSeq: 42,
			MetricCategory: "live-workload", Value: ptr(-2.5),
			Detail: "detail, with \"quotes\"",
		}
	}
	var out []Entry
	for _, t := range Types {
		out = append(out, full(t))
	}
	return out
}

// stored is what a read returns for e: seq and id aside, the compacted
// form for event-received.
func stored(e Entry) Entry {
	e.normalize()
	e.Seq, e.ID = 0, ""
	return e
}

func TestWriterEveryTypeRoundTrip(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{})
	at := time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

	in := sampleEntries("tenant-a", at)
	for _, e := range in {
		require.True(t, w.Record(e))
	}
	require.NoError(t, w.Close(testCtx(t)))
	assert.Equal(t, uint64(len(in)), w.Stats().Written)

	r, err := NewReader(js, Config{})
	require.NoError(t, err)
	got, _ := readAll(t, r, Request{TenantID: "tenant-a"})
	require.Len(t, got, len(in))

	ids := map[string]bool{}
	byType := map[Type]Entry{}
	for _, e := range got {
		assert.NotEmpty(t, e.ID)
		assert.NotZero(t, e.Seq)
		assert.False(t, ids[e.ID], "duplicate id %s", e.ID)
		ids[e.ID] = true
		byType[e.Type] = e
	}
	for _, e := range in {
		assert.Equal(t, stored(e), stored(byType[e.Type]), "type %s", e.Type)
	}

	ev := byType[TypeEventReceived]
	assert.Empty(t, ev.UserID, "event-received is compact")
	assert.Nil(t, ev.Value)
	assert.Equal(t, uint64(42), ev.StreamSeq)
}

func TestWriterRecordRefusesInvalid(t *testing.T) {
	w, err := NewWriter(nil, WriterConfig{})
	require.NoError(t, err)

	tests := []struct {
		name string
		e    Entry
	}{
		{"unknown type", Entry{Type: "nope", TenantID: "t"}},
		{"empty tenant", Entry{Type: TypeError}},
		{"tenant with dot", Entry{Type: TypeError, TenantID: "a.b"}},
		{"tenant wildcard", Entry{Type: TypeError, TenantID: "*"}},
		{"NaN value", Entry{Type: TypeMetricComputed, TenantID: "t",
			Value: ptr(nanValue())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.False(t, w.Record(tt.e))
		})
	}
	assert.Equal(t, uint64(len(tests)), w.Stats().Invalid)
	assert.Zero(t, w.Stats().Buffered)
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestWriterFullBufferCountsDrops(t *testing.T) {
	js := newJetStream(t, Config{})
	w, err := NewWriter(js, WriterConfig{BufferSize: 4})
	require.NoError(t, err)

	accepted := 0
	for i := range 10 {
		if w.Record(Entry{Type: TypeError, TenantID: "t",
			Detail: fmt.Sprint(i)}) {
			accepted++
		}
	}
	assert.Equal(t, 4, accepted)
	st := w.Stats()
	assert.Equal(t, uint64(6), st.Dropped)
	assert.Equal(t, uint64(4), st.Buffered)

	require.NoError(t, w.Start())
	require.NoError(t, w.Close(testCtx(t)))
	st = w.Stats()
	assert.Equal(t, uint64(4), st.Written)
	assert.Zero(t, st.Buffered)

	assert.False(t, w.Record(Entry{Type: TypeError, TenantID: "t"}),
		"closed writer drops")
	assert.Equal(t, uint64(7), w.Stats().Dropped)
	assert.ErrorIs(t, w.Close(testCtx(t)), ErrClosed)
	assert.ErrorIs(t, w.Start(), ErrClosed)
}

func TestWriterCloseFlushes(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{BatchSize: 64})

	const n = 5000
	for i := range n {
		require.True(t, w.Record(Entry{Type: TypeMetricComputed,
			TenantID: "t", MetricCategory: "live-workload",
			Value: ptr(float64(i))}))
	}
	require.NoError(t, w.Close(testCtx(t)))

	st := w.Stats()
	assert.Equal(t, uint64(n), st.Written)
	assert.Zero(t, st.Buffered)
	assert.Zero(t, st.Failed)

	s, err := js.Stream(testCtx(t), DefaultStream)
	require.NoError(t, err)
	assert.Equal(t, uint64(n), s.CachedInfo().State.Msgs)
}

func TestWriterCountsFailures(t *testing.T) {
	// No streams: every publish is refused.
	srv, nc, js := startServer(t, t.TempDir())
	t.Cleanup(func() { stopServer(srv, nc) })

	w := startWriter(t, js, WriterConfig{
		MaxAttempts: 2, RetryBackoff: time.Millisecond,
		AckTimeout: time.Second,
	})
	for range 3 {
		require.True(t, w.Record(Entry{Type: TypeError, TenantID: "t"}))
	}
	waitFor(t, "failures", func() bool { return w.Stats().Failed == 3 })

	require.True(t, w.Record(Entry{Type: TypeError, TenantID: "t"}))
	err := w.Close(testCtx(t))
	assert.ErrorIs(t, err, ErrUnwritten)
	assert.Equal(t, uint64(4), w.Stats().Failed)
	assert.Zero(t, w.Stats().Written)
}

func TestWriterCloseDeadline(t *testing.T) {
	srv, nc, js := startServer(t, t.TempDir())
	t.Cleanup(func() { stopServer(srv, nc) })

	w, err := NewWriter(js, WriterConfig{
		MaxAttempts: 1000, RetryBackoff: time.Hour,
	})
	require.NoError(t, err)
	for range 10 {
		require.True(t, w.Record(Entry{Type: TypeError, TenantID: "t"}))
	}

	ctx, cancel := context.WithTimeout(context.Background(),
		50*time.Millisecond)
	defer cancel()
	err = w.Close(ctx)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.ErrorIs(t, err, ErrUnwritten)
	assert.Equal(t, uint64(10), w.Stats().Failed)
	assert.Zero(t, w.Stats().Buffered)
}

func TestWriterRetryIsDeduplicated(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{})

	e := Entry{ID: "fixed-id", Type: TypeError, TenantID: "t"}
	require.True(t, w.Record(e))
	require.True(t, w.Record(e))
	require.NoError(t, w.Close(testCtx(t)))

	r, err := NewReader(js, Config{})
	require.NoError(t, err)
	got, _ := readAll(t, r, Request{TenantID: "t"})
	assert.Len(t, got, 1)
}
