package subscribe

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

const tenant = statetest.DefaultTenant

var alice = Owner{TenantID: tenant, UserID: "alice"}

// inbox collects what arrives on one subject.
type inbox struct {
	mu   sync.Mutex
	msgs []*nats.Msg
}

func listen(t *testing.T, nc *nats.Conn, subject string) *inbox {
	t.Helper()
	in := &inbox{}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		in.mu.Lock()
		defer in.mu.Unlock()
		in.msgs = append(in.msgs, m)
	})
	require.NoError(t, err)
	require.NoError(t, sub.SetPendingLimits(-1, -1))
	require.NoError(t, nc.Flush())
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return in
}

func (in *inbox) snapshot() []*nats.Msg {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]*nats.Msg(nil), in.msgs...)
}

// events returns the event ids received, and the end reason ("" while
// the subscription lives).
func (in *inbox) events(t *testing.T) ([]string, string) {
	t.Helper()
	var ids []string
	end := ""
	for _, m := range in.snapshot() {
		if r := m.Header.Get(HeaderSubscriptionEnd); r != "" {
			require.Empty(t, end, "a message after the end signal")
			end = r
			continue
		}
		require.Empty(t, end, "an event after the end signal")
		var doc struct {
			EventID string `json:"eventId"`
		}
		require.NoError(t, json.Unmarshal(m.Data, &doc))
		ids = append(ids, doc.EventID)
	}
	return ids, end
}

func newEngine(t *testing.T, cfg Config) (*Engine, *nats.Conn) {
	t.Helper()
	s := natstest.Server(t, "")
	nc, _ := natstest.Conn(t, s)
	if cfg.Publisher == nil {
		cfg.Publisher = nc
	}
	e, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(e.Close)
	return e, nc
}

// feed offers es, numbered ev-1.. with stream sequences 1.., and returns
// the built events.
func feed(e *Engine, es []statetest.E) []*event.Event {
	out := make([]*event.Event, len(es))
	for i, x := range es {
		if x.ID == "" {
			x.ID = fmt.Sprintf("ev-%d", i+1)
		}
		if x.Tenant == "" {
			x.Tenant = tenant
		}
		if x.At.IsZero() {
			x.At = time.Date(2026, 1, 21, 10, 0, i, 0, time.UTC)
		}
		if x.Entity == "" {
			x.Entity = fmt.Sprintf("entity-%d", i%5)
		}
		ev := x.Event()
		out[i] = ev
		e.Offer(ev, event.Meta{StreamSeq: uint64(i + 1), Received: x.At})
	}
	return out
}

// mixed is a spread of events over tenants, facilities, categories,
// types, severities and operators.
func mixed() []statetest.E {
	return []statetest.E{
		{Type: event.TaskCreated, Severity: event.Critical, Facility: "f1", Operator: "op-1", OperatorName: "Ann"},
		{Type: event.AlertDetected, Severity: event.High, Facility: "f2", Operator: "op-2", OperatorName: "Bob"},
		{Type: event.TaskAssigned, Severity: event.Critical, Facility: "f1", Operator: "op-2", OperatorName: "Bob"},
		{Type: event.DriftDetected, Severity: event.Low, Federation: "fed-1"},
		{Type: event.TaskCreated, Severity: event.Medium, Tenant: "tenant-beta", Operator: "op-1"},
		{Type: event.AlertResolved, Severity: event.Critical, Facility: "f1", Operator: "op-1", OperatorName: "Ann"},
		{Type: event.TaskResolved, Severity: event.Low, Facility: "f2"},
		{Type: event.MetricComputed, Severity: event.Medium, Federation: "fed-1", Facility: "f1"},
	}
}

func TestFilters(t *testing.T) {
	all := policy.NewVisibility(policy.NewCaller("alice", tenant,
		[]string{policy.PermViewAllOperators}, "", nil), tenant, nil)
	cases := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"everything of the tenant", Filter{}, []string{"ev-1", "ev-2", "ev-3", "ev-4", "ev-6", "ev-7", "ev-8"}},
		{"facility", Filter{Scope: policy.Scope{FacilityID: "f1"}}, []string{"ev-1", "ev-3", "ev-6", "ev-8"}},
		{"federation", Filter{Scope: policy.Scope{FederationID: "fed-1"}}, []string{"ev-4", "ev-8"}},
		{"categories", Filter{Categories: []event.Category{event.AlertLifecycle, event.DriftDetection}},
			[]string{"ev-2", "ev-4", "ev-6"}},
		{"event types", Filter{EventTypes: []event.Type{event.TaskCreated, event.AlertResolved}},
			[]string{"ev-1", "ev-6"}},
		{"severities", Filter{Severities: []event.Severity{event.Critical}}, []string{"ev-1", "ev-3", "ev-6"}},
		{"operators", Filter{OperatorIDs: []string{"op-1"}}, []string{"ev-1", "ev-6"}},
		{"combined", Filter{Scope: policy.Scope{FacilityID: "f1"}, Categories: []event.Category{event.TaskLifecycle},
			Severities: []event.Severity{event.Critical}, OperatorIDs: []string{"op-2"}}, []string{"ev-3"}},
	}
	e, nc := newEngine(t, Config{})
	inboxes := make([]*inbox, len(cases))
	for i, tc := range cases {
		f := tc.filter
		f.Scope.TenantID = tenant
		subject := fmt.Sprintf("_INBOX_alice.case%d", i)
		inboxes[i] = listen(t, nc, subject)
		_, err := e.Create(Request{Filter: f, Owner: alice, Subject: subject, Visibility: all})
		require.NoError(t, err)
	}
	feed(e, mixed())

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			natstest.Eventually(t, 5*time.Second, func() bool {
				ids, _ := inboxes[i].events(t)
				return len(ids) >= len(tc.want)
			}, "events delivered")
			require.NoError(t, nc.Flush())
			ids, _ := inboxes[i].events(t)
			assert.Equal(t, tc.want, ids)
		})
	}
}

