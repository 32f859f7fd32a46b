package api_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/monitortest"
	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// env is a running monitor fed with the example events.
type env struct {
	svc  *monitor.Service
	nc   *nats.Conn
	priv ed25519.PrivateKey
}

func startMonitor(t *testing.T, tweak func(*monitor.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	cfg := monitor.Config{
		DataDir:  dir,
		HTTPAddr: "off",
		Embedded: monitor.EmbeddedConfig{Listen: "127.0.0.1:-1"},
		Version:  "1.0.0",
	}
	if tweak != nil {
		tweak(&cfg)
	}
	svc := monitortest.Start(t, cfg)
	nc, err := nats.Connect("", nats.InProcessServer(svc.EmbeddedServer()))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	priv, _, err := policy.LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	return &env{svc: svc, nc: nc, priv: priv}
}

// publishExamples publishes the repository's example events, moved in
// time so that the newest is a minute ago, and waits until all are
// applied.
func (e *env) publishExamples(t *testing.T) {
	t.Helper()
	docs := monitortest.Examples(t, "../../examples/events.jsonl")
	for _, d := range docs {
		monitortest.Publish(t, e.nc, d)
	}
	natstest.Eventually(t, 10*time.Second, func() bool {
		return e.svc.Pipeline().Stats().Accepted == uint64(len(docs))
	}, "examples applied")
}

func (e *env) token(t *testing.T, tenant, user string, perms ...string) string {
	t.Helper()
	tok, err := policy.Mint(e.priv, policy.MintOptions{Tenant: tenant, User: user, Perms: perms})
	require.NoError(t, err)
	return tok
}

func (e *env) client(t *testing.T, tenant, user string, perms ...string) *client.Client {
	return client.New(e.nc, e.token(t, tenant, user, perms...))
}

// raw sends a body to subject with an optional token and returns the
// reply.
func (e *env) raw(t *testing.T, subject, token string, body []byte) *nats.Msg {
	t.Helper()
	m := nats.NewMsg(subject)
	m.Data = body
	if token != "" {
		m.Header.Set("Authorization", "Bearer "+token)
	}
	reply, err := e.nc.RequestMsg(m, 10*time.Second)
	require.NoError(t, err)
	return reply
}

func apiErr(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	require.True(t, errors.As(err, &e), "want an API error, got %v", err)
	return e
}

const alpha = "tenant-alpha"

func TestQueryFiguresOfTheExample(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	c := e.client(t, alpha, "u1", policy.PermViewAllOperators, policy.PermViewWorkloadMetrics,
		policy.PermViewCrossEngineMetrics, policy.PermViewTrendMetrics)

	res, err := c.Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha}})
	require.NoError(t, err)
	require.Len(t, res.Metrics, 8)
	assert.Empty(t, res.Omitted)
	names := []string{}
	for _, m := range res.Metrics {
		names = append(names, m.Category.String())
	}
	assert.Equal(t, policy.MetricCategories[:], names, "metrics.md order when none asked")

	// Worked out from examples/events.jsonl by hand: tasks 101 (op-001),
	// 104 (op-001), 105 (op-003), 102 (reassigned op-002 -> op-003) are
	// open and assigned; 103 is open, unassigned; 106 is resolved.
	lw := res.Metrics[0]
	assert.Equal(t, 4.0, lw.Value)
	assert.Equal(t, map[string]float64{"op-001": 2, "op-003": 2}, lw.Operators())
	assert.Equal(t, 5.0, res.Metrics[1].Value, "active tasks")
	assert.Equal(t, 7.0, res.Metrics[2].Value, "SLA timers: 5 tasks and 2 open alerts")
	assert.Equal(t, 5, res.Summary.ActiveTasks)
	require.NotNil(t, res.Summary.BusiestOperator)
	assert.Equal(t, "op-001", res.Summary.BusiestOperator.OperatorID, "tie of 2 goes to the smaller id")
	assert.Equal(t, 8, res.Summary.MetricsComputed)
	assert.Equal(t, uint64(43), res.Summary.EventsProcessed)
	assert.Equal(t, res.Query.RecentEvents, len(res.StreamState.RecentEvents))
	assert.Equal(t, len(res.StreamState.RecentEvents), len(res.References.EventIDs))

	// Asked categories come in the asked order.
	res, err = c.Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha},
		Categories: []string{"trend-signal", "live-workload"}})
	require.NoError(t, err)
	require.Len(t, res.Metrics, 2)
	assert.Equal(t, "trend-signal", res.Metrics[0].Category.String())
	assert.Equal(t, "live-workload", res.Metrics[1].Category.String())
}

