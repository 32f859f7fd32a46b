package consumer

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

// rig runs one pipeline against a server until stopped.
type rig struct {
	t    *testing.T
	nc   *nats.Conn
	js   jetstream.JetStream
	reg  *state.Registry
	p    *Pipeline
	stop context.CancelFunc
	done chan error

	once sync.Once

	mu       sync.Mutex
	rejected []Rejected
}

func startRig(t *testing.T, s *server.Server, cfg Config, rc state.RegistryConfig) *rig {
	t.Helper()
	nc, js := natstest.Conn(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, Provision(ctx, js, cfg))

	r := &rig{t: t, nc: nc, js: js, done: make(chan error, 1)}
	rc.Applied = func(ev *event.Event, meta event.Meta, out state.Outcome) {
		if !out.Duplicate {
			_ = nc.PublishMsg(EventMsg(ev, meta))
		}
	}
	reg, err := state.NewRegistry(rc)
	require.NoError(t, err)
	r.reg = reg
	r.p, err = New(Options{Config: cfg, Conn: nc, JS: js, Registry: reg, Logger: zerolog.Nop(),
		OnRejected: func(rj Rejected) {
			r.mu.Lock()
			defer r.mu.Unlock()
			rj.Body = append([]byte(nil), rj.Body...)
			r.rejected = append(r.rejected, rj)
		}})
	require.NoError(t, err)

	runCtx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go func() { r.done <- r.p.Run(runCtx) }()
	t.Cleanup(r.shutdown)
	return r
}

// shutdown stops the pipeline cleanly and waits for it.
func (r *rig) shutdown() {
	r.once.Do(func() {
		r.stop()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			r.t.Errorf("pipeline did not stop:\n%s", buf[:runtime.Stack(buf, true)])
		}
		r.reg.Close()
	})
}

// crash drops the connection first, as a killed process would: batches in
// flight are never acknowledged.
func (r *rig) crash() {
	r.nc.Close()
	r.shutdown()
}

// read runs fn on tenant's actor; it fails when the tenant does not exist.
func (r *rig) read(tenant string, fn func(*state.Tenant)) {
	r.t.Helper()
	a := r.reg.Get(tenant)
	require.NotNil(r.t, a, "tenant %s", tenant)
	require.NoError(r.t, a.Read(context.Background(), fn))
}

func (r *rig) totals(tenant string) state.Totals {
	var out state.Totals
	if r.reg.Get(tenant) == nil {
		return out
	}
	r.read(tenant, func(t *state.Tenant) { out = t.Totals(state.Filter{}) })
	return out
}

func (r *rig) health(tenant string) state.Health {
	var out state.Health
	if r.reg.Get(tenant) == nil {
		return out
	}
	r.read(tenant, func(t *state.Tenant) { out = t.Health() })
	return out
}

var t0 = time.Now().UTC().Truncate(time.Second).Add(-time.Hour)

// publish sends an event on its ingest subject with the spec's message id.
func publish(t *testing.T, js jetstream.JetStream, e statetest.E) *jetstream.PubAck {
	t.Helper()
	ev := e.Event()
	return publishRaw(t, js, subjectOf(ev), ev.Raw, ev.TenantID+":"+ev.ID)
}

func subjectOf(ev *event.Event) string {
	f := ev.FacilityID
	if f == "" {
		f = "_"
	}
	return fmt.Sprintf("ops.events.%s.%s.%s", ev.Category, ev.TenantID, f)
}

func publishRaw(t *testing.T, js jetstream.JetStream, subject string, body []byte, msgID string) *jetstream.PubAck {
	t.Helper()
	m := nats.NewMsg(subject)
	m.Data = body
	if msgID != "" {
		m.Header.Set(nats.MsgIdHdr, msgID)
	}
	ack, err := js.PublishMsg(context.Background(), m)
	require.NoError(t, err)
	return ack
}

