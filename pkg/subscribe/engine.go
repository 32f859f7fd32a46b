package subscribe

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// Defaults and limits of Config and Request.
const (
	DefaultMaxPerTenant = 1000
	DefaultQueueLen     = 8192
	DefaultLease        = 300 * time.Second
	MaxLease            = 3600 * time.Second
	maxShards           = 16
)

// Headers of delivered messages, besides the republish headers
// Monitor-Stream-Seq and Monitor-Received-At.
const (
	HeaderSubscriptionID  = "Monitor-Subscription-Id"
	HeaderSubscriptionEnd = "Monitor-Subscription-End"
)

// Reasons carried by HeaderSubscriptionEnd on a subscription's last
// message.
const (
	EndExpired   = "expired"
	EndCancelled = "cancelled"
	EndShutdown  = "shutdown"
)

// Publisher sends one message; *nats.Conn is one. PublishMsg must not
// wait for subscribers (core NATS never does).
type Publisher interface {
	PublishMsg(m *nats.Msg) error
}

// Config configures an Engine. Only Publisher is required.
type Config struct {
	// Publisher delivers events and end signals. Required.
	Publisher Publisher
	// MaxPerTenant bounds a tenant's live subscriptions. Default 1000.
	MaxPerTenant int
	// Shards is the number of delivery goroutines; a subscription is
	// served by one of them, so its events stay in order. Default
	// GOMAXPROCS, at most 16.
	Shards int
	// QueueLen bounds each shard's queue of events waiting for delivery.
	// When it is full the event is dropped for that shard's matching
	// subscriptions and counted in their Dropped (ingest never waits).
	// Default 8192.
	QueueLen int
	// Now is the clock of leases. Default time.Now.
	Now func() time.Time
	// Logger receives lifecycle messages.
	Logger zerolog.Logger
}

// Owner is the user a subscription belongs to: the token's tenant and
// sub claims.
type Owner struct {
	TenantID string
	UserID   string
}

// Request creates a subscription.
type Request struct {
	// Filter selects the events; Filter.Scope.TenantID is required.
	Filter Filter
	// Owner is the requesting user; only it may renew or cancel.
	Owner Owner
	// Subject is where events go; empty means
	// monitor.subs.<tenant>.<subscription id>. The engine does not
	// validate it: the API does.
	Subject string
	// Lease is how long the subscription lives unless renewed; 0 means
	// DefaultLease, at most MaxLease.
	Lease time.Duration
	// Visibility filters the operator fields of every delivered event.
	Visibility policy.Visibility
}

// Info describes a live subscription.
type Info struct {
	ID        string
	Subject   string
	ExpiresAt time.Time
}

// Stats are the engine's counters.
type Stats struct {
	// Active is the number of live subscriptions.
	Active int
	// Delivered counts events published to subscribers.
	Delivered uint64
	// Dropped counts events a subscription matched but did not get: its
	// shard's queue was full, or the publish failed.
	Dropped uint64
	// Ended counts subscriptions that ended, by any reason.
	Ended uint64
}

// SubStats are one subscription's counters.
type SubStats struct {
	Delivered uint64
	Dropped   uint64
}

// Engine holds the live subscriptions, matches applied events against
// them and delivers the matches. Create it with New and stop it with
// Close.
type Engine struct {
	cfg    Config
	log    zerolog.Logger
	shards []*shard

	// tenants maps a tenant id to its *tenantEntry. Entries are never
	// removed (a tenant with no subscriptions keeps an empty index), so
	// Offer needs no lock.
	tenants sync.Map
	closing atomic.Bool

	mu sync.Mutex // guards the fields below
	// subs are the live subscriptions by id.
	subs map[string]*sub
	// byTenant are the live subscriptions of each tenant.
	byTenant map[string]map[string]*sub
	expiry   expiryHeap
	closed   bool

	delivered atomic.Uint64
	dropped   atomic.Uint64
	ended     atomic.Uint64

	wake  chan struct{} // cap 1: the earliest expiry changed
	stop  chan struct{} // closed by Close: the expiry loop ends
	quit  chan struct{} // closed by Close: shards drain and end
	ends  sync.WaitGroup
	wg    sync.WaitGroup
	close sync.Once
}

