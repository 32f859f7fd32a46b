package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// watcher collects the messages of one delivery subject (or, with a
// wildcard, many), in arrival order.
type watcher struct {
	mu   sync.Mutex
	msgs []*nats.Msg
}

func watch(t *testing.T, nc *nats.Conn, subject string) *watcher {
	t.Helper()
	w := &watcher{}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.msgs = append(w.msgs, m)
	})
	require.NoError(t, err)
	require.NoError(t, sub.SetPendingLimits(-1, -1))
	require.NoError(t, nc.Flush())
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return w
}

func (w *watcher) all() []*nats.Msg {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*nats.Msg(nil), w.msgs...)
}

// ids returns the event ids received in order and the end reason, if
// any; it fails on anything after the end signal.
func (w *watcher) ids(t *testing.T) ([]string, string) {
	t.Helper()
	var ids []string
	end := ""
	for _, m := range w.all() {
		require.Empty(t, end, "a message after the end signal")
		if end = m.Header.Get(subscribe.HeaderSubscriptionEnd); end != "" {
			require.Empty(t, m.Data)
			continue
		}
		var doc struct {
			EventID string `json:"eventId"`
		}
		require.NoError(t, json.Unmarshal(m.Data, &doc))
		ids = append(ids, doc.EventID)
	}
	return ids, end
}

// ingest publishes events to the ingest stream as an engine would, with
// timestamps a minute ago, and waits until the monitor applied them.
func (e *env) ingest(t *testing.T, es []statetest.E) {
	t.Helper()
	js, err := jetstream.New(e.nc)
	require.NoError(t, err)
	before := e.svc.Pipeline().Stats().Accepted
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	for i, x := range es {
		if x.Tenant == "" {
			x.Tenant = alpha
		}
		if x.At.IsZero() {
			x.At = at.Add(time.Duration(i) * time.Millisecond)
		}
		if x.Entity == "" {
			x.Entity = "ent-" + x.ID
		}
		ev := x.Event()
		fac := ev.FacilityID
		if fac == "" {
			fac = "_"
		}
		m := nats.NewMsg(fmt.Sprintf("ops.events.%s.%s.%s", ev.Category, ev.TenantID, fac))
		m.Data = ev.Raw
		m.Header.Set(nats.MsgIdHdr, ev.TenantID+":"+ev.ID)
		_, err := js.PublishMsg(context.Background(), m)
		require.NoError(t, err)
	}
	natstest.Eventually(t, 20*time.Second, func() bool {
		return e.svc.Pipeline().Stats().Accepted == before+uint64(len(es))
	}, "events applied")
}

func (e *env) mint(t *testing.T, o policy.MintOptions) string {
	t.Helper()
	tok, err := policy.Mint(e.priv, o)
	require.NoError(t, err)
	return tok
}

// spread is a mix of events over facilities, federations, categories,
// types, severities and operators, ids s-1..s-9.
func spread() []statetest.E {
	return []statetest.E{
		{ID: "s-1", Type: event.TaskCreated, Severity: event.Critical, Facility: "f1", Operator: "op-1", OperatorName: "Ann"},
		{ID: "s-2", Type: event.AlertDetected, Severity: event.High, Facility: "f2", Operator: "op-2", OperatorName: "Bob"},
		{ID: "s-3", Type: event.TaskCreated, Severity: event.Critical, Facility: "f1", Operator: "op-2", OperatorName: "Bob"},
		{ID: "s-4", Type: event.DriftDetected, Severity: event.Low, Federation: "fed-1"},
		{ID: "s-5", Type: event.TaskCreated, Severity: event.Medium, Tenant: "tenant-beta", Operator: "op-1"},
		{ID: "s-6", Type: event.AlertDetected, Severity: event.Critical, Facility: "f1", Operator: "op-1", OperatorName: "Ann"},
		{ID: "s-7", Type: event.FindingCreated, Severity: event.Low, Facility: "f2"},
		{ID: "s-8", Type: event.MetricComputed, Severity: event.Medium, Federation: "fed-1", Facility: "f1"},
		{ID: "s-9", Type: event.TaskCreated, Severity: event.High, Operator: "op-3", OperatorName: "Cy"},
	}
}

