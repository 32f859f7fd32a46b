package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
)

// buildMonitor compiles the binary once per test run.
func buildMonitor(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "monitor")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// proc is a monitor process.
type proc struct {
	cmd *exec.Cmd
	log *os.File
}

// startProc runs the monitor binary: with natsURL empty, with its
// embedded server on addr; otherwise against natsURL.
func startProc(t *testing.T, bin, dataDir, addr, natsURL string) *proc {
	t.Helper()
	logf, err := os.CreateTemp(t.TempDir(), "monitor-*.log")
	require.NoError(t, err)
	args := []string{"serve", "--data-dir", dataDir, "--http-addr", "off", "--log-format", "json"}
	if natsURL == "" {
		args = append(args, "--embedded-listen", addr)
	} else {
		args = append(args, "--nats-url", natsURL, "--dev-auth")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, log: logf}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	return p
}

// connectWhenUp waits for the embedded server of a monitor process.
func connectWhenUp(t *testing.T, addr string) *nats.Conn {
	t.Helper()
	var nc *nats.Conn
	natstest.Eventually(t, 30*time.Second, func() bool {
		var err error
		nc, err = nats.Connect("nats://"+addr, nats.MaxReconnects(0))
		return err == nil
	}, "monitor's NATS server up")
	return nc
}

// load is a few thousand events over three tenants and every lifecycle,
// timed over the last ten minutes, with re-sent ids and some garbage.
func load(n int, now time.Time) [][2]string {
	r := rand.New(rand.NewPCG(7, 11))
	var out [][2]string // subject, body
	sev := []event.Severity{event.Critical, event.High, event.Medium, event.Low}
	for i := 0; len(out) < n; i++ {
		tenant := fmt.Sprintf("tenant-%d", i%3)
		at := now.Add(-10 * time.Minute).Add(time.Duration(i) * 150 * time.Millisecond)
		task, alert := fmt.Sprintf("task-%d", i/3), fmt.Sprintf("alert-%d", i/2)
		op := fmt.Sprintf("op-%d", r.IntN(6))
		es := []statetest.E{
			{Tenant: tenant, Type: event.TaskCreated, Entity: task, At: at, Severity: sev[r.IntN(4)], Facility: fmt.Sprintf("f%d", i%2)},
			{Tenant: tenant, Type: event.TaskAssigned, Entity: task, Operator: op, OperatorName: "Op " + op, At: at.Add(time.Second), Severity: sev[r.IntN(4)], Facility: fmt.Sprintf("f%d", i%2)},
			{Tenant: tenant, Type: event.AlertDetected, Entity: alert, At: at, Severity: sev[r.IntN(4)]},
			{Tenant: tenant, Type: event.AlertAcknowledged, Entity: alert, At: at.Add(time.Duration(r.IntN(90)) * time.Second)},
			{Tenant: tenant, Type: event.FindingCreated, Entity: "f-" + task, At: at},
			{Tenant: tenant, Type: event.MetricComputed, Entity: op, At: at},
		}
		if r.IntN(3) == 0 {
			es = append(es, statetest.E{Tenant: tenant, Type: event.TaskResolved, Entity: task, At: at.Add(2 * time.Second), Facility: fmt.Sprintf("f%d", i%2)})
			es = append(es, statetest.E{Tenant: tenant, Type: event.RemediationCompleted, Entity: "f-" + task, At: at.Add(time.Minute)})
		}
		for _, e := range es {
			e.ID = fmt.Sprintf("e-%d", len(out))
			if r.IntN(40) == 0 && len(out) > 10 {
				e.ID = fmt.Sprintf("e-%d", len(out)-5) // re-sent under a new message id
			}
			ev := e.Event()
			fac := ev.FacilityID
			if fac == "" {
				fac = "_"
			}
			out = append(out, [2]string{fmt.Sprintf("ops.events.%s.%s.%s", ev.Category, ev.TenantID, fac), string(ev.Raw)})
		}
		if r.IntN(25) == 0 {
			out = append(out, [2]string{fmt.Sprintf("ops.events.task-lifecycle.%s._", tenant), `{"eventId":"broken"`})
		}
	}
	return out[:n]
}

func publishAll(t *testing.T, js jetstream.JetStream, msgs [][2]string, from int) {
	t.Helper()
	for i := from; i < len(msgs); i++ {
		m := nats.NewMsg(msgs[i][0])
		m.Data = []byte(msgs[i][1])
		m.Header.Set(nats.MsgIdHdr, fmt.Sprintf("msg-%d", i))
		_, err := js.PublishMsgAsync(m)
		require.NoError(t, err)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		t.Fatal("publishing did not complete")
	}
}

func caughtUp(t *testing.T, nc *nats.Conn) func() bool {
	return func() bool {
		h, err := client.New(nc, "").Health(context.Background())
		if err != nil || !h.Rebuild.Done || len(h.Consumers) != 8 {
			return false
		}
		for _, c := range h.Consumers {
			if c.Pending != 0 || c.AckPending != 0 {
				return false
			}
		}
		return true
	}
}