// collect subscribes to subject and returns a function that yields what
// arrived so far.
func collect(t *testing.T, nc *nats.Conn, subject string) func() []*nats.Msg {
	t.Helper()
	var mu sync.Mutex
	var got []*nats.Msg
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
	})
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return func() []*nats.Msg {
		mu.Lock()
		defer mu.Unlock()
		return append([]*nats.Msg(nil), got...)
	}
}

func TestPipelineAppliesAndRepublishesInOrder(t *testing.T) {
	s := natstest.Server(t, "")
	r := startRig(t, s, Config{}, state.RegistryConfig{})
	events := collect(t, r.nc, "monitor.events.>")

	es := []statetest.E{
		{ID: "e1", Type: event.TaskCreated, Entity: "task-1", Severity: event.High, Facility: "f1", At: t0},
		{ID: "e2", Type: event.TaskAssigned, Entity: "task-1", Severity: event.Critical, Facility: "f1", Operator: "op-1", At: t0.Add(time.Second)},
		{ID: "e3", Type: event.AlertDetected, Entity: "alert-1", Severity: event.Low, At: t0.Add(2 * time.Second)},
		{ID: "e4", Type: event.TaskResolved, Entity: "task-1", Severity: event.Critical, Facility: "f1", At: t0.Add(3 * time.Second)},
		{ID: "e5", Type: event.LineageUpdated, Severity: event.Medium, At: t0.Add(4 * time.Second)},
	}
	for _, e := range es {
		publish(t, r.js, e)
	}

	natstest.Eventually(t, 10*time.Second, func() bool { return len(events()) == len(es) }, "all events republished")
	got := events()
	bySeq := map[string]*nats.Msg{}
	var tasks []string
	for _, m := range got {
		seq := m.Header.Get(HeaderStreamSeq)
		bySeq[seq] = m
		if strings.Contains(m.Subject, "task-lifecycle") {
			tasks = append(tasks, seq)
		}
		_, err := time.Parse(time.RFC3339Nano, m.Header.Get(HeaderReceivedAt))
		assert.NoError(t, err)
	}
	// Categories are consumed side by side; within one, order holds.
	assert.Equal(t, []string{"1", "2", "4"}, tasks, "task events in stream order")
	assert.Equal(t, "monitor.events.tenant-alpha.f1.task-lifecycle.high.created", bySeq["1"].Subject)
	assert.Equal(t, "monitor.events.tenant-alpha._.alert-lifecycle.low.detected", bySeq["3"].Subject)
	assert.Equal(t, "monitor.events.tenant-alpha._.governance-lineage.medium.lineage-updated", bySeq["5"].Subject)
	assert.Equal(t, string(es[1].Event().Raw), string(bySeq["2"].Data), "body republished unchanged")

	tot := r.totals("tenant-alpha")
	assert.Equal(t, uint64(5), tot.Events)
	r.read("tenant-alpha", func(tn *state.Tenant) {
		assert.Equal(t, 0, tn.OpenCount(event.TaskLifecycle))
		assert.Equal(t, 1, tn.OpenCount(event.AlertLifecycle))
	})
}

