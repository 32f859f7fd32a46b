package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordEvents records n event-received entries for tenant, a
// millisecond apart from at, with stream sequences from 1.
func recordEvents(t *testing.T, w *Writer, tenant string, n int,
	at time.Time) {
	t.Helper()

	for i := range n {
		require.True(t, w.Record(Entry{
			Type: TypeEventReceived, TenantID: tenant,
			Time:     at.Add(time.Duration(i) * time.Millisecond),
			Category: []string{"task-lifecycle", "alert"}[i%2],
			EventID:  fmt.Sprintf("%s-ev-%04d", tenant, i),
			// Fields that event-received entries do not keep.
			UserID: "u1", Detail: "dropped by compaction",
			StreamSeq: uint64(i + 1),
		}))
	}
}

func streamMsgs(t *testing.T, js jetstream.JetStream, name string) uint64 {
	t.Helper()

	s, err := js.Stream(testCtx(t), name)
	require.NoError(t, err)
	info, err := s.Info(testCtx(t))
	require.NoError(t, err)
	return info.State.Msgs
}

func TestWriterBatchesEventReceived(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{EventBatchRecords: 100,
		FlushInterval: time.Hour})

	recordEvents(t, w, "t1", 250, base)
	recordEvents(t, w, "t2", 30, base)
	require.NoError(t, w.Close(testCtx(t)))

	st := w.Stats()
	assert.Equal(t, uint64(280), st.Written)
	assert.Zero(t, st.Buffered)
	assert.Equal(t, uint64(3+1), st.EventBatches, "t1: 100+100+50, t2: 30")
	assert.Equal(t, uint64(4), streamMsgs(t, js, DefaultEventsStream))

	c, err := CountEvents(testCtx(t), js, Config{})
	require.NoError(t, err)
	assert.Equal(t, EventCounts{Messages: 4, Entries: 280}, c)

	r, err := NewReader(js, Config{})
	require.NoError(t, err)
	got, _ := readAll(t, r, Request{TenantID: "t1"})
	require.Len(t, got, 250)
	for i, e := range got {
		assert.Equal(t, Entry{
			ID: e.ID, Seq: e.Seq, Type: TypeEventReceived,
			Time:     base.Add(time.Duration(i) * time.Millisecond),
			TenantID: "t1", Category: []string{"task-lifecycle", "alert"}[i%2],
			EventID:   fmt.Sprintf("t1-ev-%04d", i),
			StreamSeq: uint64(i + 1),
		}, e)
	}
	assertOrdered(t, got)
	assert.Len(t, uniqueIDs(got), 250)
}

func uniqueIDs(es []Entry) map[string]bool {
	out := map[string]bool{}
	for _, e := range es {
		out[e.ID] = true
	}
	return out
}

func TestWriterBatchBytesBound(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{EventBatchBytes: 1024,
		FlushInterval: time.Hour})

	recordEvents(t, w, "t1", 200, base)
	require.NoError(t, w.Close(testCtx(t)))

	c, err := CountEvents(testCtx(t), js, Config{})
	require.NoError(t, err)
	assert.Equal(t, uint64(200), c.Entries)
	assert.Greater(t, c.Messages, uint64(3))

	r, err := NewReader(js, Config{})
	require.NoError(t, err)
	sc, err := newScanner(testCtx(t), js, DefaultEventsStream,
		[]string{EventsSubjectPrefix + "t1"}, 1, nil)
	require.NoError(t, err)
	msgs, _, err := sc.fetch(100)
	require.NoError(t, err)
	for _, m := range msgs {
		assert.LessOrEqual(t, len(m.data), 1024)
	}
	got, _ := readAll(t, r, Request{TenantID: "t1"})
	assert.Len(t, got, 200)
}

func TestWriterFlushesOldBatches(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{FlushInterval: 20 * time.Millisecond})

	recordEvents(t, w, "t1", 3, base)
	waitFor(t, "the batch to be flushed without Close", func() bool {
		return w.Stats().Written == 3
	})
	assert.Equal(t, uint64(1), w.Stats().EventBatches)
}