// reference applies the whole stream, in stream order, to fresh tenants,
// exactly as the monitor's consumer judges each message.
func reference(t *testing.T, js jetstream.JetStream) map[string]*state.Tenant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, consumer.DefaultStream)
	require.NoError(t, err)
	last := s.CachedInfo().State.LastSeq
	oc, err := js.OrderedConsumer(ctx, consumer.DefaultStream, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	tenants := map[string]*state.Tenant{}
	get := func(id string) *state.Tenant {
		if tenants[id] == nil {
			tenants[id] = state.NewTenant(id, state.Config{})
		}
		return tenants[id]
	}
	for {
		m, err := oc.Next(jetstream.FetchMaxWait(5 * time.Second))
		require.NoError(t, err)
		md, err := m.Metadata()
		require.NoError(t, err)
		subj, _ := consumer.ParseSubject(consumer.DefaultPrefix, m.Subject())
		ev, rej := consumer.Decode(m.Data(), subj, md.Timestamp, consumer.Limits{})
		if rej != nil {
			get(subj.Tenant).Reject(rej.Reason)
		} else {
			get(ev.TenantID).Apply(ev, event.Meta{StreamSeq: md.Sequence.Stream, Stored: md.Timestamp, Received: md.Timestamp})
		}
		if md.Sequence.Stream >= last {
			return tenants
		}
	}
}

// TestKillNineAndRestart kills the monitor process with SIGKILL while it
// consumes a backlog, restarts it on the same stream, and compares every
// metric it then answers with a reference built from the stream alone.
// Beside an external NATS server only the monitor dies, and the restart
// rebuilds what it had acknowledged; with the embedded server the server
// dies too, and whatever its store had not yet written is consumed again.
func TestKillNineAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildMonitor(t)
	for _, mode := range []string{"external server", "embedded server"} {
		t.Run(mode, func(t *testing.T) {
			natsURL, addr := "", freeAddr(t)
			if mode == "external server" {
				natsURL = natstest.Server(t, "").ClientURL()
				addr = strings.TrimPrefix(natsURL, "nats://")
			}
			killAndRestart(t, bin, addr, natsURL)
		})
	}
}

func killAndRestart(t *testing.T, bin, addr, natsURL string) {
	dir := t.TempDir()
	now := time.Now().UTC()
	msgs := load(6000, now)

	first := startProc(t, bin, dir, addr, natsURL)
	nc := connectWhenUp(t, addr)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	natstest.Eventually(t, 30*time.Second, func() bool {
		_, err := js.Consumer(context.Background(), consumer.DefaultStream, "monitor-performance-signal")
		return err == nil
	}, "stream and consumers provisioned")
	var republished atomic.Int64
	sub, err := nc.Subscribe("monitor.events.>", func(*nats.Msg) { republished.Add(1) })
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
	publishAll(t, js, msgs[:4000], 0)

	// Kill while the backlog is being consumed: a good part applied (and
	// so, batch by batch, acknowledged), the rest still in flight.
	natstest.Eventually(t, 30*time.Second, func() bool { return republished.Load() >= 1000 }, "consumption under way")
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	_ = sub.Unsubscribe()
	_, _ = first.cmd.Process.Wait()
	nc.Close()

	startProc(t, bin, dir, addr, natsURL)
	nc = connectWhenUp(t, addr)
	defer nc.Close()
	js, err = jetstream.New(nc)
	require.NoError(t, err)
	publishAll(t, js, msgs[4000:], 4000)
	natstest.Eventually(t, 60*time.Second, caughtUp(t, nc), "restarted monitor caught up")
	if natsURL != "" {
		h, err := client.New(nc, "").Health(context.Background())
		require.NoError(t, err)
		require.NotZero(t, h.Rebuild.Target, "the killed monitor had acknowledged events: the restart rebuilt them")
	}

	ref := reference(t, js)
	priv, _, err := policy.LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	for _, tenant := range []string{"tenant-0", "tenant-1", "tenant-2"} {
		tok, err := policy.Mint(priv, policy.MintOptions{Tenant: tenant, User: "check", Perms: []string{
			policy.PermViewAllOperators, policy.PermViewCrossEngineMetrics,
			policy.PermViewWorkloadMetrics, policy.PermViewTrendMetrics}})
		require.NoError(t, err)
		res, err := client.New(nc, tok).Query(context.Background(), client.Query{
			Scope: client.Scope{TenantID: tenant}, RecentEvents: client.Int(0), SLATimers: client.Int(1000)})
		require.NoError(t, err)

		want := ref[tenant]
		require.NotNil(t, want)
		scope := metrics.Scope{TenantID: tenant}
		for _, got := range res.Metrics {
			exp := metrics.Compute(want, got.Category, scope, res.ComputedAt, metrics.Options{})
			exp.MetricID = got.MetricID
			assertSameJSON(t, exp, got, "%s %s", tenant, got.Category)
		}
		ss := metrics.ComputeStreamState(want, scope, res.ComputedAt, metrics.Options{RecentEvents: 0, SLATimers: 1000}, 0)
		assertSameJSON(t, ss.RollingMetrics, res.StreamState.RollingMetrics, "%s rolling metrics", tenant)
		assertSameJSON(t, ss.SLACountdowns, res.StreamState.SLACountdowns, "%s SLA timers", tenant)
		assertSameJSON(t, ss.WorkloadState, res.StreamState.WorkloadState, "%s workload", tenant)
		h, wh := res.StreamState.StreamHealth, ss.StreamHealth
		assert.Equal(t, wh.Duplicates, h.Duplicates, tenant)
		assert.Equal(t, wh.Orphans, h.Orphans, tenant)
		assert.Equal(t, wh.LateTransitions, h.LateTransitions, tenant)
		assert.Equal(t, wh.RejectedByReason, h.RejectedByReason, tenant)
	}
}

func assertSameJSON(t *testing.T, want, got any, msg string, args ...any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(g), fmt.Sprintf(msg, args...))
}
