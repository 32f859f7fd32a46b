// Package subscribe runs the monitor's managed subscriptions: each one
// a filter over a tenant's events, owned by the user who made it, with a
// lease, delivering the matching events (after that user's visibility
// filter) to one NATS subject in the order they were applied.
//
// # Usage
//
//	e, err := subscribe.New(subscribe.Config{Publisher: nc})
//	defer e.Close() // ends every subscription with "shutdown"
//	info, err := e.Create(subscribe.Request{Filter: f, Owner: o, Visibility: vis})
//	// on every applied event, from the tenant's actor:
//	e.Offer(ev, meta)
//	info, err = e.Renew(o, info.ID, sameRequest)
//	err = e.Cancel(o, tenant, info.ID)
//
// # Matching and delivery
//
// Each tenant has an immutable index of its subscriptions by event
// category and delivery shard, replaced whole when a subscription comes
// or goes. Offer, which runs on the tenant's actor between two events,
// only reads that index and queues the event once per shard that has a
// candidate; it never scans other tenants' or other categories'
// subscriptions and never waits. Each shard is one goroutine that
// matches the candidates, applies policy.StripOperatorFields with the
// subscription's Visibility and publishes. A subscription always lives
// on the same shard, so its events keep their order.
//
// # Bounds and drops
//
// A shard's queue holds Config.QueueLen events. When it is full, the
// event is dropped for that shard's matching subscriptions and counted
// (Stats.Dropped, and per subscription in Lookup); ingest is never held
// up. Counting per subscription means matching the event on the drop
// path, a few nanoseconds per candidate subscription. Publishing is core NATS and never waits for a subscriber: a slow
// or vanished subscriber costs the monitor nothing beyond its
// subscription record, and the server cuts off a client that does not
// keep up (its slow-consumer limit).
//
// # Leases and the end signal
//
// One goroutine ends subscriptions whose lease ran out, from a heap
// ordered by lease end. Expiry, Cancel and Close queue a last message
// (empty body, header Monitor-Subscription-End: expired, cancelled or
// shutdown) behind the events already queued for the subscription; no
// event follows it.
//
// Subscriptions live in memory only. A clean stop (Close) ends each with
// "shutdown", and clients subscribe again once the monitor is back; a
// crash sends nothing, and the client notices when its next renewal
// answers 404.
//
// # Concurrency
//
// An Engine is safe for concurrent use. It owns its goroutines (the
// shards and the expiry loop); Close stops them and waits for them.
package subscribe
