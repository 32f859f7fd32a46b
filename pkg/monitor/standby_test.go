package monitor

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
)

// TestSecondInstanceStaysStandby runs two monitors on one NATS server:
// the second waits as a standby, consuming nothing, and takes over once
// the first stops.
func TestSecondInstanceStaysStandby(t *testing.T) {
	ns := natstest.Server(t, "")
	start := func(name string) (*Service, context.CancelFunc, chan error) {
		cfg := Config{
			NATSURL:  ns.ClientURL(),
			DataDir:  t.TempDir(),
			HTTPAddr: HTTPOff,
			Auth:     AuthConfig{DevAuth: true},
			LeaseTTL: 3 * time.Second,
			Instance: name,
		}
		svc, err := New(cfg, zerolog.Nop())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		stopped := make(chan struct{})
		go func() {
			done <- svc.Run(ctx)
			close(stopped)
		}()
		t.Cleanup(func() {
			cancel()
			<-stopped
		})
		return svc, cancel, done
	}

	first, stopFirst, firstDone := start("first")
	<-first.Ready()
	second, _, _ := start("second")

	natstest.Eventually(t, 10*time.Second, func() bool { return second.Status() == StatusStandby }, "second on standby")
	// Well past the lease TTL the first still holds the lease.
	time.Sleep(4 * time.Second)
	assert.Equal(t, StatusStandby, second.Status())
	assert.Nil(t, second.Registry(), "a standby builds no state")

	stopFirst()
	require.NoError(t, <-firstDone)
	select {
	case <-second.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("the standby did not take over")
	}
	natstest.Eventually(t, 10*time.Second, func() bool { return second.Status() == StatusOK }, "second active")
}