// sub is one live subscription.
type sub struct {
	id        string
	tenant    string
	owner     Owner
	subject   string
	requested string // the subject as requested; "" for the default
	filter    Filter // normalized
	m         matcher
	vis       atomic.Pointer[policy.Visibility]
	shard     *shard

	// expires and heapIdx are guarded by Engine.mu.
	expires time.Time
	heapIdx int

	// ended is owned by the shard's goroutine: set when the end signal
	// is sent, after which no event is delivered.
	ended bool

	delivered atomic.Uint64
	dropped   atomic.Uint64
}

// New checks cfg and starts the engine's goroutines: one per shard and
// one expiry loop. It fails with ErrInvalid when Publisher is nil.
func New(cfg Config) (*Engine, error) {
	if cfg.Publisher == nil {
		return nil, fmt.Errorf("%w: a publisher is required", ErrInvalid)
	}
	if cfg.MaxPerTenant <= 0 {
		cfg.MaxPerTenant = DefaultMaxPerTenant
	}
	if cfg.Shards <= 0 {
		cfg.Shards = min(runtime.GOMAXPROCS(0), maxShards)
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	e := &Engine{
		cfg:      cfg,
		log:      cfg.Logger.With().Str("component", "subscribe").Logger(),
		subs:     make(map[string]*sub),
		byTenant: make(map[string]map[string]*sub),
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		quit:     make(chan struct{}),
	}
	e.shards = make([]*shard, cfg.Shards)
	for i := range e.shards {
		e.shards[i] = &shard{e: e, q: make(chan item, cfg.QueueLen)}
	}
	for _, sh := range e.shards {
		e.wg.Add(1)
		go sh.run()
	}
	e.wg.Add(1)
	go e.expireLoop()
	return e, nil
}

// Create adds a subscription for req and returns its id, subject and
// expiry. It fails with ErrLimit when the tenant has MaxPerTenant live
// subscriptions, ErrInvalid for a lease out of range or a missing tenant
// or owner, and ErrClosed once Close has begun.
func (e *Engine) Create(req Request) (Info, error) {
	lease, err := checkLease(req.Lease)
	if err != nil {
		return Info{}, err
	}
	tenant := req.Filter.Scope.TenantID
	if tenant == "" || req.Owner.UserID == "" {
		return Info{}, fmt.Errorf("%w: tenant and owner are required", ErrInvalid)
	}
	f := req.Filter.normalize()
	s := &sub{
		id:        "sub-" + nuid.Next(),
		tenant:    tenant,
		owner:     req.Owner,
		requested: req.Subject,
		filter:    f,
		m:         compile(f),
	}
	s.subject = req.Subject
	if s.subject == "" {
		s.subject = "monitor.subs." + tenant + "." + s.id
	}
	vis := req.Visibility
	s.vis.Store(&vis)
	s.shard = e.shards[shardOf(s.id, len(e.shards))]

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return Info{}, ErrClosed
	}
	if len(e.byTenant[tenant]) >= e.cfg.MaxPerTenant {
		return Info{}, fmt.Errorf("%w: tenant %s has %d live subscriptions",
			ErrLimit, tenant, e.cfg.MaxPerTenant)
	}
	s.expires = e.cfg.Now().Add(lease)
	e.subs[s.id] = s
	set := e.byTenant[tenant]
	if set == nil {
		set = make(map[string]*sub)
		e.byTenant[tenant] = set
	}
	set[s.id] = s
	e.expiry.push(s)
	e.reindexLocked(tenant)
	e.wakeLocked()
	return s.infoLocked(), nil
}

// Renew extends the lease of subscription id by lease from now and
// replaces its visibility (the caller's permissions may have changed).
// The filter and requested subject must be those of the subscription.
// It fails with ErrNotFound when id is unknown or belongs to another
// owner or tenant, ErrFilterChanged when the filter or subject differ,
// and ErrInvalid or ErrClosed as Create does.
func (e *Engine) Renew(owner Owner, id string, req Request) (Info, error) {
	lease, err := checkLease(req.Lease)
	if err != nil {
		return Info{}, err
	}
	f := req.Filter.normalize()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return Info{}, ErrClosed
	}
	s, ok := e.subs[id]
	if !ok || s.owner != owner || s.tenant != f.Scope.TenantID {
		return Info{}, ErrNotFound
	}
	if !s.filter.equal(f) || s.requested != req.Subject {
		return Info{}, ErrFilterChanged
	}
	vis := req.Visibility
	s.vis.Store(&vis)
	s.expires = e.cfg.Now().Add(lease)
	e.expiry.fix(s)
	e.wakeLocked()
	return s.infoLocked(), nil
}

