package dashboard_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/dashboard"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// call makes one request to the dashboard and returns the status, the
// whole answer (headers and body, to search for leaks) and the body.
func call(t *testing.T, base, method, path, auth, body string) (int, string, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var all bytes.Buffer
	require.NoError(t, res.Header.Write(&all))
	all.Write(b)
	return res.StatusCode, all.String(), b
}

type endpoint struct{ method, path, body string }

var endpoints = []endpoint{
	{"POST", "/api/session", "{}"},
	{"POST", "/api/query", `{"scope":{"tenantId":"tenant-alpha"}}`},
	{"POST", "/api/stats", `{"scope":{"tenantId":"tenant-alpha"}}`},
	{"GET", "/api/health?tenant=tenant-alpha", ""},
	{"GET", "/api/feed?tenant=tenant-alpha", ""},
}

// offline is a dashboard with no NATS connection: whatever needs the
// monitor answers 503, so a 401 proves the check came first.
func offline(t *testing.T) *httptest.Server {
	t.Helper()
	h, err := dashboard.New(dashboard.Options{Conn: func() *nats.Conn { return nil }})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestNoTokenIs401(t *testing.T) {
	srv := offline(t)
	for _, ep := range endpoints {
		for _, auth := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt"} {
			t.Run(ep.path+" "+auth, func(t *testing.T) {
				code, all, body := call(t, srv.URL, ep.method, ep.path, auth, ep.body)
				assert.Equal(t, http.StatusUnauthorized, code)
				assert.Contains(t, all, "Www-Authenticate: Bearer")
				var doc struct {
					Error struct {
						Code int    `json:"code"`
						Rule string `json:"rule"`
					} `json:"error"`
				}
				require.NoError(t, json.Unmarshal(body, &doc))
				assert.Equal(t, 401, doc.Error.Code)
				assert.Equal(t, "authentication", doc.Error.Rule)
			})
		}
	}
}

func TestTokenInURLIsRefused(t *testing.T) {
	srv := offline(t)
	for _, p := range []string{"/?token=x", "/api/query?access_token=x", "/api/feed?tenant=a&jwt=x"} {
		code, all, _ := call(t, srv.URL, "GET", p, "", "")
		assert.Equal(t, http.StatusBadRequest, code, p)
		assert.Contains(t, all, "Authorization header", p)
	}
}

