// Package natsconf holds no code: its test starts a nats-server with
// monitor.conf, exactly as written, and checks each rule it states.
package natsconf

import (
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/opsmonitor/monitor/internal/monitortest"
	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

// startServer runs monitor.conf on a free port with a temporary store.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	opts, err := server.ProcessConfigFile("monitor.conf")
	require.NoError(t, err)
	opts.Host, opts.Port = "127.0.0.1", -1
	opts.JetStream, opts.StoreDir = true, t.TempDir()
	opts.NoLog, opts.NoSigs = true, true
	s, err := server.NewServer(opts)
	require.NoError(t, err)
	go s.Start()
	require.True(t, s.ReadyForConnections(10*time.Second))
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// user is one connection with the asynchronous errors it got.
type user struct {
	nc   *nats.Conn
	mu   sync.Mutex
	errs []string
}

var passwords = map[string]string{
	"monitor":         "monitor-example-password",
	"action-center":   "engine-example-password",
	"alice":           "alice-example-password",
	"bob":             "bob-example-password",
	"dashboard-alpha": "dashboard-example-password",
}

// connect logs in as name; people and engines use their inbox prefix.
func connect(t *testing.T, s *server.Server, name string) *user {
	t.Helper()
	u := &user{}
	opts := []nats.Option{
		nats.UserInfo(name, passwords[name]),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			u.mu.Lock()
			defer u.mu.Unlock()
			u.errs = append(u.errs, strings.ToLower(err.Error()))
		}),
	}
	if name != "monitor" {
		opts = append(opts, nats.CustomInboxPrefix("_INBOX_"+name))
	}
	nc, err := nats.Connect(s.ClientURL(), opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	u.nc = nc
	return u
}

// violated reports whether the server refused verb ("publish" or
// "subscription") on subject.
func (u *user) violated(verb, subject string) bool {
	want := strings.ToLower(fmt.Sprintf("permissions violation for %s to %q", verb, subject))
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, e := range u.errs {
		if strings.Contains(e, want) {
			return true
		}
	}
	return false
}

func (u *user) errors() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.errs...)
}

// expectRefused publishes to or subscribes on subject and waits for the
// server's refusal.
func (u *user) expectRefused(t *testing.T, verb, subject string) {
	t.Helper()
	if verb == "publish" {
		require.NoError(t, u.nc.Publish(subject, []byte("x")))
	} else {
		_, err := u.nc.SubscribeSync(subject)
		require.NoError(t, err)
	}
	require.NoError(t, u.nc.Flush())
	natstest.Eventually(t, 5*time.Second, func() bool { return u.violated(verb, subject) },
		verb+" to "+subject+" refused")
}

// expectAllowed does what expectRefused does, then a refused sentinel:
// once the sentinel's refusal is in, the server has judged the first
// action too (it answers a connection in order), and it must not have
// refused it.
func (u *user) expectAllowed(t *testing.T, verb, subject string) {
	t.Helper()
	if verb == "publish" {
		require.NoError(t, u.nc.Publish(subject, []byte("{}")))
	} else {
		_, err := u.nc.SubscribeSync(subject)
		require.NoError(t, err)
	}
	sentinel := "sentinel." + nats.NewInbox()[len(nats.InboxPrefix):]
	u.expectRefused(t, "publish", sentinel)
	assert.False(t, u.violated(verb, subject), "%s to %s was refused: %v", verb, subject, u.errors())
}

var requestSubjects = func(tenant string) []string {
	return []string{"monitor.query." + tenant, "monitor.subscribe." + tenant,
		"monitor.unsubscribe." + tenant, "monitor.audit." + tenant,
		"monitor.stats." + tenant, "monitor.health"}
}

func TestEnginesPublishOnlyEvents(t *testing.T) {
	s := startServer(t)
	engine := connect(t, s, "action-center")
	engine.expectAllowed(t, "publish", "ops.events.task-lifecycle.tenant-alpha._")
	for _, subj := range []string{"monitor.events.tenant-alpha._.task-lifecycle.high.created",
		"monitor.query.tenant-alpha", "_INBOX_alice.x", "$JS.API.STREAM.LIST"} {
		engine.expectRefused(t, "publish", subj)
	}
	engine.expectAllowed(t, "subscription", "_INBOX_action-center.>")
	engine.expectRefused(t, "subscription", "ops.events.>")
	engine.expectRefused(t, "subscription", "monitor.query.tenant-alpha")
}

func TestPeoplePublishOnlyTheirRequestsAndReadOnlyTheirInbox(t *testing.T) {
	s := startServer(t)
	alice := connect(t, s, "alice")
	for _, subj := range requestSubjects("tenant-alpha") {
		alice.expectAllowed(t, "publish", subj)
	}
	for _, subj := range append(requestSubjects("tenant-beta")[:5],
		"ops.events.task-lifecycle.tenant-alpha._", "_INBOX_bob.reply", "_INBOX.x",
		"monitor.events.tenant-alpha.x", "monitor.subs.tenant-alpha.sub-1", "monitor.query.tenant-alpha.x") {
		alice.expectRefused(t, "publish", subj)
	}
	alice.expectAllowed(t, "subscription", "_INBOX_alice.>")
	for _, subj := range []string{"_INBOX_bob.>", "_INBOX.>", ">", "monitor.events.tenant-alpha.>",
		"monitor.subs.tenant-alpha.>", "ops.events.>"} {
		alice.expectRefused(t, "subscription", subj)
	}
}