func TestQueryPolicyRules(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	ctx := context.Background()
	many := make([]string, 11)
	for i := range many {
		many[i] = fmt.Sprintf("op-%03d", i+1)
	}
	tests := []struct {
		name   string
		tenant string
		perms  []string
		q      client.Query
		rule   string // empty: allowed
	}{
		{"own tenant", alpha, nil, client.Query{Scope: client.Scope{TenantID: alpha}}, ""},
		{"other tenant", "tenant-beta", nil, client.Query{Scope: client.Scope{TenantID: alpha}}, policy.RuleTenantIsolation},
		{"cross-tenant read", "tenant-beta", []string{policy.PermCrossTenantRead}, client.Query{Scope: client.Scope{TenantID: alpha}}, ""},
		{"federation admin across tenants", "tenant-beta", []string{policy.PermFederationAdmin},
			client.Query{Scope: client.Scope{TenantID: alpha, FederationID: "fed-north"}}, ""},
		{"federation admin needs a federation", "tenant-beta", []string{policy.PermFederationAdmin},
			client.Query{Scope: client.Scope{TenantID: alpha}}, policy.RuleTenantIsolation},
		{"federation without permission", alpha, nil,
			client.Query{Scope: client.Scope{TenantID: alpha, FederationID: "fed-north"}}, policy.RuleFederationAccess},
		{"named federation permission", alpha, []string{policy.PermFederation("fed-north")},
			client.Query{Scope: client.Scope{TenantID: alpha, FederationID: "fed-north"}}, ""},
		{"other federation permission", alpha, []string{policy.PermFederation("fed-south")},
			client.Query{Scope: client.Scope{TenantID: alpha, FederationID: "fed-north"}}, policy.RuleFederationAccess},
		{"operator not visible", alpha, nil,
			client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: []string{"op-001"}}, policy.RuleOperatorAccess},
		{"operator visible to all-operators", alpha, []string{policy.PermViewAllOperators},
			client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: []string{"op-001"}}, ""},
		{"eleven operators without bulk", alpha, []string{policy.PermViewAllOperators},
			client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: many}, policy.RuleBulkQueryLimit},
		{"eleven operators with bulk", alpha, []string{policy.PermViewAllOperators, policy.PermBulkQuery},
			client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: many}, ""},
		{"ten operators without bulk", alpha, []string{policy.PermViewAllOperators},
			client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: many[:10]}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client(t, tc.tenant, "u1", tc.perms...).Query(ctx, tc.q)
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			ae := apiErr(t, err)
			assert.Equal(t, 403, ae.Code)
			assert.Equal(t, tc.rule, ae.Rule)
			assert.NotEmpty(t, ae.Reason)
		})
	}
}

