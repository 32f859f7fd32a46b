package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/monitortest"
	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// TestAuditExportFollowsTheCursor exports a trail a few entries a page
// and checks that JSON and CSV hold every entry once, with one header.
func TestAuditExportFollowsTheCursor(t *testing.T) {
	dir := t.TempDir()
	svc := monitortest.Start(t, monitor.Config{DataDir: dir, HTTPAddr: "off", RateLimit: -1,
		Embedded: monitor.EmbeddedConfig{Listen: "127.0.0.1:-1"}})
	nc, err := nats.Connect("", nats.InProcessServer(svc.EmbeddedServer()))
	require.NoError(t, err)
	defer nc.Close()
	docs := monitortest.Examples(t, "../../examples/events.jsonl")
	for _, d := range docs {
		monitortest.Publish(t, nc, d)
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return svc.Pipeline().Stats().Accepted == uint64(len(docs))
	}, "examples applied")

	c := client.New(nc, monitortest.Token(t, dir, policy.MintOptions{Tenant: "tenant-alpha", User: "auditor",
		Perms: []string{policy.PermAuditRead}}))
	req := client.AuditRequest{Scope: client.Scope{TenantID: "tenant-alpha"}, Types: []string{"event-received"}, Limit: 5}

	var n int
	natstest.Eventually(t, 10*time.Second, func() bool {
		var buf bytes.Buffer
		req.Format = "json"
		n, err = exportAudit(context.Background(), c, req, &buf, func(string) {})
		require.NoError(t, err)
		var entries []map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &entries), buf.String())
		assert.Len(t, entries, n)
		return n == 43
	}, "every event-received entry of the tenant exported as one JSON array")

	var buf bytes.Buffer
	req.Format = "csv"
	got, err := exportAudit(context.Background(), c, req, &buf, func(string) {})
	require.NoError(t, err)
	assert.Equal(t, 43, got)
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 44, "one header row, then one row per entry")
	assert.Equal(t, "id", rows[0][0])
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		assert.False(t, seen[r[0]], "entry %s exported twice", r[0])
		seen[r[0]] = true
	}
}

func TestTimeFlag(t *testing.T) {
	now := time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)
	got, err := timeFlag("--since", "90m", now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(-90*time.Minute), *got)
	got, err = timeFlag("--since", "2026-01-20T00:00:00Z", now)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), *got)
	got, err = timeFlag("--since", "", now)
	require.NoError(t, err)
	assert.Nil(t, got)
	_, err = timeFlag("--since", "yesterday", now)
	assert.Error(t, err)
}