func TestSubscribeFiltersDeliverInOrder(t *testing.T) {
	e := startMonitor(t, nil)
	c := e.client(t, alpha, "u1", policy.PermViewAllOperators, policy.PermFederation("fed-1"))
	cases := []struct {
		name string
		req  client.SubscribeRequest
		want []string
	}{
		{"all of the tenant", client.SubscribeRequest{},
			[]string{"s-1", "s-2", "s-3", "s-4", "s-6", "s-7", "s-8", "s-9"}},
		{"facility", client.SubscribeRequest{Scope: client.Scope{FacilityID: "f1"}},
			[]string{"s-1", "s-3", "s-6", "s-8"}},
		{"federation", client.SubscribeRequest{Scope: client.Scope{FederationID: "fed-1"}},
			[]string{"s-4", "s-8"}},
		{"categories", client.SubscribeRequest{Categories: []string{"alert-lifecycle", "drift-detection"}},
			[]string{"s-2", "s-4", "s-6"}},
		{"event types", client.SubscribeRequest{Categories: []string{"task-lifecycle", "audit-finding"},
			EventTypes: []string{"created", "finding-created"}}, []string{"s-1", "s-3", "s-7", "s-9"}},
		{"event types of any category", client.SubscribeRequest{EventTypes: []string{"detected"}},
			[]string{"s-2", "s-6"}},
		{"severities", client.SubscribeRequest{Severities: []string{"critical", "low"}},
			[]string{"s-1", "s-3", "s-4", "s-6", "s-7"}},
		{"operators", client.SubscribeRequest{OperatorIDs: []string{"op-1", "op-3"}},
			[]string{"s-1", "s-6", "s-9"}},
		{"everything at once", client.SubscribeRequest{Scope: client.Scope{FacilityID: "f1"},
			Categories: []string{"task-lifecycle"}, Severities: []string{"critical"}, OperatorIDs: []string{"op-2"}},
			[]string{"s-3"}},
	}
	watchers := make([]*watcher, len(cases))
	for i := range cases {
		req := cases[i].req
		req.Scope.TenantID = alpha
		req.DeliverSubject = fmt.Sprintf("_INBOX_u1.case%d", i)
		watchers[i] = watch(t, e.nc, req.DeliverSubject)
		sub, err := c.CreateSubscription(context.Background(), req)
		require.NoError(t, err, cases[i].name)
		assert.Equal(t, req.DeliverSubject, sub.Subject)
		assert.WithinDuration(t, time.Now().Add(300*time.Second), sub.ExpiresAt, 10*time.Second)
	}
	e.ingest(t, spread())

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			natstest.Eventually(t, 10*time.Second, func() bool {
				ids, _ := watchers[i].ids(t)
				return len(ids) >= len(tc.want)
			}, "matching events delivered")
			require.NoError(t, e.nc.Flush())
			ids, end := watchers[i].ids(t)
			// Categories are consumed side by side: each category's events
			// come in stream order, the interleaving is the applied order.
			assert.ElementsMatch(t, tc.want, ids)
			assert.Equal(t, byCategory(tc.want), byCategory(ids))
			assert.Empty(t, end)
			for _, m := range watchers[i].all() {
				assert.NotEmpty(t, m.Header.Get("Monitor-Stream-Seq"))
				assert.NotEmpty(t, m.Header.Get("Monitor-Received-At"))
				assert.NotEmpty(t, m.Header.Get(subscribe.HeaderSubscriptionID))
			}
		})
	}
}

// byCategory splits spread's event ids by category, keeping their order.
func byCategory(ids []string) map[event.Category][]string {
	cat := map[string]event.Category{}
	for _, x := range spread() {
		cat[x.ID] = x.Type.Category()
	}
	out := map[event.Category][]string{}
	for _, id := range ids {
		out[cat[id]] = append(out[cat[id]], id)
	}
	return out
}

