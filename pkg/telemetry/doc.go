// Package telemetry exports the monitor's own health, and optionally a
// few live figures per tenant, as Prometheus metrics.
//
// # Usage
//
// Build the metrics on a registry the caller owns; nothing here touches
// the global default registry:
//
//	reg := telemetry.NewRegistry() // or any *prometheus.Registry
//	m, err := telemetry.New(reg, telemetry.Options{}, telemetry.Sources{
//		Pipeline: func() *consumer.Pipeline { ... },
//		Registry: func() *state.Registry { ... },
//	})
//	...
//	m.Applied(out)                       // on a tenant actor, per live event
//	m.ObserveRequest("query", "ok", d)   // per answered request
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Most series are read at scrape time from the Sources: the pipeline's
// running totals, its last polled consumer figures, the rebuild progress,
// the actors' mailbox depths. A source that returns nil (the service has
// not started yet) simply yields no series. Only the outcomes of live
// events and the request latencies are counted as they happen; both are
// pre-resolved counters, so the hot path allocates nothing.
//
// # Per-tenant figures
//
// /metrics has no per-tenant access control, so figures per tenant (open
// tasks, SLA timers by status, events per minute) are exported only when
// Options.TenantFigures is set, for at most Options.MaxTenantSeries
// tenants (the first in id order). They are computed at scrape time on
// each tenant's actor, bounded by Options.TenantTimeout. Operator ids
// never become labels.
//
// # Concurrency
//
// Metrics is safe for concurrent use. Applied and ObserveRequest may be
// called from any goroutine; scrapes run on the scraper's goroutine.
package telemetry