func TestOnlyTheMonitorReadsRequestSubjects(t *testing.T) {
	s := startServer(t)
	mon := connect(t, s, "monitor")
	got := make(chan *nats.Msg, 16)
	_, err := mon.nc.ChanSubscribe("monitor.query.*", got)
	require.NoError(t, err)
	require.NoError(t, mon.nc.Flush())

	for _, name := range []string{"action-center", "alice", "bob", "dashboard-alpha"} {
		u := connect(t, s, name)
		for _, subj := range append(requestSubjects("tenant-alpha"), "monitor.>", "monitor.query.*") {
			u.expectRefused(t, "subscription", subj)
		}
	}

	// A refused publish is not delivered: alice's request to tenant-beta
	// never reaches the monitor, her own does.
	alice := connect(t, s, "alice")
	require.NoError(t, alice.nc.Publish("monitor.query.tenant-beta", []byte("{}")))
	require.NoError(t, alice.nc.Publish("monitor.query.tenant-alpha", []byte("{}")))
	require.NoError(t, alice.nc.Flush())
	select {
	case m := <-got:
		assert.Equal(t, "monitor.query.tenant-alpha", m.Subject)
	case <-time.After(5 * time.Second):
		t.Fatal("alice's own request did not arrive")
	}
	assert.Empty(t, got, "the refused request arrived")
}

func TestOnlyTrustedServicesReadTheTenantStream(t *testing.T) {
	s := startServer(t)
	dash := connect(t, s, "dashboard-alpha")
	dash.expectAllowed(t, "subscription", "monitor.events.tenant-alpha.>")
	dash.expectRefused(t, "subscription", "monitor.events.tenant-beta.>")
	dash.expectRefused(t, "subscription", "monitor.events.>")
	for _, name := range []string{"alice", "bob", "action-center"} {
		connect(t, s, name).expectRefused(t, "subscription", "monitor.events.tenant-alpha.>")
	}
}

// TestMonitorRunsUnderTheConfig runs the monitor as the monitor user and
// checks the whole path: an engine publishes, the dashboard reads the
// republished stream, alice watches through a managed subscription on
// her own inbox prefix and sees no other operator.
func TestMonitorRunsUnderTheConfig(t *testing.T) {
	s := startServer(t)
	dir := t.TempDir()
	url := strings.Replace(s.ClientURL(), "nats://", "nats://monitor:"+passwords["monitor"]+"@", 1)
	svc, err := monitor.New(monitor.Config{NATSURL: url, DataDir: dir, HTTPAddr: "off",
		Auth: monitor.AuthConfig{DevAuth: true}}, zerolog.Nop())
	require.NoError(t, err)
	monitortest.Run(t, svc)

	priv, _, err := policy.LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	tok, err := policy.Mint(priv, policy.MintOptions{Tenant: "tenant-alpha", User: "alice", Operator: "op-1"})
	require.NoError(t, err)

	alice := connect(t, s, "alice")
	dash := connect(t, s, "dashboard-alpha")
	stream, err := dash.nc.SubscribeSync("monitor.events.tenant-alpha.>")
	require.NoError(t, err)
	require.NoError(t, dash.nc.Flush())

	var mu sync.Mutex
	var seen []map[string]any
	watchCtx, endWatch := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() {
		watched <- client.New(alice.nc, tok).Subscribe(watchCtx, client.SubscribeRequest{
			Scope: client.Scope{TenantID: "tenant-alpha"}, InboxPrefix: "_INBOX_alice"},
			func(m *nats.Msg) {
				var doc map[string]any
				_ = json.Unmarshal(m.Data, &doc)
				mu.Lock()
				seen = append(seen, doc)
				mu.Unlock()
			})
	}()
	natstest.Eventually(t, 10*time.Second, func() bool { return svc.Subscriptions().Stats().Active == 1 },
		"alice's subscription created through her inbox prefix")

	engine := connect(t, s, "action-center")
	js, err := jetstream.New(engine.nc)
	require.NoError(t, err)
	at := time.Now().UTC().Add(-time.Minute)
	for i, op := range []string{"op-1", "op-2"} {
		ev := statetest.E{ID: fmt.Sprintf("p-%d", i), Type: event.TaskCreated, Tenant: "tenant-alpha",
			Entity: fmt.Sprintf("task-%d", i), Operator: op, OperatorName: "Name " + op, At: at}.Event()
		m := nats.NewMsg("ops.events.task-lifecycle.tenant-alpha._")
		m.Data = ev.Raw
		m.Header.Set(nats.MsgIdHdr, "tenant-alpha:"+ev.ID)
		_, err := js.PublishMsg(context.Background(), m)
		require.NoError(t, err, "engine publish acknowledged on its own inbox")
	}

	for range 2 {
		_, err := stream.NextMsg(10 * time.Second)
		require.NoError(t, err, "the dashboard reads the republished stream")
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 2
	}, "alice got both events")
	mu.Lock()
	assert.Equal(t, "op-1", seen[0]["operatorId"])
	assert.NotContains(t, seen[1], "operatorId")
	assert.NotContains(t, seen[1], "operatorName")
	mu.Unlock()

	endWatch()
	select {
	case err := <-watched:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Subscribe did not return")
	}
	assert.Empty(t, alice.errors(), "alice hit no permission error")
	assert.Empty(t, dash.errors())
	assert.Empty(t, engine.errors())
}
