package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
)

// TestQueriesWaitForTheRebuild serves requests beside a pipeline that has
// not finished its start-up rebuild (it has not even started): queries
// and statistics answer 503 with the progress, health answers at once.
func TestQueriesWaitForTheRebuild(t *testing.T) {
	nc, js := natstest.Conn(t, natstest.Server(t, ""))
	reg, err := state.NewRegistry(state.RegistryConfig{})
	require.NoError(t, err)
	t.Cleanup(reg.Close)
	p, err := consumer.New(consumer.Options{Conn: nc, JS: js, Registry: reg, Logger: zerolog.Nop()})
	require.NoError(t, err)
	priv, _, err := policy.LoadOrCreateDevKey(t.TempDir())
	require.NoError(t, err)
	keys, err := policy.DevKeySet(priv)
	require.NoError(t, err)
	v, err := policy.NewVerifier(policy.VerifierConfig{Keys: keys})
	require.NoError(t, err)

	s, err := New(Config{Conn: nc, Registry: reg, Pipeline: p, Verifier: v,
		Status: func() string { return "rebuilding" }, Version: "1.0.0"})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Stop() })

	tok, err := policy.Mint(priv, policy.MintOptions{Tenant: "t1", User: "u", Perms: []string{policy.PermAuditRead}})
	require.NoError(t, err)
	for _, subj := range []string{"monitor.query.t1", "monitor.stats.t1"} {
		m := nats.NewMsg(subj)
		m.Data = []byte(`{"scope":{"tenantId":"t1"}}`)
		m.Header.Set("Authorization", "Bearer "+tok)
		reply, err := nc.RequestMsg(m, 5*time.Second)
		require.NoError(t, err)
		assert.Equal(t, "503", reply.Header.Get("Nats-Service-Error-Code"), subj)
		var doc ErrorReply
		require.NoError(t, json.Unmarshal(reply.Data, &doc))
		assert.Equal(t, RuleRebuilding, doc.Error.Rule)
		assert.Contains(t, doc.Error.Reason, "events applied", "the reason says how far")
	}

	reply, err := nc.Request("monitor.health", nil, 5*time.Second)
	require.NoError(t, err)
	var h Health
	require.NoError(t, json.Unmarshal(reply.Data, &h))
	assert.Equal(t, "rebuilding", h.Status)
	assert.False(t, h.Rebuild.Done)
}
