package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}

// The series read from the pipeline at scrape time.
var (
	consumedDesc = desc("events_consumed_total",
		"Messages read from the ingest stream since start, rebuild included (accepted plus rejected).")
	acceptedDesc = desc("events_accepted_total",
		"Messages that passed validation and went to a tenant actor, rebuild included.")
	rejectedDesc = desc("events_rejected_total",
		"Messages rejected, by reason code, rebuild included.", "reason")
	skippedDesc = desc("events_redelivered_skipped_total",
		"Redeliveries of events already applied, skipped.")
	gapsDesc = desc("delivery_gaps_total",
		"Lost deliveries detected and recovered by restarting a consumer.")
	ackBatchesDesc = desc("ack_batches_total",
		"Cumulative acknowledgements sent.")
	panicsDesc = desc("panics_total",
		"Panics recovered, by component (pipeline, actor).", "component")

	pendingDesc = desc("consumer_pending",
		"Messages not yet delivered to the durable consumer of a category, as last polled.", "category")
	ackPendingDesc = desc("consumer_ack_pending",
		"Messages delivered but not acknowledged on a category's consumer, as last polled.", "category")
	redeliveredDesc = desc("consumer_redelivered",
		"Messages redelivered at least once on a category's consumer, as last polled.", "category")
	missingDesc = desc("consumer_missing",
		"1 when a category's durable consumer was not found at the last poll.", "category")

	rebuildDoneDesc = desc("rebuild_done",
		"1 once the start-up rebuild has caught up with the stream.")
	rebuildAppliedDesc = desc("rebuild_applied",
		"Events replayed by the start-up rebuild so far.")
	rebuildTargetDesc = desc("rebuild_target",
		"Events the start-up rebuild has to replay.")
)

// pipelineCollector reads the pipeline's totals, consumer figures and
// rebuild progress. Cost per scrape: a copy of eight consumer records.
type pipelineCollector struct {
	src Sources
}

// Describe implements prometheus.Collector.
func (c *pipelineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		consumedDesc, acceptedDesc, rejectedDesc, skippedDesc, gapsDesc,
		ackBatchesDesc, panicsDesc, pendingDesc, ackPendingDesc,
		redeliveredDesc, missingDesc, rebuildDoneDesc, rebuildAppliedDesc,
		rebuildTargetDesc,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *pipelineCollector) Collect(ch chan<- prometheus.Metric) {
	p := c.src.pipeline()
	if p == nil {
		return
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}

	st := p.Stats()
	consumed := st.Accepted
	for _, r := range event.Reasons {
		consumed += st.Rejected[r]
		counter(rejectedDesc, st.Rejected[r], r.String())
	}
	counter(consumedDesc, consumed)
	counter(acceptedDesc, st.Accepted)
	counter(skippedDesc, st.Skipped)
	counter(gapsDesc, st.Gaps)
	counter(ackBatchesDesc, st.AckBatches)
	counter(panicsDesc, st.Panics, "pipeline")
	if r := c.src.registry(); r != nil {
		counter(panicsDesc, r.Panics(), "actor")
	}

	for _, h := range p.Consumers() {
		gauge(pendingDesc, float64(h.Pending), h.Category)
		gauge(ackPendingDesc, float64(h.AckPending), h.Category)
		gauge(redeliveredDesc, float64(h.Redelivered), h.Category)
		gauge(missingDesc, boolValue(h.Missing), h.Category)
	}

	pr := p.Progress()
	gauge(rebuildDoneDesc, boolValue(pr.Done))
	gauge(rebuildAppliedDesc, float64(pr.Applied))
	gauge(rebuildTargetDesc, float64(pr.Target))
}

// The series read from the tenant registry at scrape time.
var (
	tenantsDesc = desc("tenants",
		"Tenants the monitor tracks.")
	depthMaxDesc = desc("actor_mailbox_depth_max",
		"Entries waiting in the fullest tenant actor mailbox.")
	depthSumDesc = desc("actor_mailbox_depth_sum",
		"Entries waiting in all tenant actor mailboxes together.")
)

// actorCollector walks the actors for their mailbox depths. Cost per
// scrape: one pass over the tenants, reading a channel length each; no
// actor is asked anything, so a stuck actor cannot stall a scrape.
type actorCollector struct {
	src Sources
}

// Describe implements prometheus.Collector.
func (c *actorCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tenantsDesc
	ch <- depthMaxDesc
	ch <- depthSumDesc
}

// Collect implements prometheus.Collector.
func (c *actorCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.src.registry()
	if r == nil {
		return
	}
	var n, maxDepth, sum int
	r.Each(func(a *state.Actor) {
		d := a.Depth()
		n++
		sum += d
		maxDepth = max(maxDepth, d)
	})
	ch <- prometheus.MustNewConstMetric(tenantsDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(depthMaxDesc, prometheus.GaugeValue, float64(maxDepth))
	ch <- prometheus.MustNewConstMetric(depthSumDesc, prometheus.GaugeValue, float64(sum))
}

// The series read from the hooks at scrape time.
var (
	auditUsedDesc = desc("audit_buffer_used",
		"Audit entries accepted and not yet written.")
	auditCapDesc = desc("audit_buffer_capacity",
		"Capacity of the audit writer's buffer; entries beyond it are dropped.")
	subscriptionsDesc = desc("subscriptions",
		"Live managed subscriptions.")
)

// hookCollector reads the audit buffer and subscription hooks.
type hookCollector struct {
	src Sources
}

// Describe implements prometheus.Collector.
func (c *hookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- auditUsedDesc
	ch <- auditCapDesc
	ch <- subscriptionsDesc
}

// Collect implements prometheus.Collector.
func (c *hookCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.AuditBuffer != nil {
		if used, capacity, ok := c.src.AuditBuffer(); ok {
			ch <- prometheus.MustNewConstMetric(auditUsedDesc, prometheus.GaugeValue, float64(used))
			ch <- prometheus.MustNewConstMetric(auditCapDesc, prometheus.GaugeValue, float64(capacity))
		}
	}
	if c.src.Subscriptions != nil {
		if n, ok := c.src.Subscriptions(); ok {
			ch <- prometheus.MustNewConstMetric(subscriptionsDesc, prometheus.GaugeValue, float64(n))
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
