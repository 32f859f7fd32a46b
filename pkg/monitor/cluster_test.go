package monitor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/consumer"
)

// freePorts reserves n distinct local ports and releases them, for the
// cluster listeners, which must know each other's address up front.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	lns := make([]net.Listener, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns[i] = ln
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	for _, ln := range lns {
		require.NoError(t, ln.Close())
	}
	return ports
}

// startCluster starts an in-process JetStream cluster of n servers with
// routes between all of them, and waits until it has a meta leader.
func startCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	ports := freePorts(t, n)
	routes := make([]*url.URL, n)
	for i, p := range ports {
		routes[i] = &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", p)}
	}

	servers := make([]*server.Server, n)
	for i := range servers {
		s, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       -1,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			Cluster: server.ClusterOpts{
				Name: "monitor-test",
				Host: "127.0.0.1",
				Port: ports[i],
			},
			Routes: routes,
			NoLog:  true,
			NoSigs: true,
		})
		require.NoError(t, err)
		go s.Start()
		servers[i] = s
		t.Cleanup(func() {
			s.Shutdown()
			s.WaitForShutdown()
		})
	}
	for _, s := range servers {
		require.True(t, s.ReadyForConnections(10*time.Second), "%s accepts clients", s.Name())
	}
	natstest.Eventually(t, 30*time.Second, func() bool {
		leader := false
		for _, s := range servers {
			leader = leader || s.JetStreamIsLeader()
			if !s.JetStreamIsCurrent() {
				return false
			}
		}
		return leader
	}, "the cluster elects a JetStream meta leader and every node is current")
	return servers
}

func clientURLs(servers []*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// publishRetrying publishes m until JetStream acknowledges it: during a
// leader election a publish may time out or find no responders. The
// message id makes a retry of a stored message a duplicate, not a copy.
func publishRetrying(ctx context.Context, js jetstream.JetStream, m *nats.Msg) error {
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.PublishMsg(pctx, m)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// streamLeader returns the server leading stream name.
func streamLeader(t *testing.T, js jetstream.JetStream, servers []*server.Server, name string) *server.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, name)
	require.NoError(t, err)
	info, err := st.Info(ctx)
	require.NoError(t, err)
	require.NotNil(t, info.Cluster)
	assert.Len(t, info.Cluster.Replicas, 2, "%s has two followers (R3)", name)
	for _, s := range servers {
		if s.Name() == info.Cluster.Leader {
			return s
		}
	}
	t.Fatalf("no server named %q", info.Cluster.Leader)
	return nil
}

// TestClusterNodeLossLosesNothing runs the monitor on a three-node
// JetStream cluster with R3 streams, shuts the ingest stream's leader
// down mid-ingest, and checks that every distinct event published is in
// the state exactly once.
func TestClusterNodeLossLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	servers := startCluster(t, 3)
	urls := clientURLs(servers)

	cfg := serviceConfig(t, urls)
	cfg.Consumer.Replicas = 3
	mon := startService(t, cfg)
	mon.waitReady(t)

	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	leader := streamLeader(t, js, servers, consumer.DefaultStream)

	const total = 3000
	tenants := []string{"acme", "beta", "gamma"}
	events := taskEvents("ev", total, tenants...)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	for i, e := range events {
		if i == total/3 {
			leader.Shutdown()
			leader.WaitForShutdown()
		}
		m := ingestMsg(e)
		require.NoError(t, publishRetrying(ctx, js, m), "publishing event %d", i)
		if i%500 == 0 {
			// Republishing an event already stored must change nothing.
			require.NoError(t, publishRetrying(ctx, js, ingestMsg(e)))
		}
	}

	sum := func() uint64 {
		var n uint64
		for _, tn := range tenants {
			n += totals(t, mon.svc, tn).Events
		}
		return n
	}
	natstest.Eventually(t, 45*time.Second, func() bool { return sum() >= total },
		"the monitor applies every event after losing a node")
	assert.Equal(t, uint64(total), sum(), "every distinct event exactly once")
	for _, tn := range tenants {
		assert.Equal(t, uint64(total/len(tenants)), totals(t, mon.svc, tn).Events, tn)
	}
	assert.NoError(t, mon.stop(), "the monitor drains cleanly on the two nodes left")
}
