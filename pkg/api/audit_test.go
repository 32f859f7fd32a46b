package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

type auditEntry struct {
	Seq            uint64   `json:"seq"`
	Type           string   `json:"type"`
	TenantID       string   `json:"tenantId"`
	UserID         string   `json:"userId"`
	UserTenantID   string   `json:"userTenantId"`
	Endpoint       string   `json:"endpoint"`
	Decision       string   `json:"decision"`
	Rule           string   `json:"rule"`
	Category       string   `json:"category"`
	EventID        string   `json:"eventId"`
	StreamSeq      uint64   `json:"streamSeq"`
	MetricCategory string   `json:"metricCategory"`
	Value          *float64 `json:"value"`
	Detail         string   `json:"detail"`
}

// readTrail pages through a tenant's whole trail as JSON, less the
// decisions on audit reads (which each read adds).
func readTrail(t *testing.T, c *client.Client, req client.AuditRequest) []auditEntry {
	t.Helper()
	var all []auditEntry
	for {
		page, err := c.Audit(context.Background(), req)
		require.NoError(t, err)
		var doc struct {
			Entries []auditEntry `json:"entries"`
		}
		require.NoError(t, json.Unmarshal(page.Body, &doc))
		for _, en := range doc.Entries {
			if en.Endpoint != "audit" { // leave out the reads' own decisions
				all = append(all, en)
			}
		}
		if page.NextCursor == "" {
			return all
		}
		req.Cursor = page.NextCursor
	}
}

func TestAuditTrailThroughTheService(t *testing.T) {
	dir := t.TempDir()
	run := func() (*env, context.CancelFunc, chan error) {
		cfg := monitor.Config{DataDir: dir, HTTPAddr: "off", Embedded: monitor.EmbeddedConfig{Listen: "127.0.0.1:-1"},
			RateLimit: -1}
		svc, err := monitor.New(cfg, zerolog.Nop())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Run(ctx) }()
		<-svc.Ready()
		natstest.Eventually(t, 20*time.Second, func() bool { return svc.Pipeline().Progress().Done }, "rebuilt")
		nc, err := nats.Connect("", nats.InProcessServer(svc.EmbeddedServer()))
		require.NoError(t, err)
		priv, _, err := policy.LoadOrCreateDevKey(dir)
		require.NoError(t, err)
		return &env{svc: svc, nc: nc, priv: priv}, cancel, done
	}
	stop := func(e *env, cancel context.CancelFunc, done chan error) {
		e.nc.Close()
		cancel()
		require.NoError(t, <-done)
	}

	e, cancel, done := run()
	e.publishExamples(t)
	js, err := jetstream.New(e.nc)
	require.NoError(t, err)
	_, err = js.Publish(context.Background(), "ops.events.task-lifecycle."+alpha+"._", []byte(`{"eventId":"nope"`))
	require.NoError(t, err)
	_, err = e.client(t, alpha, "u1").Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha},
		Categories: []string{"live-workload", "active-tasks"}})
	require.NoError(t, err)
	_, err = e.client(t, "tenant-beta", "mallory").Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha}})
	require.Error(t, err)

	auditor := e.client(t, alpha, "auditor", policy.PermAuditRead)
	want := func(t *testing.T, entries []auditEntry) {
		t.Helper()
		byType := map[string][]auditEntry{}
		for _, en := range entries {
			assert.Equal(t, alpha, en.TenantID)
			byType[en.Type] = append(byType[en.Type], en)
		}
		assert.Len(t, byType["event-received"], 43, "one per accepted event of the tenant")
		assert.NotZero(t, byType["event-received"][0].StreamSeq)
		assert.NotEmpty(t, byType["event-received"][0].EventID)
		require.Len(t, byType["metric-computed"], 2)
		assert.Equal(t, "live-workload", byType["metric-computed"][0].MetricCategory)
		require.NotNil(t, byType["metric-computed"][0].Value)
		assert.Equal(t, 4.0, *byType["metric-computed"][0].Value)
		assert.Len(t, byType["stream-state-update"], 1)
		var denied, allowed int
		for _, d := range byType["policy-decision"] {
			if d.Decision == "denied" {
				denied++
				assert.Equal(t, "mallory", d.UserID)
				assert.Equal(t, "tenant-beta", d.UserTenantID)
				assert.Equal(t, policy.RuleTenantIsolation, d.Rule)
			} else {
				allowed++
			}
		}
		assert.Equal(t, 1, denied, "the denial is filed under the tenant asked about")
		assert.GreaterOrEqual(t, allowed, 1)
		require.NotEmpty(t, byType["error"], "the rejection")
		assert.Contains(t, byType["error"][0].Detail, "sha256")
	}

	var entries []auditEntry
	natstest.Eventually(t, 10*time.Second, func() bool {
		entries = readTrail(t, auditor, client.AuditRequest{Scope: client.Scope{TenantID: alpha}})
		n := 0
		for _, en := range entries {
			if en.Type == "event-received" {
				n++
			}
		}
		return n == 43 && len(entries) > 48
	}, "trail written")
	want(t, entries)
	paged := readTrail(t, auditor, client.AuditRequest{Scope: client.Scope{TenantID: alpha}, Limit: 7})
	assert.Equal(t, entries, paged, "small pages return the same entries, each once")

	seen := map[[2]uint64]bool{}
	for _, en := range entries {
		key := [2]uint64{en.Seq, en.StreamSeq}
		if en.Type != "event-received" {
			key[1] = 0
		}
		assert.False(t, seen[key], "entry %+v returned twice across pages", en)
		seen[key] = true
	}

	// Filters.
	onlyDenied := readTrail(t, auditor, client.AuditRequest{Scope: client.Scope{TenantID: alpha},
		Types: []string{"policy-decision"}, UserID: "mallory"})
	require.Len(t, onlyDenied, 1)
	assert.Equal(t, "denied", onlyDenied[0].Decision)
	future := time.Now().Add(time.Hour)
	none := readTrail(t, auditor, client.AuditRequest{Scope: client.Scope{TenantID: alpha}, Since: &future})
	assert.Empty(t, none)

	// The audit endpoint's own rules.
	_, err = e.client(t, alpha, "u1").Audit(context.Background(), client.AuditRequest{Scope: client.Scope{TenantID: alpha}})
	assert.Equal(t, policy.RuleAuditPermission, apiErr(t, err).Rule)
	_, err = e.client(t, "tenant-beta", "x", policy.PermAuditRead).Audit(context.Background(), client.AuditRequest{Scope: client.Scope{TenantID: alpha}})
	assert.Equal(t, policy.RuleTenantIsolation, apiErr(t, err).Rule)

	// CSV: a header row and the same entries.
	page, err := auditor.Audit(context.Background(), client.AuditRequest{Scope: client.Scope{TenantID: alpha},
		Types: []string{"policy-decision"}, Format: "csv", Limit: 1000})
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(page.Body)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "id", rows[0][0])
	assert.Len(t, rows[0], 17)

	stop(e, cancel, done)

	// A restart keeps the trail.
	e, cancel, done = run()
	defer stop(e, cancel, done)
	after := readTrail(t, e.client(t, alpha, "auditor", policy.PermAuditRead),
		client.AuditRequest{Scope: client.Scope{TenantID: alpha}, Types: []string{"event-received", "metric-computed", "stream-state-update", "error"}})
	var kept []auditEntry
	for _, en := range entries {
		if en.Type != "policy-decision" {
			kept = append(kept, en)
		}
	}
	assert.Equal(t, len(kept), len(after), "the trail survives the restart, and the rebuild audits nothing again")
}
