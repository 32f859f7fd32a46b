package state

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
)

// Defaults of RegistryConfig.
const (
	DefaultMaxTenants  = 10000
	DefaultMailboxSize = 256
)

// Errors of the registry.
var (
	// ErrTenantLimit is returned by GetOrCreate when a new tenant would
	// pass RegistryConfig.MaxTenants.
	ErrTenantLimit = errors.New("state: tenant limit reached")
	// ErrClosed is returned once the registry has been closed.
	ErrClosed = errors.New("state: registry closed")
)

// RegistryConfig tunes a Registry. The zero value means the defaults.
type RegistryConfig struct {
	// Tenant configures every tenant's state.
	Tenant Config
	// MaxTenants caps the number of tenants; an event for a tenant beyond
	// it is rejected with reason tenant-limit. Default 10,000.
	MaxTenants int
	// MailboxSize bounds each actor's mailbox. The mailbox is allocated
	// whole when the tenant's actor starts (88 bytes an entry: 22 KiB per
	// tenant at the default, 220 MiB at 10,000 tenants). A full mailbox
	// blocks the sender (Apply, Reject, Read wait, or return their
	// context's error), so a slow tenant slows its consumers, whose
	// messages wait unacknowledged in JetStream, rather than growing
	// memory. 256 is half a consumer batch: a batch that lands on one
	// tenant waits for the actor once or twice, which costs little next
	// to applying it. Default 256.
	MailboxSize int
	// Applied is called after each live event is applied; see Applied.
	Applied Applied
	// OnPanic is told of a panic recovered while handling an entry, with
	// the tenant and the stream sequence of the event (0 for reads).
	OnPanic func(tenant string, seq uint64, v any)
}

// Registry creates tenant actors on first use and owns their goroutines.
//
// Registry is safe for concurrent use.
type Registry struct {
	cfg    RegistryConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	panics atomic.Uint64

	// mu guards actors. Held only to look up or add an actor, never while
	// talking to one.
	mu     sync.RWMutex
	actors map[string]*Actor
}

// NewRegistry returns an empty registry. Close stops its actors.
func NewRegistry(cfg RegistryConfig) (*Registry, error) {
	if err := cfg.Tenant.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxTenants <= 0 {
		cfg.MaxTenants = DefaultMaxTenants
	}
	if cfg.MailboxSize <= 0 {
		cfg.MailboxSize = DefaultMailboxSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Registry{
		cfg:    cfg,
		ctx:    ctx,
		cancel: cancel,
		actors: make(map[string]*Actor),
	}, nil
}

// Get returns the actor of tenant id, or nil when there is none yet.
func (r *Registry) Get(id string) *Actor {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.actors[id]
}

// GetOrCreate returns the actor of tenant id, creating it when needed. It
// returns ErrTenantLimit when creating one would pass MaxTenants, and
// ErrClosed after Close.
func (r *Registry) GetOrCreate(id string) (*Actor, error) {
	if a := r.Get(id); a != nil {
		return a, nil
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.actors[id]; a != nil {
		return a, nil
	}
	if r.ctx.Err() != nil {
		return nil, ErrClosed
	}
	if len(r.actors) >= r.cfg.MaxTenants {
		return nil, ErrTenantLimit
	}
	a := &Actor{
		id:      id,
		mailbox: make(chan envelope, r.cfg.MailboxSize),
		tenant:  NewTenant(id, r.cfg.Tenant),
		applied: r.cfg.Applied,
		panics:  &r.panics,
		onPanic: r.cfg.OnPanic,
		stopped: r.ctx.Done(),
	}
	r.actors[id] = a
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		a.run(r.ctx)
	}()
	return a, nil
}

// Len returns the number of tenants.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.actors)
}

// IDs returns the tenant ids in ascending order.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	ids := make([]string, 0, len(r.actors))
	for id := range r.actors {
		ids = append(ids, id)
	}
	r.mu.RUnlock()
	sort.Strings(ids)
	return ids
}

// Each calls fn for every actor, in no particular order, without holding
// the registry's lock while fn runs.
func (r *Registry) Each(fn func(*Actor)) {
	r.mu.RLock()
	actors := make([]*Actor, 0, len(r.actors))
	for _, a := range r.actors {
		actors = append(actors, a)
	}
	r.mu.RUnlock()
	for _, a := range actors {
		fn(a)
	}
}

// Panics returns how many panics the actors have recovered.
func (r *Registry) Panics() uint64 { return r.panics.Load() }

// Close stops every actor and waits for their goroutines to end. Entries
// still queued are dropped.
func (r *Registry) Close() {
	r.cancel()
	r.wg.Wait()
}
