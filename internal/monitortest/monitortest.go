// Package monitortest runs a whole monitor in a test and feeds it events:
// the harness the API, dashboard and deployment tests share.
package monitortest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// Run starts svc and returns once it is active and its rebuild is done;
// the monitor is stopped, and must stop cleanly, at cleanup.
func Run(t testing.TB, svc *monitor.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(20 * time.Second):
			t.Error("monitor did not stop")
		}
	})
	select {
	case <-svc.Ready():
	case err := <-done:
		t.Fatalf("monitor stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("monitor not ready")
	}
	natstest.Eventually(t, 20*time.Second, func() bool { return svc.Pipeline().Progress().Done }, "rebuild done")
}

// Start builds a monitor from cfg and runs it (see Run).
func Start(t testing.TB, cfg monitor.Config) *monitor.Service {
	t.Helper()
	svc, err := monitor.New(cfg, zerolog.Nop())
	require.NoError(t, err)
	Run(t, svc)
	return svc
}

// Token mints a token with the dev key of dataDir.
func Token(t testing.TB, dataDir string, o policy.MintOptions) string {
	t.Helper()
	priv, _, err := policy.LoadOrCreateDevKey(dataDir)
	require.NoError(t, err)
	tok, err := policy.Mint(priv, o)
	require.NoError(t, err)
	return tok
}

// Examples reads the repository's example events (path relative to the
// test's package) with every timestamp moved by one offset so that the
// newest is a minute ago.
func Examples(t testing.TB, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	var docs []map[string]any
	var newest time.Time
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var d map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &d))
		ts, err := time.Parse(time.RFC3339, d["timestamp"].(string))
		require.NoError(t, err)
		if ts.After(newest) {
			newest = ts
		}
		docs = append(docs, d)
	}
	require.NoError(t, sc.Err())
	shift := time.Now().UTC().Truncate(time.Second).Add(-time.Minute).Sub(newest)
	for _, d := range docs {
		ts, _ := time.Parse(time.RFC3339, d["timestamp"].(string))
		d["timestamp"] = ts.Add(shift).Format(time.RFC3339)
	}
	return docs
}

// Publish sends one event document to its ingest subject, with the
// message id publishers set.
func Publish(t testing.TB, nc *nats.Conn, d map[string]any) {
	t.Helper()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	scope := d["scope"].(map[string]any)
	fac, _ := scope["facilityId"].(string)
	if fac == "" {
		fac = "_"
	}
	body, err := json.Marshal(d)
	require.NoError(t, err)
	m := nats.NewMsg(fmt.Sprintf("ops.events.%s.%s.%s", d["category"], scope["tenantId"], fac))
	m.Data = body
	m.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s:%s", scope["tenantId"], d["eventId"]))
	_, err = js.PublishMsg(context.Background(), m)
	require.NoError(t, err)
}