func TestQueryRestrictedCategoriesOmitted(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	c := e.client(t, alpha, "u1", policy.PermViewTrendMetrics)

	res, err := c.Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha}})
	require.NoError(t, err)
	assert.Len(t, res.Metrics, 6)
	var omitted []string
	for _, o := range res.Omitted {
		omitted = append(omitted, o.Category)
		assert.Equal(t, policy.RuleCategoryPermission, o.Rule)
		assert.NotEmpty(t, o.Reason)
	}
	assert.ElementsMatch(t, []string{"cross-engine-performance", "workload-delta"}, omitted)

	res, err = c.Query(context.Background(), client.Query{Scope: client.Scope{TenantID: alpha},
		Categories: []string{"workload-delta", "active-tasks"}})
	require.NoError(t, err, "a named restricted category does not deny the query")
	require.Len(t, res.Metrics, 1)
	assert.Equal(t, "active-tasks", res.Metrics[0].Category.String())
	require.Len(t, res.Omitted, 1)
	assert.Equal(t, "workload-delta", res.Omitted[0].Category)
}

func TestQueryVisibilityFilter(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	ctx := context.Background()
	q := client.Query{Scope: client.Scope{TenantID: alpha}, RecentEvents: client.Int(100)}

	type seen struct {
		byOperator []string
		rows       []string
		busiest    string
		eventOps   []string
		names      bool
	}
	look := func(t *testing.T, tok string) seen {
		t.Helper()
		res, err := client.New(e.nc, tok).Query(ctx, q)
		require.NoError(t, err)
		var s seen
		for op := range res.Metrics[0].Operators() {
			s.byOperator = append(s.byOperator, op)
		}
		for _, row := range res.StreamState.WorkloadState {
			s.rows = append(s.rows, row.OperatorID)
		}
		if b := res.Summary.BusiestOperator; b != nil {
			s.busiest = b.OperatorID
		}
		for _, ev := range res.StreamState.RecentEvents {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(ev.Raw, &doc))
			if op, ok := doc["operatorId"].(string); ok {
				s.eventOps = append(s.eventOps, op)
			}
			if _, ok := doc["operatorName"]; ok {
				s.names = true
			}
		}
		// Totals stay scope-wide whatever the caller sees.
		assert.Equal(t, 4.0, res.Metrics[0].Value)
		return s
	}

	none := look(t, e.token(t, alpha, "u1"))
	assert.Empty(t, none.byOperator)
	assert.Empty(t, none.rows)
	assert.Empty(t, none.busiest)
	assert.Empty(t, none.eventOps, "no operator ids in events")
	assert.False(t, none.names, "no operator names in events")

	tok, err := policy.Mint(e.priv, policy.MintOptions{Tenant: alpha, User: "lead", Operator: "op-002",
		Team: []string{"op-003"}, Perms: []string{policy.PermViewTeamOperators}})
	require.NoError(t, err)
	team := look(t, tok)
	assert.ElementsMatch(t, []string{"op-003"}, team.byOperator, "op-002 holds no task now")
	assert.Equal(t, []string{"op-003"}, team.rows)
	assert.Equal(t, "op-003", team.busiest)
	for _, op := range team.eventOps {
		assert.Contains(t, []string{"op-002", "op-003"}, op)
	}

	all := look(t, e.token(t, alpha, "u1", policy.PermViewAllOperators))
	assert.ElementsMatch(t, []string{"op-001", "op-003"}, all.byOperator)
	assert.Equal(t, "op-001", all.busiest)
	assert.Contains(t, all.eventOps, "op-002")
	assert.True(t, all.names)

	// Naming operators narrows operator data further.
	res, err := e.client(t, alpha, "u1", policy.PermViewAllOperators).Query(ctx,
		client.Query{Scope: client.Scope{TenantID: alpha}, OperatorIDs: []string{"op-003"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"op-003": 2}, res.Metrics[0].Operators())
	require.NotNil(t, res.Summary.BusiestOperator)
	assert.Equal(t, "op-003", res.Summary.BusiestOperator.OperatorID)
}

func TestQueryFacilityAndFederationNarrowing(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	c := e.client(t, alpha, "u1", policy.PermViewAllOperators, policy.PermFederation("fed-south"))
	ctx := context.Background()

	res, err := c.Query(ctx, client.Query{Scope: client.Scope{TenantID: alpha, FacilityID: "facility-02"}})
	require.NoError(t, err)
	assert.Equal(t, 2.0, res.Metrics[1].Value, "tasks 103 and 105 opened in facility-02")

	res, err = c.Query(ctx, client.Query{Scope: client.Scope{TenantID: alpha, FederationID: "fed-south"}})
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Metrics[1].Value, "only task 105 is in fed-south")
	assert.Equal(t, map[string]float64{"op-003": 1}, res.Metrics[0].Operators())
}

