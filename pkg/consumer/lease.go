package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of LeaseConfig.
const (
	DefaultLeaseBucket = "MONITOR_LEASE"
	DefaultLeaseTTL    = 15 * time.Second
)

// LeaseConfig names the key-value lease that keeps one monitor instance
// active per stream.
type LeaseConfig struct {
	// Bucket is the KV bucket. Default "MONITOR_LEASE".
	Bucket string
	// Key is the lease's key, normally the ingest stream's name.
	Key string
	// Holder identifies this instance in the lease's value.
	Holder string
	// TTL is how long a lease outlives its holder's last renewal; the
	// holder renews at a third of it. Default 15 s.
	TTL time.Duration
	// Replicas of the bucket. Default 1.
	Replicas int
}

// Lease is held by the one active instance. A standby instance waits in
// AcquireLease until the holder releases the lease or stops renewing it.
//
// Lease is not safe for concurrent use; Keep runs on one goroutine.
type Lease struct {
	kv  jetstream.KeyValue
	cfg LeaseConfig
	rev uint64
}

// AcquireLease blocks until this instance holds the lease or ctx ends.
// Errors of a cluster still settling (a bucket just created without a
// leader yet) are retried for about half a minute.
// standby is called once, when the lease is found held by another
// instance, with that instance's holder id.
func AcquireLease(ctx context.Context, js jetstream.JetStream, cfg LeaseConfig, standby func(holder string)) (*Lease, error) {
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultLeaseBucket
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultLeaseTTL
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	var kv jetstream.KeyValue
	err := retryTransient(ctx, func(ctx context.Context) (err error) {
		kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      cfg.Bucket,
			Description: "Which monitor instance is active, per ingest stream",
			TTL:         cfg.TTL,
			History:     1,
			Replicas:    cfg.Replicas,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("opening lease bucket %s: %w", cfg.Bucket, err)
	}

	told := false
	for {
		var rev uint64
		err := retryTransient(ctx, func(ctx context.Context) (err error) {
			rev, err = kv.Create(ctx, cfg.Key, []byte(cfg.Holder))
			return err
		})
		if err == nil {
			return &Lease{kv: kv, cfg: cfg, rev: rev}, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("taking lease %s: %w", cfg.Key, err)
		}
		if !told && standby != nil {
			holder := "unknown"
			if e, err := kv.Get(ctx, cfg.Key); err == nil {
				holder = string(e.Value())
			}
			standby(holder)
			told = true
		}
		select {
		case <-time.After(cfg.TTL / 3):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Keep renews the lease until ctx ends, and returns ErrLeaseLost when a
// renewal fails because another instance holds the lease. A renewal that
// fails for another reason is retried until the lease would expire.
func (l *Lease) Keep(ctx context.Context) error {
	tick := time.NewTicker(l.cfg.TTL / 3)
	defer tick.Stop()
	lastOK := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		rev, err := l.kv.Update(ctx, l.cfg.Key, []byte(l.cfg.Holder), l.rev)
		if errors.Is(err, jetstream.ErrKeyExists) {
			// An earlier renewal may have been stored while its answer
			// was lost (a leader election): the lease is still ours if
			// the key says so.
			if e, gerr := l.kv.Get(ctx, l.cfg.Key); gerr == nil && string(e.Value()) == l.cfg.Holder {
				rev, err = e.Revision(), nil
			}
		}
		switch {
		case err == nil:
			l.rev, lastOK = rev, time.Now()
		case errors.Is(err, jetstream.ErrKeyExists) || time.Since(lastOK) > l.cfg.TTL:
			return fmt.Errorf("%w: %v", ErrLeaseLost, err)
		}
	}
}

// Release gives the lease up so that a standby can take it at once.
func (l *Lease) Release(ctx context.Context) error {
	return l.kv.Delete(ctx, l.cfg.Key, jetstream.LastRevision(l.rev))
}