func TestHeadersAndVisibility(t *testing.T) {
	e, nc := newEngine(t, Config{})
	// Ann is op-1 and may see only herself.
	vis := policy.NewVisibility(policy.NewCaller("ann", tenant, nil, "op-1", nil), tenant, nil)
	in := listen(t, nc, "_INBOX_ann.watch")
	info, err := e.Create(Request{Filter: Filter{Scope: policy.Scope{TenantID: tenant}},
		Owner: Owner{tenant, "ann"}, Subject: "_INBOX_ann.watch", Visibility: vis})
	require.NoError(t, err)
	evs := feed(e, mixed())

	natstest.Eventually(t, 5*time.Second, func() bool { return len(in.snapshot()) == 7 }, "7 events")
	for _, m := range in.snapshot() {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(m.Data, &doc))
		id := doc["eventId"].(string)
		var src *event.Event
		for _, ev := range evs {
			if ev.ID == id {
				src = ev
			}
		}
		require.NotNil(t, src)
		assert.Equal(t, info.ID, m.Header.Get(HeaderSubscriptionID))
		assert.NotEmpty(t, m.Header.Get("Monitor-Stream-Seq"))
		assert.NotEmpty(t, m.Header.Get("Monitor-Received-At"))
		if src.OperatorID == "op-1" {
			assert.Equal(t, "op-1", doc["operatorId"], id)
			assert.Equal(t, "Ann", doc["operatorName"], id)
			assert.Equal(t, string(src.Raw), string(m.Data), "a visible event is unchanged")
		} else {
			assert.NotContains(t, doc, "operatorId", id)
			assert.NotContains(t, doc, "operatorName", id)
			assert.NotContains(t, string(m.Data), "op-2")
			assert.NotContains(t, string(m.Data), "Bob")
		}
	}
}

func TestRenewCancelAndOwnership(t *testing.T) {
	e, nc := newEngine(t, Config{})
	in := listen(t, nc, "_INBOX_alice.r")
	f := Filter{Scope: policy.Scope{TenantID: tenant}, Categories: []event.Category{event.TaskLifecycle}}
	req := Request{Filter: f, Owner: alice, Subject: "_INBOX_alice.r", Lease: time.Minute}
	info, err := e.Create(req)
	require.NoError(t, err)

	bob := Owner{TenantID: tenant, UserID: "bob"}
	_, err = e.Renew(bob, info.ID, req)
	assert.ErrorIs(t, err, ErrNotFound, "another user's renewal")
	_, err = e.Renew(alice, "sub-unknown", req)
	assert.ErrorIs(t, err, ErrNotFound)
	other := req
	other.Filter.Categories = []event.Category{event.AlertLifecycle}
	_, err = e.Renew(alice, info.ID, other)
	assert.ErrorIs(t, err, ErrFilterChanged)
	other = req
	other.Subject = "_INBOX_alice.elsewhere"
	_, err = e.Renew(alice, info.ID, other)
	assert.ErrorIs(t, err, ErrFilterChanged)

	same := req
	same.Filter.Categories = []event.Category{event.TaskLifecycle, event.TaskLifecycle}
	same.Lease = 2 * time.Minute
	renewed, err := e.Renew(alice, info.ID, same)
	require.NoError(t, err)
	assert.True(t, renewed.ExpiresAt.After(info.ExpiresAt))

	assert.ErrorIs(t, e.Cancel(bob, tenant, info.ID), ErrNotFound)
	assert.ErrorIs(t, e.Cancel(alice, "tenant-beta", info.ID), ErrNotFound)
	feed(e, mixed()[:3])
	require.NoError(t, e.Cancel(alice, tenant, info.ID))
	feed(e, mixed()[:3])

	natstest.Eventually(t, 5*time.Second, func() bool {
		_, end := in.events(t)
		return end != ""
	}, "end signal")
	require.NoError(t, nc.Flush())
	ids, end := in.events(t)
	assert.Equal(t, EndCancelled, end)
	assert.Equal(t, []string{"ev-1", "ev-3"}, ids, "events before the cancel, none after")
	assert.Equal(t, 0, e.Count(tenant))
	assert.ErrorIs(t, e.Cancel(alice, tenant, info.ID), ErrNotFound)
}