func TestSubscribeVisibilityFilter(t *testing.T) {
	e := startMonitor(t, nil)
	// Ann is operator op-1, without permission to see other operators.
	ann := client.New(e.nc, e.mint(t, policy.MintOptions{Tenant: alpha, User: "ann", Operator: "op-1"}))
	w := watch(t, e.nc, "_INBOX_ann.all")
	_, err := ann.CreateSubscription(context.Background(), client.SubscribeRequest{
		Scope: client.Scope{TenantID: alpha}, DeliverSubject: "_INBOX_ann.all"})
	require.NoError(t, err)

	_, err = ann.CreateSubscription(context.Background(), client.SubscribeRequest{
		Scope: client.Scope{TenantID: alpha}, OperatorIDs: []string{"op-2"}})
	ae := apiErr(t, err)
	assert.Equal(t, 403, ae.Code)
	assert.Equal(t, policy.RuleOperatorAccess, ae.Rule)

	e.ingest(t, spread())
	natstest.Eventually(t, 10*time.Second, func() bool {
		ids, _ := w.ids(t)
		return len(ids) == 8
	}, "8 events of tenant-alpha")
	for _, m := range w.all() {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(m.Data, &doc))
		if doc["operatorId"] == "op-1" {
			assert.Equal(t, "Ann", doc["operatorName"])
			continue
		}
		assert.NotContains(t, doc, "operatorId", doc["eventId"])
		assert.NotContains(t, doc, "operatorName", doc["eventId"])
		for _, leak := range []string{"op-2", "op-3", "Bob", "Cy"} {
			assert.NotContains(t, string(m.Data), leak)
		}
	}
}

