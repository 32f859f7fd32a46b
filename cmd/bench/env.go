package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/monitor"
)

// env is the benchmark's world: one embedded JetStream server with its
// own temporary store, a client connection for the publishers and the
// baselines, and the monitor services started against it.
type env struct {
	dir string
	ns  *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream
	log zerolog.Logger

	services int // services started, to name their data directories
}

func newEnv(dir string, log zerolog.Logger) (*env, error) {
	ns, err := monitor.StartEmbedded(monitor.EmbeddedConfig{
		Listen:   "127.0.0.1:-1",
		StoreDir: filepath.Join(dir, "jetstream"),
	})
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, ns: ns, log: log}
	e.nc, e.js, err = e.connect("bench-publisher")
	if err != nil {
		ns.Shutdown()
		return nil, err
	}
	return e, nil
}

// connect opens a new TCP connection to the server, as a separate
// process would.
func (e *env) connect(name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(e.ns.ClientURL(), nats.Name(name))
	if err != nil {
		return nil, nil, fmt.Errorf("connecting %s: %w", name, err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

func (e *env) close() {
	if e.nc != nil {
		e.nc.Close()
	}
	e.ns.Shutdown()
	e.ns.WaitForShutdown()
}

// provision creates the ingest stream and the monitor's consumers ahead
// of the first service, so that events can be published before it runs.
func (e *env) provision(ctx context.Context) error {
	return consumer.Provision(ctx, e.js, consumer.Config{})
}

// publish sends n events, event k made by next(k), through JetStream
// asynchronous publishing and waits for every acknowledgement. It returns
// the publish rate.
func (e *env) publish(ctx context.Context, n int,
	next func(k int) generated) (float64, error) {
	var failed atomic.Int64
	js, err := jetstream.New(e.nc,
		jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncErrHandler(
			func(jetstream.JetStream, *nats.Msg, error) { failed.Add(1) }))
	if err != nil {
		return 0, err
	}

	start := time.Now()
	for k := range n {
		// A loaded server may keep 4,096 publishes unacknowledged for a
		// while: wait for room rather than fail.
		if _, err := js.PublishMsgAsync(next(k).msg(),
			jetstream.WithStallWait(time.Minute)); err != nil {
			return 0, fmt.Errorf("publishing event %d: %w", k, err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(2 * time.Minute):
		return 0, errors.New("publish acknowledgements did not all arrive")
	}
	rate := float64(n) / time.Since(start).Seconds()
	if f := failed.Load(); f > 0 {
		return rate, fmt.Errorf("%d of %d publishes failed", f, n)
	}
	return rate, nil
}

// service is one monitor started by the benchmark.
type service struct {
	svc     *monitor.Service
	dataDir string // holds the service's dev key
	cancel  context.CancelFunc
	done    chan error
	// ready is when the service's pipeline existed: the stream,
	// consumers and lease were in place and the rebuild about to start.
	ready time.Time
}

// startService starts a monitor against the env's server, with its own
// data directory (the dev key lives there), and waits until its pipeline
// exists.
func (e *env) startService(ctx context.Context) (*service, error) {
	e.services++
	dataDir := filepath.Join(e.dir, fmt.Sprintf("service-%d", e.services))
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	svc, err := monitor.New(monitor.Config{
		NATSURL:  e.ns.ClientURL(),
		DataDir:  dataDir,
		HTTPAddr: "off",
		Auth:     monitor.AuthConfig{DevAuth: true},
		// The query figure issues hundreds of queries a second as one
		// user: no rate limit.
		RateLimit: -1,
		Instance:  fmt.Sprintf("bench-%d", e.services),
	}, e.log)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	s := &service{svc: svc, dataDir: dataDir, cancel: cancel,
		done: make(chan error, 1)}
	go func() { s.done <- svc.Run(rctx) }()

	select {
	case <-svc.Ready():
		s.ready = time.Now()
		return s, nil
	case err := <-s.done:
		cancel()
		return nil, fmt.Errorf("monitor stopped before it was ready: %w", err)
	case <-time.After(30 * time.Second):
		cancel()
		return nil, errors.New("monitor not ready within 30 s")
	}
}

// stop ends the service and waits until it drained.
func (s *service) stop() error {
	s.cancel()
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("monitor did not stop within 30 s")
	}
}

// waitFor polls cond every few milliseconds until it holds, ctx ends or
// the timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}