func TestQueryValidation(t *testing.T) {
	e := startMonitor(t, nil)
	tok := e.token(t, alpha, "u1")
	tests := []struct {
		name  string
		body  string
		field string
		code  int
	}{
		{"malformed json", `{"scope":`, "JSON", 400},
		{"not an object", `[1]`, "JSON", 400},
		{"no scope", `{}`, "scope.tenantId", 400},
		{"tenant mismatch", `{"scope":{"tenantId":"tenant-beta"}}`, "scope.tenantId", 400},
		{"tenant wrong type", `{"scope":{"tenantId":7}}`, "scope.tenantId", 400},
		{"unknown category", `{"scope":{"tenantId":"tenant-alpha"},"categories":["bogus"]}`, "categories[0]", 400},
		{"repeated category", `{"scope":{"tenantId":"tenant-alpha"},"categories":["live-workload","live-workload"]}`, "categories[1]", 400},
		{"window zero", `{"scope":{"tenantId":"tenant-alpha"},"windowMinutes":0}`, "windowMinutes", 400},
		{"window too big", `{"scope":{"tenantId":"tenant-alpha"},"windowMinutes":10081}`, "windowMinutes", 400},
		{"window fraction", `{"scope":{"tenantId":"tenant-alpha"},"windowMinutes":1.5}`, "windowMinutes", 400},
		{"window string", `{"scope":{"tenantId":"tenant-alpha"},"windowMinutes":"60"}`, "windowMinutes", 400},
		{"negative recent", `{"scope":{"tenantId":"tenant-alpha"},"recentEvents":-1}`, "recentEvents", 400},
		{"too many recent", `{"scope":{"tenantId":"tenant-alpha"},"recentEvents":1001}`, "recentEvents", 400},
		{"absurd timers", `{"scope":{"tenantId":"tenant-alpha"},"slaTimers":1e300}`, "slaTimers", 400},
		{"bad operator id", `{"scope":{"tenantId":"tenant-alpha"},"operatorIds":["a b"]}`, "operatorIds[0]", 400},
		{"requested by someone else", `{"scope":{"tenantId":"tenant-alpha"},"requestedBy":"mallory"}`, "requestedBy", 403},
		{"too large", `{"scope":{"tenantId":"tenant-alpha"},"description":"` + strings.Repeat("x", 70<<10) + `"}`, "bytes", 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := e.raw(t, "monitor.query."+alpha, tok, []byte(tc.body))
			assert.Equal(t, fmt.Sprint(tc.code), reply.Header.Get("Nats-Service-Error-Code"))
			var doc struct {
				ResultID string `json:"resultId"`
				Error    struct {
					Code   int    `json:"code"`
					Rule   string `json:"rule"`
					Reason string `json:"reason"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(reply.Data, &doc), string(reply.Data))
			assert.Equal(t, tc.code, doc.Error.Code)
			assert.Contains(t, doc.Error.Reason, tc.field)
			assert.Equal(t, doc.Error.Reason, reply.Header.Get("Nats-Service-Error"))
			assert.NotEmpty(t, doc.ResultID, "a query's error result carries its result id")
		})
	}
}

// forge signs claims with method and key, bypassing every check.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestTokenAttacksAreRejected(t *testing.T) {
	e := startMonitor(t, nil)
	now := time.Now()
	good := jwt.MapClaims{"sub": "u1", "tenant": alpha, "exp": now.Add(time.Hour).Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(e.priv.Public())
	require.NoError(t, err)
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	valid := forge(t, jwt.SigningMethodEdDSA, e.priv, good, "")
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u1","tenant":"tenant-beta","exp":9999999999}`)) + "." + parts[2]

	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"u1","tenant":"%s","exp":%d}`, alpha, now.Add(time.Hour).Unix()))) + "."

	hsHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	hsBody := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"u1","tenant":"%s","exp":%d}`, alpha, now.Add(time.Hour).Unix())))
	mac := hmac.New(sha256.New, pubDER)
	mac.Write([]byte(hsHeader + "." + hsBody))
	hs256 := hsHeader + "." + hsBody + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	tests := []struct {
		name   string
		header string
	}{
		{"no token", ""},
		{"not bearer", "Basic dXNlcjpwYXNz"},
		{"alg none", "Bearer " + unsigned},
		{"HS256 with the public key bytes", "Bearer " + hs256},
		{"expired", "Bearer " + forge(t, jwt.SigningMethodEdDSA, e.priv, with("exp", now.Add(-time.Minute).Unix()), "")},
		{"not yet valid", "Bearer " + forge(t, jwt.SigningMethodEdDSA, e.priv, with("nbf", now.Add(time.Minute).Unix()), "")},
		{"unknown key", "Bearer " + forge(t, jwt.SigningMethodEdDSA, stranger, good, "")},
		{"tampered payload", "Bearer " + tampered},
		{"missing tenant", "Bearer " + forge(t, jwt.SigningMethodEdDSA, e.priv, with("tenant", nil), "")},
		{"missing sub", "Bearer " + forge(t, jwt.SigningMethodEdDSA, e.priv, with("sub", nil), "")},
		{"missing exp", "Bearer " + forge(t, jwt.SigningMethodEdDSA, e.priv, with("exp", nil), "")},
	}
	body := []byte(`{"scope":{"tenantId":"tenant-alpha"}}`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := nats.NewMsg("monitor.query." + alpha)
			m.Data = body
			if tc.header != "" {
				m.Header.Set("Authorization", tc.header)
			}
			reply, err := e.nc.RequestMsg(m, 10*time.Second)
			require.NoError(t, err)
			assert.Equal(t, "401", reply.Header.Get("Nats-Service-Error-Code"), string(reply.Data))
			assert.Contains(t, string(reply.Data), `"rule":"authentication"`)
		})
	}

	// The control: the same claims, properly signed, pass.
	reply := e.raw(t, "monitor.query."+alpha, valid, body)
	assert.Empty(t, reply.Header.Get("Nats-Service-Error-Code"), string(reply.Data))
}

