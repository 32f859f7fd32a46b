package dashboard_test

import (
	"crypto/ed25519"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/monitortest"
	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/dashboard"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

const (
	alpha = "tenant-alpha"
	beta  = "tenant-beta"
)

// allPerms sees every operator and every restricted metric.
var allPerms = []string{
	policy.PermViewAllOperators, policy.PermViewWorkloadMetrics,
	policy.PermViewCrossEngineMetrics, policy.PermViewTrendMetrics,
	policy.PermAuditRead,
}

// rig is a running monitor with the dashboard served beside it.
type rig struct {
	svc  *monitor.Service
	nc   *nats.Conn // a separate client connection, as a user's
	priv ed25519.PrivateKey
	dash *dashboard.Handler
	base string // the HTTP server's URL
	// published counts the events given to publish, for waiting on.
	published int
}

// startRig starts a monitor with an embedded server on a free port and
// the dashboard mounted on the monitor's own HTTP server, as the binary
// does it.
func startRig(t *testing.T, opts dashboard.Options, tweaks ...func(*monitor.Config)) *rig {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := monitor.Config{
		DataDir:  dir,
		HTTPAddr: addr,
		Embedded: monitor.EmbeddedConfig{Listen: "127.0.0.1:-1"},
		Version:  "test",
	}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	svc, err := monitor.New(cfg, zerolog.Nop())
	require.NoError(t, err)

	opts.Conn = dashboard.ConnWhenReady(svc.Ready(), svc.Conn)
	if opts.Version == "" {
		opts.Version = "test"
	}
	dash, err := dashboard.New(opts)
	require.NoError(t, err)
	svc.Handle("/", dash)

	monitortest.Run(t, svc)
	// Registered after the monitor's, so it runs first: the open feeds
	// end before the HTTP server shuts down.
	t.Cleanup(dash.Close)

	nc, err := nats.Connect("", nats.InProcessServer(svc.EmbeddedServer()))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	priv, _, err := policy.LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	return &rig{svc: svc, nc: nc, priv: priv, dash: dash, base: "http://" + addr}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func (r *rig) token(t *testing.T, tenant, user string, perms ...string) string {
	t.Helper()
	tok, err := policy.Mint(r.priv, policy.MintOptions{Tenant: tenant, User: user, Perms: perms})
	require.NoError(t, err)
	return tok
}

func (r *rig) client(t *testing.T, tok string) *client.Client {
	return client.New(r.nc, tok)
}

// publishExamples publishes examples/events.jsonl with every timestamp
// moved by one offset so that the newest is a minute ago, and waits
// until the monitor applied them all.
func (r *rig) publishExamples(t *testing.T) {
	t.Helper()
	for _, d := range monitortest.Examples(t, "../../examples/events.jsonl") {
		r.publish(t, d)
	}
}

// publish sends one event document to its ingest subject and waits
// until the monitor applied it.
func (r *rig) publish(t *testing.T, d map[string]any) {
	t.Helper()
	monitortest.Publish(t, r.nc, d)
	r.published++
	want := uint64(r.published)
	natstest.Eventually(t, 10*time.Second, func() bool {
		return r.svc.Pipeline().Stats().Accepted >= want
	}, "event applied")
}