// Cancel ends subscription id of tenant: it is removed at once and its
// end signal "cancelled" follows the events already queued for it. It
// fails with ErrNotFound when id is unknown or belongs to another owner
// or tenant, and with ErrClosed once Close has begun.
func (e *Engine) Cancel(owner Owner, tenant, id string) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	s, ok := e.subs[id]
	if !ok || s.owner != owner || s.tenant != tenant {
		e.mu.Unlock()
		return ErrNotFound
	}
	e.removeLocked(s)
	e.ends.Add(1)
	e.mu.Unlock()

	e.sendEnd(s, EndCancelled)
	return nil
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	active := len(e.subs)
	e.mu.Unlock()
	return Stats{
		Active:    active,
		Delivered: e.delivered.Load(),
		Dropped:   e.dropped.Load(),
		Ended:     e.ended.Load(),
	}
}

// Count returns the number of tenant's live subscriptions.
func (e *Engine) Count(tenant string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.byTenant[tenant])
}

// Lookup returns the counters of live subscription id, and false when
// there is none.
func (e *Engine) Lookup(id string) (SubStats, bool) {
	e.mu.Lock()
	s, ok := e.subs[id]
	e.mu.Unlock()
	if !ok {
		return SubStats{}, false
	}
	return SubStats{Delivered: s.delivered.Load(), Dropped: s.dropped.Load()}, true
}

// Close ends every subscription with the end signal "shutdown", waits
// until the shards have published what they hold, and stops the
// engine's goroutines. Events offered afterwards are ignored; the caller
// flushes the connection. Close is idempotent.
func (e *Engine) Close() {
	e.close.Do(func() {
		e.closing.Store(true)
		e.mu.Lock()
		e.closed = true
		all := make([]*sub, 0, len(e.subs))
		for _, s := range e.subs {
			all = append(all, s)
		}
		for _, s := range all {
			e.removeLocked(s)
		}
		e.ends.Add(len(all))
		e.mu.Unlock()

		close(e.stop)
		for _, s := range all {
			e.sendEnd(s, EndShutdown)
		}
		e.ends.Wait()
		close(e.quit)
		e.wg.Wait()
		e.log.Info().Int("subscriptions", len(all)).Msg("subscriptions ended for shutdown")
	})
}

// Offer hands an applied event to the engine. It is called on the
// tenant's actor goroutine, so it only looks the tenant and category up
// in an immutable index and queues the event on the shards that serve
// candidate subscriptions; it never blocks. Matching, the visibility
// filter and publishing happen on the shards.
func (e *Engine) Offer(ev *event.Event, meta event.Meta) {
	if e.closing.Load() || ev.Category >= event.NumCategories {
		return
	}
	v, ok := e.tenants.Load(ev.TenantID)
	if !ok {
		return
	}
	idx := v.(*tenantEntry).idx.Load()
	if idx == nil {
		return
	}
	for _, g := range idx.byCat[ev.Category] {
		select {
		case g.shard.q <- item{ev: ev, meta: meta, subs: g.subs}:
		default:
			e.overflow(ev, g.subs)
		}
	}
}

// overflow counts ev as dropped for each subscription of subs it
// matches; it runs only when a shard queue is full.
func (e *Engine) overflow(ev *event.Event, subs []*sub) {
	for _, s := range subs {
		if s.m.match(ev) {
			s.dropped.Add(1)
			e.dropped.Add(1)
		}
	}
}

// removeLocked takes s out of the maps, the expiry heap and the index.
func (e *Engine) removeLocked(s *sub) {
	delete(e.subs, s.id)
	delete(e.byTenant[s.tenant], s.id)
	e.expiry.remove(s)
	e.reindexLocked(s.tenant)
}

// sendEnd queues s's end signal behind the events already queued for
// it. It blocks while the shard's queue is full: an end signal is never
// dropped. The caller has done e.ends.Add(1).
func (e *Engine) sendEnd(s *sub, reason string) {
	defer e.ends.Done()
	s.shard.q <- item{end: reason, sub: s}
}

// wakeLocked tells the expiry loop to look at the heap again.
func (e *Engine) wakeLocked() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (s *sub) infoLocked() Info {
	return Info{ID: s.id, Subject: s.subject, ExpiresAt: s.expires}
}

func checkLease(d time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return DefaultLease, nil
	case d < 0 || d > MaxLease:
		return 0, fmt.Errorf("%w: lease %s is not in (0, %s]", ErrInvalid, d, MaxLease)
	}
	return d, nil
}

// shardOf spreads subscription ids over n shards (FNV-1a).
func shardOf(id string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}