func TestRateLimit(t *testing.T) {
	e := startMonitor(t, func(c *monitor.Config) { c.RateLimit = 1 })
	tok := e.token(t, alpha, "u1")
	body := []byte(`{"scope":{"tenantId":"tenant-alpha"},"categories":["active-tasks"]}`)
	var codes []string
	for i := 0; i < 5; i++ {
		codes = append(codes, e.raw(t, "monitor.query."+alpha, tok, body).Header.Get("Nats-Service-Error-Code"))
	}
	assert.Equal(t, "", codes[0])
	assert.Contains(t, codes, "429")
	// Another user of the same tenant has a budget of their own.
	other := e.raw(t, "monitor.query."+alpha, e.token(t, alpha, "u2"), body)
	assert.Empty(t, other.Header.Get("Nats-Service-Error-Code"))
}

func TestHealthAndMicroService(t *testing.T) {
	e := startMonitor(t, nil)
	h, err := client.New(e.nc, "").Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", h.Status)
	assert.Equal(t, "1.0.0", h.Version)
	assert.True(t, h.Rebuild.Done)
	natstest.Eventually(t, 10*time.Second, func() bool {
		h, err = client.New(e.nc, "").Health(context.Background())
		return err == nil && len(h.Consumers) == 8
	}, "consumers polled")

	reply, err := e.nc.Request("$SRV.PING.monitor", nil, 5*time.Second)
	require.NoError(t, err)
	assert.Contains(t, string(reply.Data), `"name":"monitor"`)
	info, err := e.nc.Request("$SRV.INFO.monitor", nil, 5*time.Second)
	require.NoError(t, err)
	for _, subj := range []string{"monitor.query.*", "monitor.stats.*", "monitor.audit.*", "monitor.health"} {
		assert.Contains(t, string(info.Data), subj)
	}
}