func TestWriterFullEventBufferCountsDrops(t *testing.T) {
	js := newJetStream(t, Config{})
	w, err := NewWriter(js, WriterConfig{EventBufferSize: 4})
	require.NoError(t, err)

	accepted := 0
	for i := range 10 {
		if w.Record(Entry{Type: TypeEventReceived, TenantID: "t",
			StreamSeq: uint64(i + 1)}) {
			accepted++
		}
	}
	assert.Equal(t, 4, accepted)
	assert.Equal(t, uint64(6), w.Stats().Dropped)
	assert.Equal(t, uint64(4), w.Stats().Buffered)

	require.NoError(t, w.Start())
	require.NoError(t, w.Close(testCtx(t)))
	st := w.Stats()
	assert.Equal(t, uint64(4), st.Written)
	assert.Zero(t, st.Buffered)
}

func TestWriterEventBatchFailures(t *testing.T) {
	// No streams: every publish is refused.
	srv, nc, js := startServer(t, t.TempDir())
	t.Cleanup(func() { stopServer(srv, nc) })

	w := startWriter(t, js, WriterConfig{
		MaxAttempts: 2, RetryBackoff: time.Millisecond,
		AckTimeout: time.Second, EventBatchRecords: 5,
		FlushInterval: time.Hour,
	})
	recordEvents(t, w, "t1", 5, base)
	waitFor(t, "failures", func() bool { return w.Stats().Failed == 5 })

	recordEvents(t, w, "t1", 1, base)
	assert.ErrorIs(t, w.Close(testCtx(t)), ErrUnwritten)
	st := w.Stats()
	assert.Equal(t, uint64(6), st.Failed)
	assert.Zero(t, st.Written)
	assert.Zero(t, st.Buffered)
}

func TestWriterConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  WriterConfig
	}{
		{"negative event buffer", WriterConfig{EventBufferSize: -1}},
		{"negative flush interval", WriterConfig{FlushInterval: -1}},
		{"batch records above the max",
			WriterConfig{EventBatchRecords: MaxBatchRecords + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(nil, tt.cfg)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

// TestReaderPagesInsideBatches pages through batched entries with
// limits, byte bounds and scan budgets that end pages inside a batch.
func TestReaderPagesInsideBatches(t *testing.T) {
	const n = 250
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{EventBatchRecords: 64,
		FlushInterval: time.Hour})
	recordEvents(t, w, "t1", n, base)
	recordEvents(t, w, "t2", 40, base)
	require.NoError(t, w.Close(testCtx(t)))

	all, _ := readAll(t, mustReader(t, js, Config{}),
		Request{TenantID: "t1", Limit: MaxLimit})
	require.Len(t, all, n)
	at := func(i int) time.Time {
		return base.Add(time.Duration(i) * time.Millisecond)
	}

	tests := []struct {
		name    string
		maxScan int
		req     Request
		want    []Entry
	}{
		{"limit", 0, Request{Limit: 7}, all},
		{"limit of a batch", 0, Request{Limit: 64}, all},
		{"max bytes", 0, Request{MaxBytes: 2000}, all},
		{"scan budget", 5, Request{}, all},
		{"scan budget and limit", 11, Request{Limit: 3}, all},
		{"time range inside batches", 13,
			Request{Since: at(70), Until: at(200), Limit: 9},
			all[70:200]},
		{"events type", 0,
			Request{Types: []string{"event-received"}, Limit: 50}, all},
		{"user: none", 0, Request{UserID: "u1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Entries were back-dated: turn seeking by store time off.
			cfg := Config{MaxScan: tt.maxScan, TimeSlack: -1}
			r := mustReader(t, js, cfg)
			req := tt.req
			req.TenantID = "t1"

			var got []Entry
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10000)
				page, err := r.Query(testCtx(t), req)
				require.NoError(t, err)
				if req.MaxBytes > 0 {
					assert.LessOrEqual(t, pageBytes(t, page), req.MaxBytes)
				}
				got = append(got, page.Entries...)
				if page.NextCursor == "" {
					break
				}
				req.Cursor = page.NextCursor
			}
			assert.Equal(t, ids(tt.want), ids(got))
			assertOrdered(t, got)
		})
	}
}