func TestPipelineRejectsWithCopyAndHeaders(t *testing.T) {
	valid := statetest.E{ID: "ok", Type: event.TaskCreated, Entity: "t1", At: t0}.Event()
	future := statetest.E{ID: "fut", Type: event.TaskCreated, Entity: "t2", At: time.Now().Add(time.Hour)}.Event()
	assigned := strings.Replace(string(valid.Raw), `"created"`, `"assigned"`, 1)
	tests := []struct {
		name    string
		subject string
		body    string
		reason  event.Reason
	}{
		{"too large", "ops.events.task-lifecycle.tenant-alpha._", `{"pad":"` + strings.Repeat("x", 70<<10) + `"}`, event.ReasonTooLarge},
		{"malformed", "ops.events.task-lifecycle.tenant-alpha._", `{"eventId":`, event.ReasonMalformedJSON},
		{"missing", "ops.events.task-lifecycle.tenant-alpha._", `{"eventId":"x"}`, event.ReasonMissingField},
		{"invalid", "ops.events.task-lifecycle.tenant-alpha._", strings.Replace(string(valid.Raw), `"severity":"critical"`, `"severity":"bad"`, 1), event.ReasonInvalidField},
		{"unknown category", "ops.events.task-lifecycle.tenant-alpha._", strings.Replace(string(valid.Raw), `"task-lifecycle"`, `"bogus"`, 1), event.ReasonUnknownCategory},
		{"unknown type", "ops.events.task-lifecycle.tenant-alpha._", strings.Replace(string(valid.Raw), `"created"`, `"exploded"`, 1), event.ReasonUnknownEventType},
		{"assigned without operator", "ops.events.task-lifecycle.tenant-alpha._", assigned, event.ReasonMissingField},
		{"subject tenant differs", "ops.events.task-lifecycle.tenant-beta._", string(valid.Raw), event.ReasonSubjectMismatch},
		{"subject category differs", "ops.events.alert-lifecycle.tenant-alpha._", string(valid.Raw), event.ReasonSubjectMismatch},
		{"future", "ops.events.task-lifecycle.tenant-alpha._", string(future.Raw), event.ReasonTimestampInFuture},
	}
	s := natstest.Server(t, "")
	r := startRig(t, s, Config{}, state.RegistryConfig{})
	copies := collect(t, r.nc, "monitor.rejected.>")
	want := map[string]*[event.NumReasons]uint64{}

	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ack := publishRaw(t, r.js, tc.subject, []byte(tc.body), fmt.Sprintf("bad-%d", i))
			natstest.Eventually(t, 10*time.Second, func() bool { return len(copies()) == i+1 }, "rejected copy")
			c := copies()[i]
			tenant := strings.Split(tc.subject, ".")[3]
			assert.Equal(t, "monitor.rejected."+tenant, c.Subject)
			assert.Equal(t, tc.reason.String(), c.Header.Get(HeaderRejectReason))
			assert.NotEmpty(t, c.Header.Get(HeaderRejectDetail))
			assert.Equal(t, fmt.Sprint(ack.Sequence), c.Header.Get(HeaderStreamSeq))
			assert.Equal(t, tc.body, string(c.Data))
			assert.Empty(t, c.Header.Get(HeaderRejectTruncate))
			if want[tenant] == nil {
				want[tenant] = new([event.NumReasons]uint64)
			}
			want[tenant][tc.reason]++
			assert.Equal(t, *want[tenant], r.health(tenant).Rejected, "counted under the subject's tenant")
		})
	}

	r.mu.Lock()
	assert.Len(t, r.rejected, len(tests), "every rejection reached the audit hook")
	r.mu.Unlock()
	assert.Equal(t, uint64(0), r.totals("tenant-alpha").Events, "nothing rejected was applied")

	// The rejected copies are kept in their stream even with nobody
	// listening.
	st, err := r.js.Stream(context.Background(), DefaultRejectedStream)
	require.NoError(t, err)
	assert.Equal(t, uint64(len(tests)), st.CachedInfo().State.Msgs)

	// A good event after all that is still consumed.
	publish(t, r.js, statetest.E{ID: "after", Type: event.TaskCreated, Entity: "t9", At: t0})
	natstest.Eventually(t, 10*time.Second, func() bool { return r.totals("tenant-alpha").Events == 1 }, "consumer still running")
}

