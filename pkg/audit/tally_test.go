package audit

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTallyCounts(t *testing.T) {
	ty := NewTally(TallyConfig{})
	now := base

	add := func(n int, e Entry) {
		for range n {
			ty.Observe(e)
		}
	}
	add(3, Entry{Type: TypePolicyDecision, TenantID: "t1",
		Decision: DecisionAllowed})
	add(2, Entry{Type: TypePolicyDecision, TenantID: "t1",
		Decision: DecisionDenied})
	add(4, Entry{Type: TypeError, TenantID: "t1"})
	add(5, Entry{Type: TypeEventReceived, TenantID: "t1"})
	add(1, Entry{Type: TypeError, TenantID: "t2"})

	// Metrics: 6 in the last minute, 4 the minute before, 2 older.
	add(2, Entry{Type: TypeMetricComputed, TenantID: "t1", Time: now})
	add(4, Entry{Type: TypeMetricComputed, TenantID: "t1",
		Time: now.Add(-59 * time.Second)})
	add(4, Entry{Type: TypeMetricComputed, TenantID: "t1",
		Time: now.Add(-60 * time.Second)})
	add(2, Entry{Type: TypeMetricComputed, TenantID: "t1",
		Time: now.Add(-3 * time.Minute)})

	assert.Equal(t, Totals{MetricsComputed: 12, PolicyAllowed: 3,
		PolicyDenied: 2, Errors: 4}, ty.Counters("t1"))
	assert.Equal(t, Totals{Errors: 1}, ty.Counters("t2"))
	assert.Equal(t, Totals{}, ty.Counters("nobody"))

	cur, prev := ty.MetricsPerMinute("t1", now)
	assert.Equal(t, 6, cur)
	assert.Equal(t, 4, prev)

	cur, prev = ty.MetricsPerMinute("t1", now.Add(time.Minute))
	assert.Equal(t, 0, cur)
	assert.Equal(t, 6, prev)

	cur, prev = ty.MetricsPerMinute("t1", now.Add(time.Hour))
	assert.Zero(t, cur+prev)
}

func TestTallyBoundsTenants(t *testing.T) {
	ty := NewTally(TallyConfig{MaxTenants: 10})
	for i := range 50 {
		ty.Observe(Entry{Type: TypeError, TenantID: fmt.Sprint("x", i)})
	}
	assert.Equal(t, uint64(40), ty.Untracked())
}

func TestTallyRebuildMatchesLive(t *testing.T) {
	js := newJetStream(t, Config{})
	live := NewTally(TallyConfig{})
	w := startWriter(t, js, WriterConfig{Tally: live})

	now := time.Now().UTC()
	for i := range 200 {
		e := Entry{Type: Types[i%len(Types)], TenantID: "t1",
			Time: now.Add(-time.Duration(i) * time.Second)}
		if e.Type == TypePolicyDecision && i%2 == 0 {
			e.Decision = DecisionDenied
		} else {
			e.Decision = DecisionAllowed
		}
		require.True(t, w.Record(e))
	}
	require.NoError(t, w.Close(testCtx(t)))

	rebuilt := NewTally(TallyConfig{})
	require.NoError(t, rebuilt.Rebuild(testCtx(t), js, Config{}))

	assert.Equal(t, live.Counters("t1"), rebuilt.Counters("t1"))
	assert.Equal(t, uint64(40), rebuilt.Counters("t1").MetricsComputed)
	lc, lp := live.MetricsPerMinute("t1", now)
	rc, rp := rebuilt.MetricsPerMinute("t1", now)
	assert.Equal(t, []int{lc, lp}, []int{rc, rp})
	assert.NotZero(t, rc)
}