func mustReader(t *testing.T, js jetstream.JetStream, cfg Config) *Reader {
	t.Helper()

	r, err := NewReader(js, cfg)
	require.NoError(t, err)
	return r
}

// TestReaderCursorInsideBatch checks that a cursor names a position in
// a batch: the next page starts right after the last entry returned.
func TestReaderCursorInsideBatch(t *testing.T) {
	js := newJetStream(t, Config{})
	w := startWriter(t, js, WriterConfig{FlushInterval: time.Hour})
	recordEvents(t, w, "t1", 10, base)
	require.NoError(t, w.Close(testCtx(t)))
	r := mustReader(t, js, Config{})

	page, err := r.Query(testCtx(t), Request{TenantID: "t1", Limit: 4})
	require.NoError(t, err)
	require.Len(t, page.Entries, 4)
	c, err := parseCursor(page.NextCursor)
	require.NoError(t, err)
	msg, first := c.message()
	assert.Equal(t, page.Entries[0].Seq/EventSeqFactor, msg, "same batch")
	assert.Equal(t, 4, first)

	next, err := r.Query(testCtx(t), Request{TenantID: "t1", Limit: 4,
		Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Len(t, next.Entries, 4)
	assert.Equal(t, page.Entries[3].Seq+1, next.Entries[0].Seq)
	assert.Equal(t, "t1-ev-0004", next.Entries[0].EventID)
}

// TestReaderReadsSingleEventEntries reads the events stream as it was
// written before batching (one JSON entry a message) next to batches,
// and accepts a v1 cursor into it.
func TestReaderReadsSingleEventEntries(t *testing.T) {
	js := newJetStream(t, Config{})
	legacy := Entry{ID: "old-1", Type: TypeEventReceived, TenantID: "t1",
		Time: base, Category: "alert", EventID: "ev-old", StreamSeq: 9}
	for i := range 2 {
		e := legacy
		e.ID = fmt.Sprintf("old-%d", i)
		m := nats.NewMsg(EventsSubjectPrefix + "t1")
		m.Data = mustJSON(t, e)
		_, err := js.PublishMsg(testCtx(t), m)
		require.NoError(t, err)
	}
	w := startWriter(t, js, WriterConfig{})
	recordEvents(t, w, "t1", 3, base)
	require.NoError(t, w.Close(testCtx(t)))

	r := mustReader(t, js, Config{})
	got, _ := readAll(t, r, Request{TenantID: "t1", Limit: 2})
	require.Len(t, got, 5)
	assert.Equal(t, "old-0", got[0].ID)
	assert.Equal(t, uint64(1*EventSeqFactor), got[0].Seq)
	assert.Equal(t, uint64(2*EventSeqFactor), got[1].Seq)
	assert.Equal(t, uint64(3*EventSeqFactor), got[2].Seq)
	assertOrdered(t, got)

	v1 := b64Cursor("v1:e:2")
	page, err := r.Query(testCtx(t), Request{TenantID: "t1", Cursor: v1})
	require.NoError(t, err)
	assert.Equal(t, ids(got[1:]), ids(page.Entries))

	c, err := CountEvents(testCtx(t), js, Config{})
	require.NoError(t, err)
	assert.Equal(t, EventCounts{Messages: 3, Entries: 5}, c)
}

func TestEventsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	srv, nc, js := startServer(t, dir)
	require.NoError(t, Provision(testCtx(t), js, Config{}))
	w, err := NewWriter(js, WriterConfig{})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	recordEvents(t, w, "t1", 20, base)
	require.NoError(t, w.Close(context.Background()))
	before, _ := readAll(t, mustReader(t, js, Config{}),
		Request{TenantID: "t1"})
	stopServer(srv, nc)

	srv, nc, js = startServer(t, dir)
	t.Cleanup(func() { stopServer(srv, nc) })
	after, _ := readAll(t, mustReader(t, js, Config{}),
		Request{TenantID: "t1"})
	assert.Len(t, after, 20)
	assert.Equal(t, before, after)
}

func b64Cursor(raw string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()

	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}