func TestPipelineTenantLimit(t *testing.T) {
	s := natstest.Server(t, "")
	r := startRig(t, s, Config{}, state.RegistryConfig{MaxTenants: 1})
	copies := collect(t, r.nc, "monitor.rejected.>")

	publish(t, r.js, statetest.E{ID: "a", Type: event.TaskCreated, Entity: "t1", Tenant: "one", At: t0})
	publish(t, r.js, statetest.E{ID: "b", Type: event.TaskCreated, Entity: "t1", Tenant: "two", At: t0})

	natstest.Eventually(t, 10*time.Second, func() bool { return len(copies()) == 1 }, "tenant-limit copy")
	assert.Equal(t, "tenant-limit", copies()[0].Header.Get(HeaderRejectReason))
	assert.Equal(t, "monitor.rejected.two", copies()[0].Subject)
	assert.Equal(t, uint64(1), r.totals("one").Events)
	assert.Nil(t, r.reg.Get("two"))
	assert.Equal(t, uint64(1), r.p.Stats().Rejected[event.ReasonTenantLimit])
}

func TestPipelineTruncatesOversizedCopy(t *testing.T) {
	s := natstest.Server(t, "")
	cfg := Config{Limits: Limits{MaxEventBytes: 4 << 20}}
	r := startRig(t, s, cfg, state.RegistryConfig{})
	copies := collect(t, r.nc, "monitor.rejected.>")

	// Fits in the ingest message but not in a copy with its headers.
	body := `{"pad":"` + strings.Repeat("y", int(r.nc.MaxPayload())-600) + `"}`
	publishRaw(t, r.js, "ops.events.task-lifecycle.tenant-alpha._", []byte(body), "")

	natstest.Eventually(t, 10*time.Second, func() bool { return len(copies()) == 1 }, "truncated copy")
	c := copies()[0]
	assert.Equal(t, "true", c.Header.Get(HeaderRejectTruncate))
	assert.Less(t, len(c.Data), len(body))
	assert.Equal(t, body[:len(c.Data)], string(c.Data))
}

func TestPipelineDuplicates(t *testing.T) {
	s := natstest.Server(t, "")
	r := startRig(t, s, Config{}, state.RegistryConfig{})
	events := collect(t, r.nc, "monitor.events.>")

	e := statetest.E{ID: "dup-1", Type: event.AlertDetected, Entity: "a1", At: t0}
	first := publish(t, r.js, e)
	again := publish(t, r.js, e) // same Nats-Msg-Id: JetStream drops it
	assert.False(t, first.Duplicate)
	assert.True(t, again.Duplicate)

	// Same event id under another message id: the monitor drops it.
	ev := e.Event()
	publishRaw(t, r.js, subjectOf(ev), ev.Raw, "other-id")
	publish(t, r.js, statetest.E{ID: "next", Type: event.AlertResolved, Entity: "a1", At: t0.Add(time.Minute)})

	// All three are alert events, applied in stream order: once the last
	// is republished, the duplicate before it has been judged.
	natstest.Eventually(t, 10*time.Second, func() bool {
		got := events()
		return len(got) > 0 && strings.HasSuffix(got[len(got)-1].Subject, ".resolved")
	}, "last event republished")
	require.NoError(t, r.nc.Flush())
	assert.Len(t, events(), 2, "the duplicate is not republished")
	assert.Equal(t, uint64(2), r.totals("tenant-alpha").Events)
	assert.Equal(t, uint64(1), r.health("tenant-alpha").Duplicates)
}

func TestPipelineOrphansAndLateTransitions(t *testing.T) {
	s := natstest.Server(t, "")
	r := startRig(t, s, Config{}, state.RegistryConfig{})

	for _, e := range []statetest.E{
		{Type: event.TaskAssigned, Entity: "ghost", Operator: "op-1", At: t0},
		{Type: event.TaskCreated, Entity: "t1", At: t0},
		{Type: event.TaskCreated, Entity: "t1", At: t0.Add(time.Second)},
		{Type: event.TaskResolved, Entity: "t1", At: t0.Add(2 * time.Second)},
		{Type: event.TaskAcknowledged, Entity: "t1", At: t0.Add(3 * time.Second)},
	} {
		e.ID = fmt.Sprintf("ol-%d", e.At.UnixNano()) + e.Entity + e.Type.String()
		publish(t, r.js, e)
	}
	natstest.Eventually(t, 10*time.Second, func() bool { return r.totals("tenant-alpha").Events == 5 }, "all accepted")
	h := r.health("tenant-alpha")
	assert.Equal(t, uint64(1), h.Orphans)
	assert.Equal(t, uint64(2), h.LateTransitions)
}