func TestSubscribeDenialsAndValidation(t *testing.T) {
	e := startMonitor(t, nil)
	u1 := e.client(t, alpha, "u1")
	ctx := context.Background()

	_, err := e.client(t, "tenant-beta", "mallory").CreateSubscription(ctx,
		client.SubscribeRequest{Scope: client.Scope{TenantID: alpha}})
	ae := apiErr(t, err)
	assert.Equal(t, 403, ae.Code, "another tenant's subscribe")
	assert.Equal(t, policy.RuleTenantIsolation, ae.Rule)

	_, err = u1.CreateSubscription(ctx, client.SubscribeRequest{Scope: client.Scope{TenantID: alpha, FederationID: "fed-9"}})
	assert.Equal(t, policy.RuleFederationAccess, apiErr(t, err).Rule)

	tok := e.token(t, alpha, "u1")
	cases := []struct {
		name, body, field string
	}{
		{"metric category", `{"scope":{"tenantId":"tenant-alpha"},"categories":["live-workload"]}`, "categories[0]"},
		{"repeated category", `{"scope":{"tenantId":"tenant-alpha"},"categories":["task-lifecycle","task-lifecycle"]}`, "categories[1]"},
		{"type of another category", `{"scope":{"tenantId":"tenant-alpha"},"categories":["task-lifecycle"],"eventTypes":["detected"]}`, "eventTypes[0]"},
		{"unknown type", `{"scope":{"tenantId":"tenant-alpha"},"eventTypes":["exploded"]}`, "eventTypes[0]"},
		{"severity", `{"scope":{"tenantId":"tenant-alpha"},"severities":["urgent"]}`, "severities[0]"},
		{"operator id", `{"scope":{"tenantId":"tenant-alpha"},"operatorIds":["op 1"]}`, "operatorIds[0]"},
		{"wildcard subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"_INBOX_u1.>"}`, "deliverSubject"},
		{"star subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"_INBOX_u1.*.x"}`, "deliverSubject"},
		{"space in subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"_INBOX_u1. x"}`, "deliverSubject"},
		{"monitor subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"monitor.query.tenant-alpha"}`, "deliverSubject"},
		{"ops subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"ops.events.x"}`, "deliverSubject"},
		{"system subject", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"$JS.API.STREAM.LIST"}`, "deliverSubject"},
		{"empty token", `{"scope":{"tenantId":"tenant-alpha"},"deliverSubject":"a..b"}`, "deliverSubject"},
		{"lease zero", `{"scope":{"tenantId":"tenant-alpha"},"leaseSeconds":0}`, "leaseSeconds"},
		{"lease too long", `{"scope":{"tenantId":"tenant-alpha"},"leaseSeconds":3601}`, "leaseSeconds"},
		{"lease fraction", `{"scope":{"tenantId":"tenant-alpha"},"leaseSeconds":1.5}`, "leaseSeconds"},
		{"scope of another tenant", `{"scope":{"tenantId":"tenant-beta"}}`, "scope.tenantId"},
		{"not json", `{"scope":`, "JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := e.raw(t, "monitor.subscribe."+alpha, tok, []byte(tc.body))
			assert.Equal(t, "400", m.Header.Get("Nats-Service-Error-Code"))
			var doc struct {
				Error struct {
					Code   int    `json:"code"`
					Rule   string `json:"rule"`
					Reason string `json:"reason"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(m.Data, &doc))
			assert.Equal(t, 400, doc.Error.Code)
			assert.Contains(t, doc.Error.Reason, tc.field)
		})
	}
	assert.Equal(t, 0, e.svc.Subscriptions().Stats().Active)
}

func TestSubscribeRenewUnsubscribeAndExpiry(t *testing.T) {
	e := startMonitor(t, nil)
	ctx := context.Background()
	u1 := e.client(t, alpha, "u1")
	u2 := e.client(t, alpha, "u2")
	req := client.SubscribeRequest{Scope: client.Scope{TenantID: alpha},
		Categories: []string{"task-lifecycle"}, LeaseSeconds: 2}
	w := watch(t, e.nc, "monitor.subs.>")

	sub, err := u1.CreateSubscription(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, "monitor.subs."+alpha+"."+sub.SubscriptionID, sub.Subject)
	renew := req
	renew.SubscriptionID = sub.SubscriptionID

	_, err = u2.CreateSubscription(ctx, renew)
	assert.Equal(t, 404, apiErr(t, err).Code, "renewal by another user")
	assert.Equal(t, "not-found", apiErr(t, err).Rule)
	changed := renew
	changed.Severities = []string{"critical"}
	_, err = u1.CreateSubscription(ctx, changed)
	assert.Equal(t, 400, apiErr(t, err).Code, "a renewal may not change the filter")
	err = u2.Unsubscribe(ctx, alpha, sub.SubscriptionID)
	assert.Equal(t, 404, apiErr(t, err).Code, "unsubscribe by another user")

	// Renew well past the first lease end, then let it expire.
	first := sub.ExpiresAt
	deadline := time.Now().Add(3 * time.Second)
	pace := time.NewTicker(300 * time.Millisecond)
	defer pace.Stop()
	for time.Now().Before(deadline) {
		got, err := u1.CreateSubscription(ctx, renew)
		require.NoError(t, err, "renewal")
		assert.Equal(t, sub.SubscriptionID, got.SubscriptionID)
		sub = got
		<-pace.C
	}
	assert.True(t, sub.ExpiresAt.After(first.Add(time.Second)), "renewals moved the lease")
	_, end := w.ids(t)
	require.Empty(t, end, "alive while renewed")

	natstest.Eventually(t, 10*time.Second, func() bool {
		_, end := w.ids(t)
		return end != ""
	}, "end signal after expiry")
	_, end = w.ids(t)
	assert.Equal(t, subscribe.EndExpired, end)
	_, err = u1.CreateSubscription(ctx, renew)
	assert.Equal(t, 404, apiErr(t, err).Code, "an expired subscription is gone")

	// Unsubscribe by the owner ends it with "cancelled".
	w2 := watch(t, e.nc, "_INBOX_u1.c")
	req.DeliverSubject, req.LeaseSeconds = "_INBOX_u1.c", 0
	sub, err = u1.CreateSubscription(ctx, req)
	require.NoError(t, err)
	e.ingest(t, []statetest.E{{ID: "c-1", Type: event.TaskCreated}, {ID: "c-2", Type: event.AlertDetected}})
	natstest.Eventually(t, 10*time.Second, func() bool { ids, _ := w2.ids(t); return len(ids) == 1 }, "c-1")
	require.NoError(t, u1.Unsubscribe(ctx, alpha, sub.SubscriptionID))
	e.ingest(t, []statetest.E{{ID: "c-3", Type: event.TaskCreated}})
	natstest.Eventually(t, 10*time.Second, func() bool { _, end := w2.ids(t); return end != "" }, "end")
	require.NoError(t, e.nc.Flush())
	ids, end := w2.ids(t)
	assert.Equal(t, []string{"c-1"}, ids)
	assert.Equal(t, subscribe.EndCancelled, end)
	assert.Equal(t, 404, apiErr(t, u1.Unsubscribe(ctx, alpha, sub.SubscriptionID)).Code)
}

func TestClientSubscribe(t *testing.T) {
	e := startMonitor(t, nil)
	c := e.client(t, alpha, "u1")
	var mu sync.Mutex
	var got []string
	handler := func(m *nats.Msg) {
		var doc struct {
			EventID string `json:"eventId"`
		}
		_ = json.Unmarshal(m.Data, &doc)
		mu.Lock()
		got = append(got, doc.EventID)
		mu.Unlock()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(ctx, client.SubscribeRequest{Scope: client.Scope{TenantID: alpha},
			Severities: []string{"critical"}, LeaseSeconds: 1, InboxPrefix: "_INBOX_u1"}, handler)
	}()
	natstest.Eventually(t, 10*time.Second, func() bool {
		select {
		case err := <-done:
			t.Fatalf("Subscribe returned: %v", err)
		default:
		}
		return e.svc.Subscriptions().Stats().Active == 1
	}, "subscription created")
	e.ingest(t, spread()[:3])
	natstest.Eventually(t, 10*time.Second, func() bool { return count() == 2 }, "s-1 and s-3")

	// Outlive several one-second leases: the client renews in the
	// background.
	alive := time.Now().Add(2500 * time.Millisecond)
	natstest.Eventually(t, 10*time.Second, func() bool { return time.Now().After(alive) }, "time passes")
	assert.Equal(t, 1, e.svc.Subscriptions().Stats().Active, "renewed")
	e.ingest(t, spread()[5:6])
	natstest.Eventually(t, 10*time.Second, func() bool { return count() == 3 }, "s-6")

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Subscribe did not return after cancel")
	}
	assert.Equal(t, 0, e.svc.Subscriptions().Stats().Active, "cancelled on return")
	assert.Equal(t, []string{"s-1", "s-3", "s-6"}, got, "one category: stream order")

	// An end signal from the monitor returns an *EndError.
	done = make(chan error, 1)
	go func() {
		done <- c.Subscribe(context.Background(), client.SubscribeRequest{Scope: client.Scope{TenantID: alpha},
			DeliverSubject: "_INBOX_u1.ended"}, handler)
	}()
	natstest.Eventually(t, 10*time.Second, func() bool {
		return e.svc.Subscriptions().Stats().Active == 1
	}, "second subscription")
	w := watch(t, e.nc, "_INBOX_u1.ended")
	e.ingest(t, []statetest.E{{ID: "e-1", Type: event.TaskCreated}})
	natstest.Eventually(t, 10*time.Second, func() bool { return len(w.all()) == 1 }, "one event")
	id := w.all()[0].Header.Get(subscribe.HeaderSubscriptionID)
	require.NoError(t, c.Unsubscribe(context.Background(), alpha, id))
	select {
	case err := <-done:
		var end *client.EndError
		require.ErrorAs(t, err, &end)
		assert.Equal(t, subscribe.EndCancelled, end.Reason)
		assert.ErrorIs(t, err, client.ErrEnded)
	case <-time.After(15 * time.Second):
		t.Fatal("Subscribe did not return on the end signal")
	}
}

func TestSubscribeThousandWhileIngesting(t *testing.T) {
	e := startMonitor(t, func(c *monitor.Config) { c.RateLimit = -1 })
	ctx := context.Background()
	c := e.client(t, alpha, "loader", policy.PermViewAllOperators)
	w := watch(t, e.nc, "_INBOX_loader.>")

	const subs = subscribe.DefaultMaxPerTenant
	sevs := []string{"critical", "high", "medium", "low"}
	cats := []string{"task-lifecycle", "alert-lifecycle"}
	filters := make([]client.SubscribeRequest, subs)
	idOf := map[string]int{}
	for i := range subs {
		// A quarter take everything; the rest split by severity and,
		// for odd i, by category too.
		req := client.SubscribeRequest{Scope: client.Scope{TenantID: alpha},
			DeliverSubject: fmt.Sprintf("_INBOX_loader.%d", i)}
		if i%4 != 0 {
			req.Severities = []string{sevs[i%4]}
		}
		if i%2 == 1 {
			req.Categories = []string{cats[(i/2)%2]}
		}
		filters[i] = req
		sub, err := c.CreateSubscription(ctx, req)
		require.NoError(t, err, "subscription %d", i)
		idOf[sub.SubscriptionID] = i
	}
	_, err := c.CreateSubscription(ctx, client.SubscribeRequest{Scope: client.Scope{TenantID: alpha}})
	ae := apiErr(t, err)
	assert.Equal(t, 429, ae.Code)
	assert.Equal(t, "subscription-limit", ae.Rule)

	const n = 400
	es := make([]statetest.E, n)
	types := []event.Type{event.TaskCreated, event.AlertDetected, event.DriftDetected}
	for i := range es {
		es[i] = statetest.E{ID: fmt.Sprintf("l-%d", i), Type: types[i%3], Severity: event.Severity(i % 4)}
	}
	want := make([]int, subs)
	total := 0
	for i, f := range filters {
		for _, x := range es {
			ev := x.Event()
			if len(f.Severities) > 0 && ev.Severity.String() != f.Severities[0] {
				continue
			}
			if len(f.Categories) > 0 && ev.Category.String() != f.Categories[0] {
				continue
			}
			want[i]++
		}
		total += want[i]
	}
	e.ingest(t, es)

	natstest.Eventually(t, 60*time.Second, func() bool { return len(w.all()) >= total }, "every matching event delivered")
	require.NoError(t, e.nc.Flush())
	msgs := w.all()
	require.Len(t, msgs, total)
	got := make([]int, subs)
	type key struct {
		sub int
		cat string
	}
	last := map[key]int{}
	for _, m := range msgs {
		i, ok := idOf[m.Header.Get(subscribe.HeaderSubscriptionID)]
		require.True(t, ok)
		assert.Equal(t, fmt.Sprintf("_INBOX_loader.%d", i), m.Subject)
		var doc struct {
			Category string `json:"category"`
		}
		require.NoError(t, json.Unmarshal(m.Data, &doc))
		var seq int
		_, _ = fmt.Sscan(m.Header.Get("Monitor-Stream-Seq"), &seq)
		k := key{i, doc.Category}
		require.Greater(t, seq, last[k], "subscription %d: %s out of stream order", i, doc.Category)
		last[k] = seq
		got[i]++
	}
	assert.Equal(t, want, got)
	st := e.svc.Subscriptions().Stats()
	assert.Equal(t, uint64(total), st.Delivered)
	assert.Zero(t, st.Dropped)
	t.Logf("%d subscriptions, %d events ingested, %d deliveries", subs, n, total)
}
