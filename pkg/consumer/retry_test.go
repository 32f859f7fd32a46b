package consumer

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
)

func TestRetryTransient(t *testing.T) {
	calls := 0
	err := retryTransient(context.Background(), func(context.Context) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("taking lease: %w", jetstream.ErrNoStreamResponse)
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, calls, "transient errors are tried again")

	calls = 0
	permanent := errors.New("permission denied")
	err = retryTransient(context.Background(), func(context.Context) error {
		calls++
		return permanent
	})
	assert.ErrorIs(t, err, permanent)
	assert.Equal(t, 1, calls, "other errors are returned at once")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = retryTransient(ctx, func(context.Context) error { return jetstream.ErrNoStreamResponse })
	assert.Error(t, err)
}
