package audit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultMaxTenants bounds the tenants a Tally tracks: twice the
// monitor's default tenant cap, so hostile tenant ids in error entries
// cannot grow it without end.
const DefaultMaxTenants = 20000

// Totals are a tenant's audit-trail totals of api.md's statistics.
type Totals struct {
	// MetricsComputed counts metric-computed entries.
	MetricsComputed uint64 `json:"metricsComputed"`
	// PolicyAllowed counts policy-decision entries that allowed.
	PolicyAllowed uint64 `json:"policyAllowed"`
	// PolicyDenied counts policy-decision entries that denied.
	PolicyDenied uint64 `json:"policyDenied"`
	// Errors counts error entries.
	Errors uint64 `json:"errors"`
}

// TallyConfig tunes a Tally. The zero value is valid.
type TallyConfig struct {
	// MaxTenants bounds the tenants tracked. Default 20,000. Entries of
	// further tenants are not counted; Untracked says how many.
	MaxTenants int
}

// Tally keeps per-tenant counters of metric-computed, policy-decision
// and error entries, and a per-second ring of metric-computed entries by
// entry time. A Writer feeds it through WriterConfig.Tally; after a
// start, Rebuild fills it from the trail. Safe for concurrent use.
type Tally struct {
	max int

	// mu guards the fields below it.
	mu        sync.Mutex
	tenants   map[string]*tenantTally
	untracked uint64
}

type tenantTally struct {
	totals  Totals
	metrics Minutes // metric-computed entries by entry time
}

// NewTally returns an empty Tally.
func NewTally(cfg TallyConfig) *Tally {
	if cfg.MaxTenants <= 0 {
		cfg.MaxTenants = DefaultMaxTenants
	}
	return &Tally{max: cfg.MaxTenants, tenants: map[string]*tenantTally{}}
}

// Observe counts e. Other types than those of Totals are ignored.
func (t *Tally) Observe(e Entry) {
	switch e.Type {
	case TypeMetricComputed, TypePolicyDecision, TypeError:
	default:
		return
	}

	t.mu.Lock()
	defer t.mu.Unlock()

	tt := t.tenants[e.TenantID]
	if tt == nil {
		if len(t.tenants) >= t.max {
			t.untracked++
			return
		}
		tt = &tenantTally{}
		t.tenants[e.TenantID] = tt
	}

	switch {
	case e.Type == TypeMetricComputed:
		tt.totals.MetricsComputed++
		tt.metrics.Add(e.Time)
	case e.Type == TypeError:
		tt.totals.Errors++
	case e.Decision == DecisionAllowed:
		tt.totals.PolicyAllowed++
	case e.Decision == DecisionDenied:
		tt.totals.PolicyDenied++
	}
}

// Counters returns the tenant's totals; zero for an unknown tenant.
func (t *Tally) Counters(tenant string) Totals {
	t.mu.Lock()
	defer t.mu.Unlock()

	if tt := t.tenants[tenant]; tt != nil {
		return tt.totals
	}
	return Totals{}
}

// MetricsPerMinute returns the tenant's metric-computed entries whose
// time falls in the last 60 s up to now (current) and in the 60 s
// before (previous), at one-second resolution.
func (t *Tally) MetricsPerMinute(tenant string,
	now time.Time) (current, previous int) {
	t.mu.Lock()
	defer t.mu.Unlock()

	tt := t.tenants[tenant]
	if tt == nil {
		return 0, 0
	}
	return tt.metrics.PerMinute(now)
}

// Untracked returns how many entries were not counted because the
// tenant cap was reached.
func (t *Tally) Untracked() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()

	return t.untracked
}

// Rebuild counts the trail of cfg's stream into t, reading until it
// reaches the stream's end. Call it once, before a Writer records with
// t, or entries are counted twice. Entries that the writer accepted but
// never stored (WriterStats.Failed) are counted live and not after a
// rebuild. Its cost is one pass over the stream's
// metric-computed, policy-decision and error entries (up to MaxAge of
// them, 30 days by default), decoding each. It fails with ctx's error
// or JetStream's; t then holds what was counted so far.
func (t *Tally) Rebuild(ctx context.Context, js jetstream.JetStream,
	cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()

	filters := []string{
		LogSubjectPrefix + "*." + string(TypeMetricComputed),
		LogSubjectPrefix + "*." + string(TypePolicyDecision),
		LogSubjectPrefix + "*." + string(TypeError),
	}

	sc, err := newScanner(ctx, js, cfg.Stream, filters, 1, nil)
	if err != nil {
		return fmt.Errorf("rebuilding audit totals: %w", err)
	}
	for {
		batch, end, err := sc.fetch(4096)
		if err != nil {
			return fmt.Errorf("rebuilding audit totals: %w", err)
		}
		var es []Entry
		for _, m := range batch {
			es, _ = m.entries(es[:0], false, 0)
			for _, e := range es {
				t.Observe(e)
			}
		}
		if end {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
