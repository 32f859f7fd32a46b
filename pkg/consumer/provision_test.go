package consumer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
	"github.com/opsmonitor/monitor/pkg/event"
)

func TestProvisionCreatesStreamsAndConsumers(t *testing.T) {
	_, js := natstest.Conn(t, natstest.Server(t, ""))
	ctx := context.Background()
	require.NoError(t, Provision(ctx, js, Config{MaxAge: time.Hour}))

	s, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	cfg := s.CachedInfo().Config
	assert.Len(t, cfg.Subjects, event.NumCategories)
	assert.Contains(t, cfg.Subjects, "ops.events.task-lifecycle.*.*")
	assert.Equal(t, DefaultDuplicateWindow, cfg.Duplicates)
	assert.Equal(t, time.Hour, cfg.MaxAge)
	assert.Equal(t, jetstream.FileStorage, cfg.Storage)

	for _, c := range event.Categories {
		cons, err := js.Consumer(ctx, DefaultStream, "monitor-"+c.String())
		require.NoError(t, err)
		assert.Equal(t, jetstream.AckAllPolicy, cons.CachedInfo().Config.AckPolicy)
		assert.Equal(t, "ops.events."+c.String()+".*.*", cons.CachedInfo().Config.FilterSubject)
	}
	_, err = js.Stream(ctx, DefaultRejectedStream)
	require.NoError(t, err)

	// Provisioning again updates to the configured settings.
	require.NoError(t, Provision(ctx, js, Config{MaxAge: 2 * time.Hour}))
	s, err = js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Hour, s.CachedInfo().Config.MaxAge)

	// A publish outside the eight categories, or with the wrong number of
	// tokens, gets no stream acknowledgement.
	_, err = js.Publish(ctx, "ops.events.bogus.t._", []byte(`{}`))
	assert.Error(t, err)
	_, err = js.Publish(ctx, "ops.events.task-lifecycle.t", []byte(`{}`))
	assert.Error(t, err)
}

func TestProvisionRefusesAClashingStream(t *testing.T) {
	_, js := natstest.Conn(t, natstest.Server(t, ""))
	ctx := context.Background()
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LEGACY", Subjects: []string{"ops.>"}})
	require.NoError(t, err)

	err = Provision(ctx, js, Config{})
	require.ErrorIs(t, err, ErrSubjectClash)
	assert.Contains(t, err.Error(), "LEGACY")
}

func TestProvisionBindOnly(t *testing.T) {
	_, js := natstest.Conn(t, natstest.Server(t, ""))
	ctx := context.Background()

	err := Provision(ctx, js, Config{BindOnly: true})
	require.True(t, errors.Is(err, ErrNoStream), "missing stream: %v", err)

	// The site's own stream, with settings the monitor would not choose,
	// is used as it is.
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: DefaultStream, Subjects: []string{"ops.events.>"}, MaxMsgs: 1000})
	require.NoError(t, err)
	require.NoError(t, Provision(ctx, js, Config{BindOnly: true}))
	s, err := js.Stream(ctx, DefaultStream)
	require.NoError(t, err)
	assert.Equal(t, []string{"ops.events.>"}, s.CachedInfo().Config.Subjects)
	assert.Equal(t, int64(1000), s.CachedInfo().Config.MaxMsgs)
	_, err = js.Consumer(ctx, DefaultStream, "monitor-alert-lifecycle")
	assert.NoError(t, err, "the monitor's own consumers are still created")
}

func TestSubjectsOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"ops.events.task-lifecycle.*.*", "ops.events.task-lifecycle.*.*", true},
		{"ops.>", "ops.events.task-lifecycle.*.*", true},
		{"ops.events.*.t1.f1", "ops.events.task-lifecycle.*.*", true},
		{"ops.events.alert-lifecycle.*.*", "ops.events.task-lifecycle.*.*", false},
		{"ops.events.task-lifecycle.*", "ops.events.task-lifecycle.*.*", false},
		{"other.>", "ops.events.task-lifecycle.*.*", false},
		{">", "a", true},
	}
	for _, tc := range tests {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.want, subjectsOverlap(tc.a, tc.b))
			assert.Equal(t, tc.want, subjectsOverlap(tc.b, tc.a))
		})
	}
}
