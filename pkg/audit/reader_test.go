package audit

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var base = time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

// seedTrail records n entries per tenant across every type, users and
// a minute apart each, and returns what was recorded with ids and seqs
// as read back.
func seedTrail(t *testing.T, r *Reader, w *Writer, n int,
	base time.Time, step time.Duration) []Entry {
	t.Helper()

	users := []string{"u1", "u2", ""}
	for i := range n {
		for _, tenant := range []string{"t1", "t2"} {
			e := Entry{
				Type:     Types[i%len(Types)],
				Time:     base.Add(time.Duration(i) * step),
				TenantID: tenant,
				UserID:   users[i%len(users)],
				EventID:  fmt.Sprintf("ev-%d", i),
				Detail:   fmt.Sprintf("entry %d of %s", i, tenant),
			}
			require.True(t, w.Record(e))
		}
	}
	require.NoError(t, w.Close(testCtx(t)))

	all, _ := readAll(t, r, Request{TenantID: "t1", Limit: MaxLimit})
	require.Len(t, all, n)
	return all
}

func TestReaderFilters(t *testing.T) {
	modes := []struct {
		name  string
		slack time.Duration
		base  time.Time
		step  time.Duration
	}{
		// Entries timed as the writer times them: near the store time,
		// so the reader seeks and stops by store time.
		{"seeking", 0, time.Now().UTC().Add(-30 * time.Second), time.Second},
		// Back-dated entries, far from their store time: only correct
		// with seeking off.
		{"scanning", -1, base, time.Minute},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			cfg := Config{TimeSlack: mode.slack}
			js := newJetStream(t, cfg)
			r, err := NewReader(js, cfg)
			require.NoError(t, err)
			w := startWriter(t, js, WriterConfig{})
			all := seedTrail(t, r, w, 60, mode.base, mode.step)
			testFilters(t, r, all, mode.base, mode.step)
		})
	}
}

func testFilters(t *testing.T, r *Reader, all []Entry, base time.Time,
	step time.Duration) {
	at := func(i int) time.Time { return base.Add(time.Duration(i) * step) }
	tests := []struct {
		name string
		req  Request
		keep func(Entry) bool
	}{
		{"all", Request{}, func(Entry) bool { return true }},
		{"one type", Request{Types: []string{"error"}},
			func(e Entry) bool { return e.Type == TypeError }},
		{"events only", Request{Types: []string{"event-received"}},
			func(e Entry) bool { return e.Type == TypeEventReceived }},
		{"events and decisions",
			Request{Types: []string{"policy-decision", "event-received"}},
			func(e Entry) bool {
				return e.Type == TypeEventReceived ||
					e.Type == TypePolicyDecision
			}},
		{"since", Request{Since: at(30)},
			func(e Entry) bool { return !e.Time.Before(at(30)) }},
		{"until", Request{Until: at(10)},
			func(e Entry) bool { return e.Time.Before(at(10)) }},
		{"range and type", Request{
			Since: at(5), Until: at(45),
			Types: []string{"metric-computed", "event-received"}},
			func(e Entry) bool {
				return !e.Time.Before(at(5)) && e.Time.Before(at(45)) &&
					(e.Type == TypeMetricComputed ||
						e.Type == TypeEventReceived)
			}},
		{"user", Request{UserID: "u2"},
			func(e Entry) bool { return e.UserID == "u2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.TenantID = "t1"
			req.Limit = 4
			got, _ := readAll(t, r, req)

			want := slices.DeleteFunc(slices.Clone(all),
				func(e Entry) bool { return !tt.keep(e) })
			require.NotEmpty(t, want)
			assert.Equal(t, ids(want), ids(got))
			for _, e := range got {
				assert.Equal(t, "t1", e.TenantID)
			}
		})
	}
}