func TestPageAndAssetsAreServedWithAStrictPolicy(t *testing.T) {
	srv := offline(t)
	tests := []struct {
		name, path, ctype string
		code              int
	}{
		{"page", "/", "text/html", 200},
		{"index", "/index.html", "text/html", 200},
		{"script", "/assets/app.js", "javascript", 200},
		{"style", "/assets/app.css", "text/css", 200},
		{"missing asset", "/assets/nope.js", "", 404},
		{"unknown page", "/nope", "", 404},
		{"unknown api", "/api/nope", "application/json", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Get(srv.URL + tc.path)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, tc.code, res.StatusCode)
			assert.Contains(t, res.Header.Get("Content-Type"), tc.ctype)
			csp := res.Header.Get("Content-Security-Policy")
			assert.Contains(t, csp, "script-src 'self'")
			assert.Contains(t, csp, "frame-ancestors 'none'")
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	conn := func() *nats.Conn { return nil }
	tests := []struct {
		name string
		opts dashboard.Options
		want error
	}{
		{"no conn", dashboard.Options{}, dashboard.ErrNoConn},
		{"unknown console", dashboard.Options{Conn: conn,
			Links: map[string]string{"alert-centre": "https://a.example"}}, dashboard.ErrUnknownConsole},
		{"relative link", dashboard.Options{Conn: conn,
			Links: map[string]string{"auditor": "/auditor"}}, dashboard.ErrBadLink},
		{"script link", dashboard.Options{Conn: conn,
			Links: map[string]string{"auditor": "javascript:alert(1)"}}, dashboard.ErrBadLink},
		{"empty link is hidden", dashboard.Options{Conn: conn,
			Links: map[string]string{"auditor": ""}}, nil},
		{"good", dashboard.Options{Conn: conn,
			Links: map[string]string{"fabric": "https://fabric.example/console"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dashboard.New(tc.opts)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestTokensTheMonitorRefusesAre401AndNeverEchoed(t *testing.T) {
	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.DebugLevel)
	r := startRig(t, dashboard.Options{Logger: &log})

	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	forged, err := policy.Mint(stranger, policy.MintOptions{Tenant: alpha, User: "mallory"})
	require.NoError(t, err)
	expired, err := policy.Mint(r.priv, policy.MintOptions{Tenant: alpha, User: "u1",
		Now: func() time.Time { return time.Now().Add(-3 * time.Hour) }})
	require.NoError(t, err)
	good := r.token(t, alpha, "u1", allPerms...)

	for name, tok := range map[string]string{"unknown key": forged, "expired": expired} {
		for _, ep := range endpoints {
			t.Run(name+" "+ep.path, func(t *testing.T) {
				code, all, _ := call(t, r.base, ep.method, ep.path, "Bearer "+tok, ep.body)
				assert.Equal(t, http.StatusUnauthorized, code)
				assert.NotContains(t, all, tok)
				assert.NotContains(t, all, strings.Split(tok, ".")[2], "signature echoed")
			})
		}
	}

	// A good token's answers carry figures, but never the token.
	for _, ep := range endpoints[:4] {
		code, all, _ := call(t, r.base, ep.method, ep.path, "Bearer "+good, ep.body)
		assert.Equal(t, http.StatusOK, code, ep.path)
		assert.NotContains(t, all, good, ep.path)
	}
	for _, tok := range []string{forged, expired, good} {
		assert.NotContains(t, logs.String(), strings.Split(tok, ".")[2], "token in the log")
	}
}

func TestQueryAnswersWhatTheClientGets(t *testing.T) {
	r := startRig(t, dashboard.Options{Links: map[string]string{"auditor": "https://auditor.example"}})
	r.publishExamples(t)
	tok := r.token(t, alpha, "u1", allPerms...)

	code, _, body := call(t, r.base, "POST", "/api/session", "Bearer "+tok, "{}")
	require.Equal(t, http.StatusOK, code)
	var sess struct {
		Tenant, User string
		Links        []struct{ Name, URL string }
	}
	require.NoError(t, json.Unmarshal(body, &sess))
	assert.Equal(t, alpha, sess.Tenant)
	assert.Equal(t, "u1", sess.User)
	require.Len(t, sess.Links, 1)
	assert.Equal(t, "https://auditor.example", sess.Links[0].URL)

	code, _, body = call(t, r.base, "POST", "/api/query", "Bearer "+tok,
		`{"scope":{"tenantId":"tenant-alpha"},"categories":["live-workload","active-tasks"]}`)
	require.Equal(t, http.StatusOK, code, string(body))
	var got client.Result
	require.NoError(t, json.Unmarshal(body, &got))
	want, err := r.client(t, tok).Query(context.Background(), client.Query{
		Scope: client.Scope{TenantID: alpha}, Categories: []string{"live-workload", "active-tasks"}})
	require.NoError(t, err)
	require.Len(t, got.Metrics, 2)
	for i := range want.Metrics {
		assert.Equal(t, want.Metrics[i].Value, got.Metrics[i].Value)
		assert.Equal(t, want.Metrics[i].Breakdown, got.Metrics[i].Breakdown)
	}
	assert.Equal(t, want.Summary, got.Summary)

	// The monitor's refusals keep their code and rule.
	other := r.token(t, beta, "eve", allPerms...)
	code, _, body = call(t, r.base, "POST", "/api/query", "Bearer "+other, `{"scope":{"tenantId":"tenant-alpha"}}`)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, string(body), "tenant-isolation")
	assert.NotContains(t, string(body), "task-101")

	code, _, _ = call(t, r.base, "POST", "/api/query", "Bearer "+tok, `{"scope":{"tenantId":"a.>"}}`)
	assert.Equal(t, http.StatusBadRequest, code, "a tenant that is no subject token")
	code, _, _ = call(t, r.base, "POST", "/api/query", "Bearer "+tok, `{"scope":{"tenantId":"tenant-alpha"},"bogus":1}`)
	assert.Equal(t, http.StatusBadRequest, code, "unknown field")
	code, _, _ = call(t, r.base, "POST", "/api/query", "Bearer "+tok, `{"scope":{"tenantId":"tenant-alpha"},"windowMinutes":0}`)
	assert.Equal(t, http.StatusBadRequest, code, "the monitor's validation")
}

func TestFeedSignalsNewEvents(t *testing.T) {
	r := startRig(t, dashboard.Options{})
	r.publishExamples(t)
	tok := r.token(t, alpha, "u1", allPerms...)
	feedUpdates(t, r, tok, "subscription")
}

// TestFeedFallsBackToPolling fills the tenant's one allowed subscription
// first, so that the feed's own is refused: it then says so, polls, and
// still signals new events.
func TestFeedFallsBackToPolling(t *testing.T) {
	r := startRig(t, dashboard.Options{PollInterval: 200 * time.Millisecond},
		func(c *monitor.Config) { c.Subscriptions.MaxPerTenant = 1 })
	r.publishExamples(t)
	tok := r.token(t, alpha, "u1", allPerms...)
	_, err := r.client(t, tok).CreateSubscription(context.Background(),
		client.SubscribeRequest{Scope: client.Scope{TenantID: alpha}, DeliverSubject: "elsewhere.u1"})
	require.NoError(t, err)
	feedUpdates(t, r, tok, "poll")
}

// feedUpdates opens the feed with tok, expects it to settle in mode, and
// publishes new events until the feed signals an update.
func feedUpdates(t *testing.T, r *rig, tok, mode string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", r.base+"/api/feed?tenant="+alpha, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))

	events := make(chan string, 16)
	modes := make(chan string, 4)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		last := ""
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				last = name
				events <- name
			}
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && last == "mode" {
				var m struct{ Mode string }
				if json.Unmarshal([]byte(data), &m) == nil {
					modes <- m.Mode
				}
			}
		}
	}()
	next := func() string {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("feed ended")
			}
			return e
		case <-ctx.Done():
			t.Fatal("no feed event")
		}
		return ""
	}
	require.Equal(t, "mode", next())
	if mode == "poll" {
		// The feed first tries a subscription, then says it polls.
		for m := ""; m != "poll"; {
			select {
			case m = <-modes:
			case <-ctx.Done():
				t.Fatal("the feed never fell back to polling")
			}
		}
	}

	// The subscription is made right after "mode" is sent: publish until
	// an update comes, each event new.
	for i := 0; ; i++ {
		r.publish(t, newTask(alpha, i))
		select {
		case e := <-events:
			if e == "ping" || e == "mode" {
				continue
			}
			assert.Equal(t, "update", e)
			return
		case <-time.After(time.Second):
		case <-ctx.Done():
			t.Fatal("no update")
		}
	}
}