// snapshot is a comparable digest of a tenant: counters, totals, open
// entities and the recent-events buffer.
type snapshot struct {
	Health state.Health
	Totals state.Totals
	Open   []string
	Recent []uint64
}

func (r *rig) snapshot(tenant string) snapshot {
	var s snapshot
	r.read(tenant, func(t *state.Tenant) {
		s.Health = t.Health()
		s.Health.LastReceived, s.Health.Lag = time.Time{}, 0
		s.Totals = t.Totals(state.Filter{})
		for _, c := range event.Categories {
			for e := range t.OpenEntities(c) {
				s.Open = append(s.Open, fmt.Sprintf("%s/%s/%s/%s/%s", c, e.ID(), e.Severity(), e.Status(), e.Assignee()))
			}
		}
		for rc := range t.RecentNewestFirst() {
			s.Recent = append(s.Recent, rc.Seq)
		}
	})
	sort.Strings(s.Open)
	return s
}

// mixedLoad returns n events over a few tenants and all lifecycles, with
// some duplicates (same event id) and some that will be rejected.
func mixedLoad(n int) []statetest.E {
	var out []statetest.E
	sev := []event.Severity{event.Critical, event.High, event.Medium, event.Low}
	for i := 0; len(out) < n; i++ {
		tenant := fmt.Sprintf("tenant-%d", i%3)
		at := t0.Add(time.Duration(i) * time.Second)
		task := fmt.Sprintf("task-%d", i/4)
		alert := fmt.Sprintf("alert-%d", i/3)
		op := fmt.Sprintf("op-%d", i%5)
		out = append(out,
			statetest.E{Tenant: tenant, Type: event.TaskCreated, Entity: task, At: at, Severity: sev[i%4]},
			statetest.E{Tenant: tenant, Type: event.TaskAssigned, Entity: task, Operator: op, At: at, Severity: sev[(i+1)%4]},
			statetest.E{Tenant: tenant, Type: event.AlertDetected, Entity: alert, At: at, Severity: sev[i%4]},
			statetest.E{Tenant: tenant, Type: event.AlertAcknowledged, Entity: alert, At: at.Add(time.Second)},
			statetest.E{Tenant: tenant, Type: event.DriftDetected, Entity: "drift-" + task, At: at},
		)
		if i%3 == 0 {
			out = append(out, statetest.E{Tenant: tenant, Type: event.TaskResolved, Entity: task, At: at.Add(2 * time.Second)})
		}
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("m-%d", i)
		if i%50 == 49 {
			out[i].ID = out[i-7].ID // a re-sent event under a new message id
		}
	}
	return out[:n]
}