func ids(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestReaderPagingExactlyOnce(t *testing.T) {
	cfg := Config{MaxScan: 37}
	js := newJetStream(t, cfg)
	r, err := NewReader(js, cfg)
	require.NoError(t, err)
	w := startWriter(t, js, WriterConfig{})
	all := seedTrail(t, r, w, 300, base, time.Minute)

	tests := []struct {
		name string
		req  Request
	}{
		{"small limit", Request{Limit: 7}},
		{"small max bytes", Request{MaxBytes: 1500}},
		{"both", Request{Limit: 3, MaxBytes: 1200}},
		{"filtered", Request{Limit: 5, MaxBytes: 900,
			Types: []string{"error", "event-received"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
				limit := req.Limit
				if limit == 0 {
					limit = DefaultLimit
				}
				assert.LessOrEqual(t, len(page.Entries), limit)
				got = append(got, page.Entries...)
				if page.NextCursor == "" {
					break
				}
				req.Cursor = page.NextCursor
			}

			want := all
			if len(req.Types) > 0 {
				want = slices.DeleteFunc(slices.Clone(all), func(e Entry) bool {
					return !slices.Contains(req.Types, string(e.Type))
				})
			}
			assert.Equal(t, ids(want), ids(got))
			assertOrdered(t, got)
		})
	}
}

// assertOrdered checks the documented order: trail entries by seq, then
// event-received entries by seq.
func assertOrdered(t *testing.T, es []Entry) {
	t.Helper()

	seenEvents := false
	var last uint64
	for _, e := range es {
		if e.Type == TypeEventReceived && !seenEvents {
			seenEvents, last = true, 0
		}
		if seenEvents {
			require.Equal(t, TypeEventReceived, e.Type, "trail after events")
		}
		require.Greater(t, e.Seq, last)
		last = e.Seq
	}
}

// pageBytes is the larger of the page's JSON and CSV encodings.
func pageBytes(t *testing.T, p Page) int {
	t.Helper()

	var j, c countWriter
	require.NoError(t, WriteJSON(&j, p))
	require.NoError(t, WriteCSV(&c, p.Entries))
	return max(int(j), int(c))
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func TestReaderBadRequests(t *testing.T) {
	r, err := NewReader(nil, Config{})
	require.NoError(t, err)

	b64 := func(s string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(s))
	}
	tests := []struct {
		name string
		req  Request
	}{
		{"cursor not base64", Request{Cursor: "!!!"}},
		{"cursor garbage", Request{Cursor: b64("hello")}},
		{"cursor old version", Request{Cursor: b64("v0:a:5")}},
		{"cursor unknown stream", Request{Cursor: b64("v1:x:5")}},
		{"cursor seq zero", Request{Cursor: b64("v1:a:0")}},
		{"cursor seq signed", Request{Cursor: b64("v1:a:+5")}},
		{"cursor seq huge", Request{Cursor: b64("v1:a:99999999999999999999")}},
		{"cursor too long", Request{Cursor: b64("v1:a:5:" + string(make([]byte, 64)))}},
		{"no tenant", Request{TenantID: "-"}},
		{"unknown type", Request{Types: []string{"login"}}},
		{"repeated type", Request{Types: []string{"error", "error"}}},
		{"limit too big", Request{Limit: MaxLimit + 1}},
		{"negative limit", Request{Limit: -1}},
		{"until before since", Request{Since: base, Until: base.Add(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if req.TenantID == "" {
				req.TenantID = "t1"
			} else if req.TenantID == "-" {
				req.TenantID = ""
			}
			_, err := r.Query(testCtx(t), req)
			assert.ErrorIs(t, err, ErrBadRequest)
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []cursor{{partTrail, 1}, {partEvents, 1 << 60},
		{partTrail, ^uint64(0)}} {
		got, err := parseCursor(c.String())
		require.NoError(t, err)
		assert.Equal(t, c, got)
	}
}

func TestTrailSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv, nc, js := startServer(t, dir)
	require.NoError(t, Provision(testCtx(t), js, Config{}))

	w, err := NewWriter(js, WriterConfig{})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	in := sampleEntries("t1", base)
	for _, e := range in {
		require.True(t, w.Record(e))
	}
	require.NoError(t, w.Close(testCtx(t)))

	r, err := NewReader(js, Config{})
	require.NoError(t, err)
	before, _ := readAll(t, r, Request{TenantID: "t1"})
	require.Len(t, before, len(in))
	stopServer(srv, nc)

	srv, nc, js = startServer(t, dir)
	t.Cleanup(func() { stopServer(srv, nc) })
	require.NoError(t, Provision(testCtx(t), js, Config{}), "idempotent")
	r, err = NewReader(js, Config{})
	require.NoError(t, err)
	after, _ := readAll(t, r, Request{TenantID: "t1"})
	assert.Equal(t, before, after)
}
