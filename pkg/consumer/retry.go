package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// transient reports whether err is one a JetStream cluster gives while it
// is still settling (a stream that has just been created has no leader
// yet, a request timed out): worth trying again rather than giving up.
func transient(err error) bool {
	return errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, context.DeadlineExceeded)
}

// startupAttempts bounds the tries of a start-up step; with the backoff
// below they span about half a minute.
const startupAttempts = 8

// retryTransient runs fn until it succeeds, fails for a reason that is
// not transient, the attempts run out, or ctx ends; it returns fn's last
// error (or ctx's).
func retryTransient(ctx context.Context, fn func(context.Context) error) error {
	wait := 250 * time.Millisecond
	var err error
	for range startupAttempts {
		if err = fn(ctx); err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 8*time.Second)
	}
	return err
}
