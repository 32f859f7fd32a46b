package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"github.com/opsmonitor/monitor/pkg/telemetry"
)

func TestJudgeReadiness(t *testing.T) {
	done := &consumer.Progress{Done: true, Applied: 5, Target: 5}
	tests := []struct {
		name   string
		st     readyState
		ready  bool
		reason string
	}{
		{"starting", readyState{status: StatusStarting}, false, "starting"},
		{"standby", readyState{status: StatusStandby}, false, "standby"},
		{"disconnected", readyState{running: true, status: StatusOK, rebuild: done}, false, "not connected"},
		{"rebuilding", readyState{running: true, connected: true, status: StatusRebuilding,
			rebuild: &consumer.Progress{Applied: 1, Target: 5}}, false, "rebuilding"},
		{"consumer missing", readyState{running: true, connected: true, status: StatusDegraded, rebuild: done},
			false, "consumer is missing"},
		{"ready", readyState{running: true, connected: true, status: StatusOK, rebuild: done}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := judgeReadiness(tt.st)
			assert.Equal(t, tt.ready, r.Ready)
			assert.Equal(t, tt.st.status, r.Status)
			if tt.reason == "" {
				assert.Empty(t, r.Reason)
			} else {
				assert.Contains(t, r.Reason, tt.reason)
			}
		})
	}
}

// ingestMsg is e as an engine would publish it, with its dedup id.
func ingestMsg(e statetest.E) *nats.Msg {
	ev := e.Event()
	facility := ev.FacilityID
	if facility == "" {
		facility = "_"
	}
	m := nats.NewMsg(fmt.Sprintf("%s.%s.%s.%s", consumer.DefaultPrefix, ev.Category, ev.TenantID, facility))
	m.Header.Set(nats.MsgIdHdr, ev.TenantID+":"+ev.ID)
	m.Data = ev.Raw
	return m
}

// taskEvents returns n task openings spread over tenants, all distinct.
func taskEvents(prefix string, n int, tenants ...string) []statetest.E {
	now := time.Now().Add(-time.Second)
	out := make([]statetest.E, n)
	for i := range out {
		out[i] = statetest.E{
			ID:       fmt.Sprintf("%s-%d", prefix, i),
			Type:     event.TaskCreated,
			At:       now,
			Entity:   fmt.Sprintf("%s-task-%d", prefix, i),
			Tenant:   tenants[i%len(tenants)],
			Severity: event.Low,
		}
	}
	return out
}

func publishAll(t *testing.T, js jetstream.JetStream, es []statetest.E) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, e := range es {
		_, err := js.PublishMsg(ctx, ingestMsg(e))
		require.NoError(t, err)
	}
}

// running is a Service run in the background by a test.
type running struct {
	svc  *Service
	stop func() error
	done <-chan error // Run's result
}

// startService runs a service with cfg until the test ends or stop.
func startService(t *testing.T, cfg Config) *running {
	t.Helper()
	svc, err := New(cfg, zerolog.Nop())
	require.NoError(t, err)
	return runService(t, svc)
}

func runService(t *testing.T, svc *Service) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()

	var stopped bool
	var runErr error
	stop := func() error {
		if stopped {
			return runErr
		}
		stopped = true
		cancel()
		select {
		case runErr = <-done:
		case <-time.After(30 * time.Second):
			runErr = fmt.Errorf("service did not stop")
		}
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return &running{svc: svc, stop: stop, done: done}
}

// totals reads tenant's all-time totals through its actor; zero when the
// tenant does not exist yet.
func totals(t *testing.T, svc *Service, tenant string) state.Totals {
	t.Helper()
	var out state.Totals
	a := svc.Registry().Get(tenant)
	if a == nil {
		return out
	}
	require.NoError(t, a.Read(context.Background(), func(tn *state.Tenant) {
		out = tn.Totals(state.Filter{})
	}))
	return out
}

func waitReady(t *testing.T, svc *Service) {
	t.Helper()
	select {
	case <-svc.Ready():
	case <-time.After(60 * time.Second):
		t.Fatal("service did not become ready")
	}
}

// waitReady waits until the service is active, and fails at once with
// Run's error when it stopped instead.
func (r *running) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-r.svc.Ready():
	case err := <-r.done:
		t.Fatalf("service stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("service did not become ready")
	}
}

