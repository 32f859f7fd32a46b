package telemetry

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/state"
)

// slaStatuses are the byStatus keys of sla-countdown, exported in this
// order.
var slaStatuses = []string{"ok", "warning", "breach"}

// tenantReaders bounds the actors one scrape asks at once, so that a
// scrape never floods the mailboxes.
const tenantReaders = 4

// The per-tenant series.
var (
	openTasksDesc = desc("tenant_open_tasks",
		"Open tasks of a tenant, assigned or not (active-tasks).", "tenant")
	slaTimersDesc = desc("tenant_sla_timers",
		"SLA timers of a tenant's open tasks and alerts, by status (ok, warning, breach).",
		"tenant", "status")
	eventsPerMinuteDesc = desc("tenant_events_per_minute",
		"Events of a tenant accepted in the last minute of event time.", "tenant")
	omittedDesc = desc("tenant_figures_omitted",
		"Tenants left out of the per-tenant series in this scrape: over the cap or too slow to answer.")
)

// tenantFigures are one tenant's figures, computed on its actor.
type tenantFigures struct {
	id              string
	openTasks       float64
	slaTimers       [3]float64
	eventsPerMinute float64
}

// tenantCollector computes the per-tenant series on the actors at scrape
// time. Cost per scrape: sorting the tenant ids, then for at most
// MaxTenantSeries tenants one pass over their open tasks and alerts and
// the last two minutes of counts, all within TenantTimeout.
type tenantCollector struct {
	src  Sources
	opts Options
	mopt metrics.Options
}

func newTenantCollector(src Sources, opts Options) *tenantCollector {
	return &tenantCollector{
		src:  src,
		opts: opts,
		// Ids are never exported: skip drawing random ones.
		mopt: metrics.Options{NewID: func() string { return "" }},
	}
}

// Describe implements prometheus.Collector.
func (c *tenantCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- openTasksDesc
	ch <- slaTimersDesc
	ch <- eventsPerMinuteDesc
	ch <- omittedDesc
}

// Collect implements prometheus.Collector.
func (c *tenantCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.src.registry()
	if r == nil {
		return
	}
	ids := r.IDs()
	if len(ids) > c.opts.MaxTenantSeries {
		ids = ids[:c.opts.MaxTenantSeries]
	}

	figs := c.read(r, ids)
	for _, f := range figs {
		gauge(ch, openTasksDesc, f.openTasks, f.id)
		for i, s := range slaStatuses {
			gauge(ch, slaTimersDesc, f.slaTimers[i], f.id, s)
		}
		gauge(ch, eventsPerMinuteDesc, f.eventsPerMinute, f.id)
	}
	gauge(ch, omittedDesc, float64(r.Len()-len(figs)))
}

// read computes the figures of ids with a few readers in parallel and
// returns those that answered within the timeout.
func (c *tenantCollector) read(r *state.Registry, ids []string) []tenantFigures {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.TenantTimeout)
	defer cancel()
	now := c.opts.Now()

	out := make([]tenantFigures, len(ids))
	ok := make([]bool, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(tenantReaders, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a := r.Get(ids[i])
				if a == nil {
					continue
				}
				err := a.Read(ctx, func(t *state.Tenant) {
					out[i] = c.compute(t, now)
				})
				ok[i] = err == nil
			}
		}()
	}
feed:
	for i := range ids {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	figs := out[:0]
	for i, f := range out {
		if ok[i] {
			figs = append(figs, f)
		}
	}
	return figs
}

// compute runs on the tenant's actor.
func (c *tenantCollector) compute(t *state.Tenant, now time.Time) tenantFigures {
	scope := metrics.Scope{TenantID: t.ID()}
	f := tenantFigures{id: t.ID()}
	f.openTasks = metrics.Compute(t, metrics.ActiveTasks, scope, now, c.mopt).Value
	sla := metrics.Compute(t, metrics.SLACountdown, scope, now, c.mopt)
	if by, ok := sla.Breakdown["byStatus"].(map[string]float64); ok {
		for i, s := range slaStatuses {
			f.slaTimers[i] = by[s]
		}
	}
	f.eventsPerMinute = metrics.Compute(t, metrics.CrossEnginePerformance, scope, now, c.mopt).Value
	return f
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}