func TestStats(t *testing.T) {
	e := startMonitor(t, nil)
	e.publishExamples(t)
	ctx := context.Background()

	_, err := e.client(t, alpha, "u1").Stats(ctx, client.Scope{TenantID: alpha})
	ae := apiErr(t, err)
	assert.Equal(t, 403, ae.Code)
	assert.Equal(t, policy.RuleAuditPermission, ae.Rule)

	c := e.client(t, alpha, "auditor", policy.PermAuditRead)
	_, err = c.Query(ctx, client.Query{Scope: client.Scope{TenantID: alpha}})
	require.NoError(t, err)
	st, err := c.Stats(ctx, client.Scope{TenantID: alpha})
	require.NoError(t, err)
	assert.Equal(t, uint64(43), st.Totals.EventsReceived)
	assert.Equal(t, uint64(14), st.ByCategory["task-lifecycle"])
	assert.Empty(t, st.ByOperator, "no operator permission, no operator keys")
	assert.Equal(t, map[string]uint64{alpha: 43}, st.ByTenant, "other tenants only with cross-tenant read")
	assert.Equal(t, 43.0, st.Trends.EventsPerMinute.Current)
	natstest.Eventually(t, 10*time.Second, func() bool {
		st, err = c.Stats(ctx, client.Scope{TenantID: alpha})
		return err == nil && st.Totals.MetricsComputed == 5 && st.Totals.PolicyDenied == 1
	}, "audit counters: five metrics computed, one stats denial")
	assert.Equal(t, uint64(3), st.Totals.PolicyAllowed, "one query and two stats so far")

	cross, err := e.client(t, "tenant-beta", "ops", policy.PermAuditRead, policy.PermCrossTenantRead).Stats(ctx, client.Scope{TenantID: alpha})
	require.NoError(t, err)
	assert.Equal(t, uint64(3), cross.ByTenant["tenant-beta"])
}

func TestQueryReplyFitsTheMaxPayload(t *testing.T) {
	e := startMonitor(t, nil)
	js, err := jetstream.New(e.nc)
	require.NoError(t, err)
	pad := strings.Repeat("x", 60<<10)
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	const n = 30 // 30 x 60 KiB is well over the 1 MiB max payload
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"eventId":"big-%d","category":"task-lifecycle","eventType":"created","timestamp":%q,`+
			`"scope":{"tenantId":%q},"severity":"low","entityId":"t-%d","entityType":"task","metadata":{"pad":%q}}`,
			i, at, alpha, i, pad)
		_, err := js.Publish(context.Background(), "ops.events.task-lifecycle."+alpha+"._", []byte(body))
		require.NoError(t, err)
	}
	natstest.Eventually(t, 10*time.Second, func() bool { return e.svc.Pipeline().Stats().Accepted == n }, "applied")

	res, err := e.client(t, alpha, "u1").Query(context.Background(),
		client.Query{Scope: client.Scope{TenantID: alpha}, RecentEvents: client.Int(n)})
	require.NoError(t, err)
	assert.Equal(t, []string{"recentEvents"}, res.Truncated)
	kept := res.StreamState.RecentEvents
	require.NotEmpty(t, kept)
	assert.Less(t, len(kept), n)
	assert.Equal(t, fmt.Sprintf("big-%d", n-1), kept[len(kept)-1].EventID, "the oldest are dropped first")
	assert.Equal(t, len(kept), len(res.References.EventIDs))
	assert.Equal(t, 30.0, res.Metrics[1].Value, "figures are whole")
}
