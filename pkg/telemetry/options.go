package telemetry

import (
	"fmt"
	"time"

	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/state"
)

// Defaults of Options.
const (
	DefaultMaxTenantSeries = 100
	DefaultTenantTimeout   = 2 * time.Second
)

// Options tune the metrics. The zero value exports no per-tenant series.
type Options struct {
	// TenantFigures turns on the per-tenant series (open tasks, SLA
	// timers by status, events per minute). Off by default: /metrics has
	// no per-tenant access control.
	TenantFigures bool
	// MaxTenantSeries caps the tenants that get per-tenant series; the
	// rest are counted in monitor_tenant_figures_omitted. Default 100.
	MaxTenantSeries int
	// TenantTimeout bounds the time one scrape spends reading tenants;
	// tenants not read by then are omitted from that scrape. Default 2 s.
	TenantTimeout time.Duration
	// Now is the clock of the per-tenant figures. Default time.Now.
	Now func() time.Time
}

// Validate reports the first setting out of range.
func (o Options) Validate() error {
	if o.MaxTenantSeries < 0 {
		return fmt.Errorf("telemetry: MaxTenantSeries %d is negative", o.MaxTenantSeries)
	}
	if o.TenantTimeout < 0 {
		return fmt.Errorf("telemetry: TenantTimeout %v is negative", o.TenantTimeout)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.MaxTenantSeries == 0 {
		o.MaxTenantSeries = DefaultMaxTenantSeries
	}
	if o.TenantTimeout == 0 {
		o.TenantTimeout = DefaultTenantTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Sources are what the scrape-time series read. Each is called once per
// scrape; a nil func, or one that returns nil, yields no series for it.
// They must not block.
type Sources struct {
	// Pipeline returns the event pipeline, nil until it exists.
	Pipeline func() *consumer.Pipeline
	// Registry returns the tenant registry, nil until it exists.
	Registry func() *state.Registry
	// AuditBuffer returns the entries waiting in the audit writer's
	// buffer and the buffer's capacity; ok is false when there is no
	// writer yet.
	AuditBuffer func() (used, capacity int, ok bool)
	// Subscriptions returns the live managed subscriptions; ok is false
	// when there is no subscription manager yet.
	Subscriptions func() (n int, ok bool)
}

func (s Sources) pipeline() *consumer.Pipeline {
	if s.Pipeline == nil {
		return nil
	}
	return s.Pipeline()
}

func (s Sources) registry() *state.Registry {
	if s.Registry == nil {
		return nil
	}
	return s.Registry()
}
