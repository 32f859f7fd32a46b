package dashboard_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/dashboard"
	"github.com/opsmonitor/monitor/pkg/metrics"
)

// updateScreenshot rewrites docs/dashboard.png from this run's Overview.
var updateScreenshot = flag.Bool("update-screenshot", false,
	"copy the Overview screenshot to docs/dashboard.png")

// screenshotDir is where each run leaves its screenshots (git-ignored).
const screenshotDir = "../../artifacts/screenshots"

// chromiumPath finds Debian's Chromium. The browser tests fail without
// it: CI installs it (.ci/run), and a skipped test would hide that.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium not found: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context; the browser stops at cleanup.
func browser(t *testing.T) context.Context {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first call starts the browser; it lives as long as ctx.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)))
	return ctx
}

// page drives the dashboard in one tab.
type page struct {
	t   *testing.T
	ctx context.Context
}

// do runs steps with a bound so that a hung page fails the test.
func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	require.NoError(p.t, chromedp.Do(ctx, steps...))
}

// eval evaluates a JavaScript expression into out (JSON-decoded).
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	require.NoError(p.t, err, expr)
	require.NoError(p.t, json.Unmarshal(b, out), string(b))
}

// waitFor polls a JavaScript condition until it is truthy.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(50*time.Millisecond)))
	require.NoError(p.t, err, "waiting for %s", cond)
}

func (p *page) attr(sel, name string) string {
	p.t.Helper()
	var v string
	p.eval(fmt.Sprintf(`(() => {
		const n = document.querySelector(%q);
		return n ? n.getAttribute(%q) || "" : "";
	})()`, sel, name), &v)
	return v
}

func (p *page) signIn(token string) {
	p.t.Helper()
	p.do(
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SetValue(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("app")),
	)
}

// view opens a view from the keyboard: focus its button, press Enter.
func (p *page) view(name string) {
	p.t.Helper()
	p.do(
		chromedp.Focus(chromedp.CSS(`.views button[data-view="`+name+`"]`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.ID("view-"+name)),
	)
	assert.Equal(p.t, "page", p.attr(`.views button[data-view="`+name+`"]`, "aria-current"))
}

// screenshot saves the viewport as artifacts/screenshots/<name>.png.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(p.t, err)
	path := filepath.Join(screenshotDir, name+".png")
	require.NoError(p.t, os.WriteFile(path, b, 0o644))
	return path
}

// refreshes returns how many refreshes of a cause ("" for all) the page
// completed.
func (p *page) refreshes(cause string) int {
	p.t.Helper()
	var s string
	p.eval(`document.body.dataset.refreshes`+cause+` || "0"`, &s)
	n, _ := strconv.Atoi(s)
	return n
}