func TestExpiry(t *testing.T) {
	e, nc := newEngine(t, Config{})
	short := listen(t, nc, "_INBOX_alice.short")
	long := listen(t, nc, "_INBOX_alice.long")
	f := Filter{Scope: policy.Scope{TenantID: tenant}}
	a, err := e.Create(Request{Filter: f, Owner: alice, Subject: "_INBOX_alice.short", Lease: time.Second})
	require.NoError(t, err)
	b, err := e.Create(Request{Filter: f, Owner: alice, Subject: "_INBOX_alice.long", Lease: time.Second})
	require.NoError(t, err)

	// Keep b alive by renewing it while a runs out.
	pace := time.NewTicker(50 * time.Millisecond)
	defer pace.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, end := short.events(t)
		if end != "" {
			break
		}
		require.True(t, time.Now().Before(deadline), "lease did not expire")
		_, err := e.Renew(alice, b.ID, Request{Filter: f, Subject: "_INBOX_alice.long", Lease: time.Second})
		require.NoError(t, err)
		<-pace.C
	}
	_, end := short.events(t)
	assert.Equal(t, EndExpired, end)
	_, ok := e.Lookup(a.ID)
	assert.False(t, ok)
	_, ok = e.Lookup(b.ID)
	assert.True(t, ok, "the renewed subscription lives")
	_, end = long.events(t)
	assert.Empty(t, end)

	natstest.Eventually(t, 10*time.Second, func() bool {
		_, end := long.events(t)
		return end == EndExpired
	}, "second lease expires once no longer renewed")
	assert.Equal(t, 0, e.Stats().Active)
}

func TestLimitAndShutdown(t *testing.T) {
	e, nc := newEngine(t, Config{MaxPerTenant: 3})
	in := listen(t, nc, "monitor.subs.>")
	f := Filter{Scope: policy.Scope{TenantID: tenant}}
	for range 3 {
		_, err := e.Create(Request{Filter: f, Owner: alice})
		require.NoError(t, err)
	}
	_, err := e.Create(Request{Filter: f, Owner: alice})
	assert.ErrorIs(t, err, ErrLimit)
	beta := Filter{Scope: policy.Scope{TenantID: "tenant-beta"}}
	_, err = e.Create(Request{Filter: beta, Owner: Owner{"tenant-beta", "bob"}})
	assert.NoError(t, err, "the cap is per tenant")

	e.Close()
	require.NoError(t, nc.Flush())
	natstest.Eventually(t, 5*time.Second, func() bool { return len(in.snapshot()) == 4 }, "4 end signals")
	for _, m := range in.snapshot() {
		assert.Equal(t, EndShutdown, m.Header.Get(HeaderSubscriptionEnd))
		assert.Empty(t, m.Data)
		assert.Contains(t, m.Subject, m.Header.Get(HeaderSubscriptionID))
	}
	_, err = e.Create(Request{Filter: f, Owner: alice})
	assert.True(t, errors.Is(err, ErrClosed))
}

// blocked is a publisher that waits until released, to fill the queues.
type blocked struct {
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (b *blocked) PublishMsg(*nats.Msg) error {
	<-b.release
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	return nil
}

func TestOverflowIsCountedAndNeverBlocks(t *testing.T) {
	pub := &blocked{release: make(chan struct{})}
	e, err := New(Config{Publisher: pub, Shards: 1, QueueLen: 4})
	require.NoError(t, err)
	f := Filter{Scope: policy.Scope{TenantID: tenant}, Severities: []event.Severity{event.Critical}}
	info, err := e.Create(Request{Filter: f, Owner: alice})
	require.NoError(t, err)

	es := make([]statetest.E, 100)
	for i := range es {
		es[i] = statetest.E{Type: event.TaskCreated, Severity: event.Severity(i % 2)}
	}
	done := make(chan struct{})
	go func() {
		feed(e, es) // must return although nothing is published
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Offer blocked on a stuck publisher")
	}
	close(pub.release)
	natstest.Eventually(t, 5*time.Second, func() bool {
		st, _ := e.Lookup(info.ID)
		return st.Delivered+st.Dropped == 50
	}, "every matching event delivered or counted as dropped")
	st, _ := e.Lookup(info.ID)
	assert.Positive(t, st.Dropped)
	assert.LessOrEqual(t, st.Delivered, uint64(6), "queue of 4, one in hand")
	e.Close()
}