func TestFeedOfAnotherTenantIs403(t *testing.T) {
	r := startRig(t, dashboard.Options{})
	tok := r.token(t, beta, "eve", allPerms...)
	code, all, _ := call(t, r.base, "GET", "/api/feed?tenant="+alpha, "Bearer "+tok, "")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, all, "tenant-isolation")
}

func TestCloseEndsFeeds(t *testing.T) {
	r := startRig(t, dashboard.Options{})
	tok := r.token(t, alpha, "u1")
	req, err := http.NewRequest("GET", r.base+"/api/feed?tenant="+alpha, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	done := make(chan struct{})
	go func() {
		r.dash.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Close did not end the feed")
	}
	_, err = io.ReadAll(res.Body)
	assert.True(t, err == nil || errors.Is(err, io.ErrUnexpectedEOF), "the stream ends: %v", err)
}

// newTask is a task-created event for tenant, n making it unique.
func newTask(tenant string, n int) map[string]any {
	id := time.Now().UnixNano()
	return map[string]any{
		"eventId":    "live-" + itoa(id) + "-" + itoa(int64(n)),
		"category":   "task-lifecycle",
		"eventType":  "created",
		"timestamp":  time.Now().UTC().Truncate(time.Second).Format(time.RFC3339),
		"scope":      map[string]any{"tenantId": tenant, "facilityId": "facility-01", "federationId": "fed-north"},
		"severity":   "critical",
		"entityId":   "task-live-" + itoa(id),
		"entityType": "task",
		"metadata":   map[string]any{"sourceSystem": "action-center"},
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