func TestPipelineRestartRebuildsExactState(t *testing.T) {
	s := natstest.Server(t, "")
	load := mixedLoad(3000)
	pub := func(t *testing.T, js jetstream.JetStream, es []statetest.E) {
		for i, e := range es {
			ev := e.Event()
			publishRaw(t, js, subjectOf(ev), ev.Raw, fmt.Sprintf("%s:%s:%d", ev.TenantID, ev.ID, i))
			if i%300 == 0 { // now and then, a message the monitor rejects
				publishRaw(t, js, subjectOf(ev), []byte(`{"broken":`), "")
			}
		}
	}

	// The reference never stops; it reads through its own durables.
	ref := startRig(t, s, Config{DurablePrefix: "ref-"}, state.RegistryConfig{})

	mon := startRig(t, s, Config{}, state.RegistryConfig{})
	pub(t, mon.js, load[:1500])
	natstest.Eventually(t, 20*time.Second, func() bool { return mon.p.Stats().Accepted > 500 }, "monitor under way")
	mon.crash()

	// What the crashed monitor acknowledged will come back silently.
	_, js := natstest.Conn(t, s)
	var floor [event.NumCategories]uint64
	for _, c := range event.Categories {
		cons, err := js.Consumer(context.Background(), DefaultStream, "monitor-"+c.String())
		require.NoError(t, err)
		floor[c] = cons.CachedInfo().AckFloor.Stream
	}
	pub(t, js, load[1500:])

	again := startRig(t, s, Config{}, state.RegistryConfig{})
	events := collect(t, again.nc, "monitor.events.>")
	copies := collect(t, again.nc, "monitor.rejected.>")
	last, err := js.Stream(context.Background(), DefaultStream)
	require.NoError(t, err)
	lastSeq := last.CachedInfo().State.LastSeq

	caughtUp := func(r *rig) func() bool {
		return func() bool {
			r.p.PollNow(context.Background())
			cs := r.p.Consumers()
			if len(cs) == 0 {
				return false
			}
			for _, c := range cs {
				if c.Pending != 0 || c.AckPending != 0 {
					return false
				}
			}
			return true
		}
	}
	natstest.Eventually(t, 60*time.Second, caughtUp(ref), "reference caught up")
	natstest.Eventually(t, 60*time.Second, caughtUp(again), "restarted monitor caught up")
	require.NotZero(t, lastSeq)

	for _, tenant := range []string{"tenant-0", "tenant-1", "tenant-2"} {
		assert.Equal(t, ref.snapshot(tenant), again.snapshot(tenant), tenant)
	}
	assert.NotZero(t, again.p.Progress().Target, "a rebuild happened")
	assert.True(t, again.p.Progress().Done)

	for _, m := range append(events(), copies()...) {
		var seq uint64
		_, err := fmt.Sscan(m.Header.Get(HeaderStreamSeq), &seq)
		require.NoError(t, err)
		if strings.HasPrefix(m.Subject, "monitor.rejected.") {
			if seq <= min(floor[event.TaskLifecycle], floor[event.AlertLifecycle]) {
				t.Errorf("rejection at seq %d copied again after the rebuild", seq)
			}
			continue
		}
		c, ok := event.ParseCategory(strings.Split(m.Subject, ".")[4])
		require.True(t, ok, m.Subject)
		assert.Greater(t, seq, floor[c], "event %s at seq %d was republished by the rebuild", m.Subject, seq)
	}
}

func TestLeaseStandby(t *testing.T) {
	s := natstest.Server(t, "")
	_, js := natstest.Conn(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	cfg := LeaseConfig{Key: "OPS_EVENTS", Holder: "first", TTL: 3 * time.Second}
	first, err := AcquireLease(ctx, js, cfg, nil)
	require.NoError(t, err)
	keepCtx, stopKeep := context.WithCancel(ctx)
	kept := make(chan error, 1)
	go func() { kept <- first.Keep(keepCtx) }()

	standby := make(chan string, 1)
	second := make(chan *Lease, 1)
	go func() {
		cfg2 := cfg
		cfg2.Holder = "second"
		l, err := AcquireLease(ctx, js, cfg2, func(holder string) { standby <- holder })
		if err == nil {
			second <- l
		}
	}()

	select {
	case h := <-standby:
		assert.Equal(t, "first", h)
	case <-ctx.Done():
		t.Fatal("second instance never went to standby")
	}
	// Well past the TTL the first still holds it, because it renews.
	time.Sleep(4 * time.Second)
	assert.Empty(t, second, "the standby must not take a renewed lease")

	stopKeep()
	<-kept
	require.NoError(t, first.Release(ctx))
	select {
	case l := <-second:
		require.NotNil(t, l)
	case <-ctx.Done():
		t.Fatal("standby did not take over after release")
	}
}