// figures reads a <dl> of figures (div > dt + dd, keyed by data-key).
func (p *page) figures(sel string) map[string]string {
	p.t.Helper()
	var m map[string]string
	p.eval(fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll(%q)]
		.map(d => [d.dataset.key, d.querySelector('dd').textContent]))`, sel+" > div"), &m)
	return m
}

// streamRow is one row of the Stream view.
type streamRow struct{ ID, Operator, Severity string }

// fmtNum writes a figure as the page does: integers as they are, other
// numbers with two decimals.
func fmtNum(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// clock writes a time as the page does.
func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// overview is what the Overview view shows.
type overview struct {
	Cards []struct {
		Category, Value, Unit, Direction, Confidence string
	}
	Summary map[string]string
}

const overviewJS = `({
  cards: [...document.querySelectorAll('#cards .card')].map(c => ({
    category: c.dataset.category,
    value: (c.querySelector('.value') || {}).textContent || '',
    unit: (c.querySelector('.unit') || {}).textContent || '',
    direction: (c.querySelector('.trend') || {dataset: {}}).dataset.direction || '',
    confidence: (c.querySelector('.confidence') || {dataset: {}}).dataset.confidence || ''})),
  summary: Object.fromEntries([...document.querySelectorAll('#summary > div')].map(d =>
    [d.dataset.key, d.querySelector('dd').textContent]))
})`

// snapshot refreshes the page and queries the API until both were
// computed in the same second (the same state, since nothing is
// published meanwhile), then returns the API's result; the caller reads
// the page, which shows that refresh until the next.
func (p *page) snapshot(c *client.Client, scope client.Scope) *client.Result {
	p.t.Helper()
	for range 10 {
		n := p.refreshes("")
		p.do(chromedp.Click(chromedp.ID("refresh")))
		p.waitFor(fmt.Sprintf(`Number(document.body.dataset.refreshes || 0) > %d`, n))
		res, err := c.Query(context.Background(), client.Query{Scope: scope,
			RecentEvents: client.Int(20), SLATimers: client.Int(100)})
		require.NoError(p.t, err)
		shown := p.attr("#computed-at", "data-computed-at")
		if shown == res.ComputedAt.Format(time.RFC3339) {
			return res
		}
	}
	p.t.Fatal("page and API never computed in the same second")
	return nil
}

func TestBrowserDashboard(t *testing.T) {
	require.NoError(t, os.MkdirAll(screenshotDir, 0o755))
	r := startRig(t, dashboard.Options{Links: map[string]string{
		"alert-center": "https://alerts.example/console",
		"auditor":      "https://auditor.example/",
	}})
	r.publishExamples(t)
	tok := r.token(t, alpha, "alice", allPerms...)
	c := r.client(t, tok)
	scope := client.Scope{TenantID: alpha}

	p := &page{t: t, ctx: browser(t)}
	p.do(chromedp.Navigate(r.base + "/"))
	p.signIn(tok)
	p.waitFor(`Number(document.body.dataset.refreshes || 0) > 0`)
	p.waitFor(`document.getElementById('feed-state').textContent.includes('subscription')`)

	var url string
	p.eval(`location.href`, &url)
	assert.NotContains(t, url, tok, "the token never goes into the URL")
	assert.NotContains(t, url, "token")

	t.Run("links", func(t *testing.T) {
		assert.Equal(t, "https://alerts.example/console", p.attr(`a[data-console="alert-center"]`, "href"))
		assert.Equal(t, "https://auditor.example/", p.attr(`a[data-console="auditor"]`, "href"))
		var n int
		p.eval(`document.querySelectorAll('#console-links a').length`, &n)
		assert.Equal(t, 2, n, "consoles without a URL are hidden")
	})

	t.Run("overview", func(t *testing.T) {
		p.view("overview")
		res := p.snapshot(c, scope)
		var ov overview
		p.eval(overviewJS, &ov)
		require.Len(t, ov.Cards, len(res.Metrics))
		for i, m := range res.Metrics {
			card := ov.Cards[i]
			assert.Equal(t, m.Category.String(), card.Category)
			assert.Equal(t, fmtNum(m.Value), card.Value, m.Category.String())
			assert.Equal(t, m.Unit, card.Unit)
			assert.Equal(t, m.Metadata.ConfidenceLevel, card.Confidence, m.Category.String())
			if m.Trend != nil {
				assert.Equal(t, m.Trend.Direction, card.Direction, m.Category.String())
			}
		}
		s := res.Summary
		assert.Equal(t, fmtNum(float64(s.EventsProcessed)), ov.Summary["eventsProcessed"])
		assert.Equal(t, fmtNum(float64(s.ActiveTasks)), ov.Summary["activeTasks"])
		assert.Equal(t, fmtNum(float64(s.SLABreaches)), ov.Summary["slaBreaches"])
		assert.Equal(t, fmtNum(float64(s.SLAWarnings)), ov.Summary["slaWarnings"])
		require.NotNil(t, s.BusiestOperator)
		assert.Contains(t, ov.Summary["busiestOperator"], s.BusiestOperator.OperatorID)
		shot := p.screenshot("overview")
		if *updateScreenshot {
			b, err := os.ReadFile(shot)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile("../../docs/dashboard.png", b, 0o644))
		}
	})

	t.Run("stream", func(t *testing.T) {
		p.view("stream")
		res := p.snapshot(c, scope)
		var rows []streamRow
		p.eval(`[...document.querySelectorAll('#stream-table tbody tr[data-event-id]')].map(r => ({
			id: r.dataset.eventId, operator: r.querySelector('.operator').textContent,
			severity: r.querySelector('.badge').textContent}))`, &rows)
		want := slices.Clone(res.References.EventIDs)
		slices.Reverse(want) // newest first
		require.Len(t, want, 20)
		got := []string{}
		for _, r := range rows {
			got = append(got, r.ID)
		}
		assert.Equal(t, want, got)
		for _, ev := range res.StreamState.RecentEvents {
			var d struct {
				EventID, OperatorID, OperatorName, Severity string
			}
			require.NoError(t, json.Unmarshal(ev.Raw, &d))
			i := slices.IndexFunc(rows, func(r streamRow) bool { return r.ID == d.EventID })
			require.GreaterOrEqual(t, i, 0, d.EventID)
			row := rows[i]
			assert.Equal(t, strings.ToUpper(d.Severity), row.Severity, d.EventID)
			if d.OperatorName != "" {
				assert.Equal(t, d.OperatorName+" ("+d.OperatorID+")", row.Operator, d.EventID)
			}
		}
		p.screenshot("stream")
	})

	t.Run("sla", func(t *testing.T) {
		p.view("sla")
		res := p.snapshot(c, scope)
		var rows []struct{ Entity, Status, Badge, Threshold, Remaining string }
		p.eval(`[...document.querySelectorAll('#sla-table tbody tr[data-entity-id]')].map(r => ({
			entity: r.dataset.entityId, status: r.dataset.status,
			badge: r.querySelector('.badge').textContent,
			threshold: r.querySelector('.threshold').textContent,
			remaining: r.querySelector('.remaining').textContent}))`, &rows)
		timers := res.StreamState.SLACountdowns
		require.NotEmpty(t, timers)
		require.Len(t, rows, len(timers))
		for i, tm := range timers {
			assert.Equal(t, tm.EntityID, rows[i].Entity, "most urgent first")
			assert.Equal(t, tm.Status, rows[i].Status)
			assert.Equal(t, strings.ToUpper(tm.Status), rows[i].Badge, "the colour has a text label")
			assert.Equal(t, fmtNum(tm.SLAThresholdHours)+" h", rows[i].Threshold)
			if tm.TimeRemainingHours < 0 {
				assert.Contains(t, rows[i].Remaining, "overdue")
			} else {
				assert.Contains(t, rows[i].Remaining, "left")
			}
		}
		counts := p.figures("#sla-counts")
		sla := metricOf(t, res, "sla-countdown")
		by := sla.Breakdown["byStatus"].(map[string]float64)
		for _, k := range []string{"ok", "warning", "breach"} {
			assert.Equal(t, fmtNum(by[k]), counts[k], k)
		}
		p.screenshot("sla")
	})

	t.Run("workload", func(t *testing.T) {
		p.view("workload")
		res := p.snapshot(c, scope)
		var cards []struct {
			Operator, Name, Active string
			Sev                    map[string]string
		}
		p.eval(`[...document.querySelectorAll('#operators .card')].map(c => ({
			operator: c.dataset.operatorId, name: c.querySelector('h3').textContent,
			active: c.querySelector('.value').textContent,
			sev: Object.fromEntries([...c.querySelectorAll('dd[data-severity]')]
				.map(d => [d.dataset.severity, d.textContent]))}))`, &cards)
		rows := res.StreamState.WorkloadState
		require.NotEmpty(t, rows)
		require.Len(t, cards, len(rows))
		for i, o := range rows {
			assert.Equal(t, o.OperatorID, cards[i].Operator)
			if o.OperatorName != "" {
				assert.Equal(t, o.OperatorName, cards[i].Name)
			}
			assert.Equal(t, strconv.Itoa(o.ActiveTasks), cards[i].Active)
			for sev, n := range o.BySeverity {
				assert.Equal(t, strconv.Itoa(n), cards[i].Sev[sev], o.OperatorID+" "+sev)
			}
		}
		p.screenshot("workload")
	})

	t.Run("trends", func(t *testing.T) {
		p.view("trends")
		res := p.snapshot(c, scope)
		var bars []float64
		p.eval(`[...document.querySelectorAll('#trend-chart rect.bar-rect')].map(r => Number(r.dataset.value))`, &bars)
		ts := metricOf(t, res, "trend-signal")
		assert.Equal(t, ts.Breakdown["perMinute"], bars)
		var cats map[string][2]string
		p.eval(`Object.fromEntries([...document.querySelectorAll('#category-table tbody tr')].map(r =>
			[r.dataset.category, [r.querySelector('.recent').textContent, r.querySelector('.total').textContent]]))`, &cats)
		recent := ts.Breakdown["byCategory"].(map[string]float64)
		require.Len(t, cats, len(recent))
		for cat, n := range recent {
			assert.Equal(t, fmtNum(n), cats[cat][0], cat)
			assert.Equal(t, fmtNum(float64(res.StreamState.RollingMetrics.EventsByCategory[cat])), cats[cat][1], cat)
		}
		p.screenshot("trends")
	})

	t.Run("health", func(t *testing.T) {
		p.view("health")
		res := p.snapshot(c, scope)
		h := res.StreamState.StreamHealth
		shown := p.figures("#health-list")
		assert.Equal(t, clock(*h.LastEventReceived), shown["lastEventReceived"])
		assert.Equal(t, fmtNum(float64(h.EventLag))+" ms", shown["eventLag"])
		assert.Equal(t, fmtNum(float64(h.MissedEvents)), shown["missedEvents"])
		assert.Equal(t, fmtNum(float64(h.Duplicates)), shown["duplicates"])
		assert.Equal(t, fmtNum(float64(h.Pending))+" pending", shown["pending"])
		if h.IsActive {
			assert.True(t, strings.HasPrefix(shown["isActive"], "Yes"))
		} else {
			assert.True(t, strings.HasPrefix(shown["isActive"], "No"))
		}
		var rej map[string]string
		p.eval(`Object.fromEntries([...document.querySelectorAll('#rejections-table tbody tr')]
			.map(r => [r.dataset.reason, r.querySelector('td').textContent]))`, &rej)
		require.Len(t, rej, len(h.RejectedByReason))
		for k, n := range h.RejectedByReason {
			assert.Equal(t, fmtNum(float64(n)), rej[k], k)
		}
		hl, err := c.Health(context.Background())
		require.NoError(t, err)
		var consumers []string
		p.eval(`[...document.querySelectorAll('#consumers-table tbody tr')].map(r => r.dataset.consumer)`, &consumers)
		want := []string{}
		for _, ch := range hl.Consumers {
			want = append(want, ch.Category)
		}
		assert.Equal(t, want, consumers)
		p.screenshot("health")
	})

	t.Run("live update without reload", func(t *testing.T) {
		p.view("stream")
		p.eval(`window.__sameDocument = 'yes'`, new(string))
		feedBefore := p.refreshes("Feed")
		ev := newTask(alpha, 0)
		id := ev["eventId"].(string)
		r.publish(t, ev)
		p.waitFor(`document.querySelector('#stream-table tbody tr[data-event-id="` + id + `"]') !== null`)
		p.waitFor(fmt.Sprintf(`Number(document.body.dataset.refreshesFeed || 0) > %d`, feedBefore))
		var same string
		p.eval(`window.__sameDocument || 'reloaded'`, &same)
		assert.Equal(t, "yes", same, "the page updated in place")
		var first string
		p.eval(`document.querySelector('#stream-table tbody tr').dataset.eventId`, &first)
		assert.Equal(t, id, first, "the new event is the newest row")
		p.screenshot("stream-live")
	})

	t.Run("scope picker", func(t *testing.T) {
		var facilities []string
		p.eval(`[...document.querySelectorAll('#facilities option')].map(o => o.value)`, &facilities)
		assert.Contains(t, facilities, "facility-01", "options come from the events the user sees")
		p.do(
			chromedp.SetValue(chromedp.ID("scope-facility"), "facility-02"),
			chromedp.Click(chromedp.CSS(`#scope button[type=submit]`)),
		)
		narrowed := client.Scope{TenantID: alpha, FacilityID: "facility-02"}
		p.view("overview")
		res := p.snapshot(c, narrowed)
		var ov overview
		p.eval(overviewJS, &ov)
		require.Len(t, ov.Cards, len(res.Metrics))
		for i, m := range res.Metrics {
			assert.Equal(t, fmtNum(m.Value), ov.Cards[i].Value, "facility-02 "+m.Category.String())
		}
	})

	t.Run("stale mark when updates stop", func(t *testing.T) {
		// Updates stop: every call fails from now on, and the page's clock
		// jumps a minute ahead, past twice the shortest validity (10 s),
		// and runs five times as fast, so that a refresh still in flight
		// when the calls stopped cannot hold the mark at Live for long.
		p.eval(`window.__fetch = window.fetch; window.__now = Date.now;
			window.fetch = () => Promise.reject(new TypeError('offline'));
			const t0 = window.__now();
			Date.now = () => { const r = window.__now(); return r + 60000 + 4 * (r - t0); }; 'ok'`, new(string))
		p.waitFor(`document.getElementById('freshness').textContent.startsWith('STALE')`)
		assert.Contains(t, p.attr("#freshness", "class"), "stale")
		p.screenshot("stale")

		// Once calls succeed again, a refresh makes it live.
		p.eval(`window.fetch = window.__fetch; Date.now = window.__now; 'ok'`, new(string))
		p.do(chromedp.Click(chromedp.ID("refresh")))
		p.waitFor(`document.getElementById('freshness').textContent === 'Live'`)
	})

	t.Run("another tenant sees none of it", func(t *testing.T) {
		alphaRes, err := c.Query(context.Background(), client.Query{Scope: scope})
		require.NoError(t, err)
		alphaIDs := slices.Clone(alphaRes.References.EventIDs)
		for _, tm := range alphaRes.StreamState.SLACountdowns {
			alphaIDs = append(alphaIDs, tm.EntityID)
		}
		require.NotEmpty(t, alphaRes.StreamState.SLACountdowns)

		p.do(chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("signin")))
		eve := r.token(t, beta, "eve", allPerms...)
		n := p.refreshes("")
		p.signIn(eve)
		p.waitFor(fmt.Sprintf(`Number(document.body.dataset.refreshes || 0) > %d`, n))
		var text string
		p.eval(`document.body.innerText`, &text)
		assert.Contains(t, text, "eve @ tenant-beta")
		for _, id := range alphaIDs {
			assert.NotContains(t, text, id, "tenant-beta's own view")
		}

		p.do(
			chromedp.SetValue(chromedp.ID("scope-tenant"), alpha),
			chromedp.Click(chromedp.CSS(`#scope button[type=submit]`)),
		)
		p.waitFor(`document.getElementById('banner').dataset.status === '403'`)
		assert.Equal(t, "tenant-isolation", p.attr("#banner", "data-rule"))
		p.eval(`document.body.innerText`, &text)
		assert.Contains(t, text, "Forbidden (403)")
		var cards, rows int
		p.eval(`document.querySelectorAll('#cards .card').length`, &cards)
		p.eval(`document.querySelectorAll(
			'tr[data-event-id], tr[data-entity-id], [data-operator-id]').length`, &rows)
		assert.Zero(t, cards, "no figures")
		assert.Zero(t, rows, "no rows")
		for _, id := range alphaIDs {
			assert.NotContains(t, text, id)
		}
		p.screenshot("forbidden")
	})
}

func metricOf(t *testing.T, res *client.Result, cat string) *metrics.Metric {
	t.Helper()
	for i := range res.Metrics {
		if res.Metrics[i].Category.String() == cat {
			return &res.Metrics[i]
		}
	}
	t.Fatalf("no %s metric", cat)
	return nil
}