// value returns the sum of the samples of family name whose labels
// include want (name=value pairs), from reg.
func value(t *testing.T, reg prometheus.Gatherer, name string, want ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(want); i += 2 {
				if labels[want[i]] != want[i+1] {
					continue metric
				}
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func serviceConfig(t *testing.T, url string) Config {
	return Config{
		NATSURL:  url,
		DataDir:  t.TempDir(),
		HTTPAddr: HTTPOff,
		Auth:     AuthConfig{DevAuth: true},
	}
}

func TestHTTPReadyOnlyAfterRebuildAndMetricsMove(t *testing.T) {
	ns := natstest.Server(t, "")
	_, js := natstest.Conn(t, ns)
	tenants := []string{"acme", "beta"}

	// A first instance provisions the stream and consumes a backlog.
	first := startService(t, serviceConfig(t, ns.ClientURL()))
	waitReady(t, first.svc)
	backlog := taskEvents("old", 3000, tenants...)
	publishAll(t, js, backlog)
	bad := nats.NewMsg(consumer.DefaultPrefix + ".task-lifecycle.acme._")
	bad.Data = []byte("{not json")
	_, err := js.PublishMsg(context.Background(), bad)
	require.NoError(t, err)
	natstest.Eventually(t, 30*time.Second, func() bool {
		return totals(t, first.svc, "acme").Events+totals(t, first.svc, "beta").Events == 3000 &&
			first.svc.Pipeline().Stats().Rejected[event.ReasonMalformedJSON] == 1
	}, "first instance consumes the backlog, the malformed message included")
	require.NoError(t, first.stop())

	// A second instance must rebuild all of it before it is ready.
	svc, err := New(serviceConfig(t, ns.ClientURL()), zerolog.Nop())
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	w, err := newWeb(svc, reg, telemetry.Options{TenantFigures: true})
	require.NoError(t, err)
	stopHTTP, err := w.start(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(stopHTTP)
	base := "http://" + w.addr

	code, body := get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"alive"`)
	code, body = get(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, StatusStarting)
	assert.Zero(t, value(t, reg, "monitor_tenants"), "no series before the pipeline exists")

	second := runService(t, svc)
	var r Readiness
	natstest.Eventually(t, 30*time.Second, func() bool {
		code, body := get(t, base+"/readyz")
		if code != http.StatusOK {
			assert.Equal(t, http.StatusServiceUnavailable, code)
			return false
		}
		require.NoError(t, json.Unmarshal([]byte(body), &r))
		return true
	}, "/readyz turns 200")
	// Ready means rebuilt: all of the backlog is in the state already.
	assert.True(t, r.Ready)
	require.NotNil(t, r.Rebuild)
	assert.True(t, r.Rebuild.Done)
	assert.Equal(t, uint64(1500), totals(t, svc, "acme").Events)
	assert.Equal(t, uint64(1500), totals(t, svc, "beta").Events)
	assert.Equal(t, float64(3000), value(t, reg, "monitor_events_accepted_total"))
	assert.Equal(t, float64(1), value(t, reg, "monitor_events_rejected_total", "reason", "malformed-json"))
	assert.Equal(t, float64(3001), value(t, reg, "monitor_events_consumed_total"))
	assert.Equal(t, float64(1), value(t, reg, "monitor_rebuild_done"))
	assert.Equal(t, float64(1500), value(t, reg, "monitor_tenant_open_tasks", "tenant", "acme"))

	// Live events move the series.
	publishAll(t, js, taskEvents("new", 200, tenants...))
	natstest.Eventually(t, 30*time.Second, func() bool {
		return value(t, reg, "monitor_events_accepted_total") == 3200
	}, "accepted total follows live events")
	natstest.Eventually(t, 30*time.Second, func() bool {
		return value(t, reg, "monitor_tenant_open_tasks", "tenant", "beta") == 1600
	}, "open tasks follow live events")
	svc.Pipeline().PollNow(context.Background())
	assert.Equal(t, event.NumCategories, countSeries(t, reg, "monitor_consumer_pending"))

	want := `
# HELP monitor_tenants Tenants the monitor tracks.
# TYPE monitor_tenants gauge
monitor_tenants 2
# HELP monitor_events_accepted_total Messages that passed validation and went to a tenant actor, rebuild included.
# TYPE monitor_events_accepted_total counter
monitor_events_accepted_total 3200
`
	require.NoError(t, testutil.ScrapeAndCompare(base+"/metrics", strings.NewReader(want),
		"monitor_tenants", "monitor_events_accepted_total"))
	assert.Positive(t, value(t, reg, "monitor_request_duration_seconds", "endpoint", "GET /readyz", "code", "200"))
	assert.Positive(t, value(t, reg, "monitor_request_duration_seconds", "endpoint", "GET /readyz", "code", "503"))

	// Once stopped, the service is no longer ready but still alive.
	require.NoError(t, second.stop())
	code, _ = get(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	code, _ = get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
}

// countSeries returns how many series family name has in reg.
func countSeries(t *testing.T, reg prometheus.Gatherer, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func TestHTTPHandleMountsBesideTheProbes(t *testing.T) {
	svc, err := New(Config{HTTPAddr: HTTPOff, DataDir: t.TempDir()}, zerolog.Nop())
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	w, err := newWeb(svc, reg, telemetry.Options{})
	require.NoError(t, err)
	w.handle("/", http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(rw, "dashboard")
	}))
	stop, err := w.start(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	defer stop()

	code, body := get(t, "http://"+w.addr+"/")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "dashboard", body)
	code, _ = get(t, "http://"+w.addr+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, body = get(t, "http://"+w.addr+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "monitor_request_duration_seconds")

	stop()
	_, err = http.Get("http://" + w.addr + "/healthz")
	assert.Error(t, err, "the listener is closed after stop")
}

func TestHTTPOff(t *testing.T) {
	svc, err := New(Config{HTTPAddr: HTTPOff, DataDir: t.TempDir()}, zerolog.Nop())
	require.NoError(t, err)
	w, err := newWeb(svc, nil, telemetry.Options{})
	require.NoError(t, err)
	stop, err := w.start(context.Background(), HTTPOff)
	require.NoError(t, err)
	stop()
	assert.Empty(t, w.addr)
}
