package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/telemetry"
)

// HTTP defaults.
const (
	// DefaultHTTPAddr is where the HTTP endpoints listen by default.
	DefaultHTTPAddr = "127.0.0.1:8080"
	// HTTPOff as the HTTP address turns the endpoints off.
	HTTPOff = "off"

	httpShutdownGrace = 5 * time.Second
	httpHeaderTimeout = 5 * time.Second
)

// web is the service's HTTP side: /healthz, /readyz and /metrics on one
// mux, where the dashboard mounts its own handlers beside them.
//
// web is safe for concurrent use; handle may be called while it serves.
type web struct {
	svc     *Service
	reg     *prometheus.Registry
	metrics *telemetry.Metrics
	mux     *http.ServeMux
	log     zerolog.Logger
	addr    string // the bound address, set by start
}

// newWeb builds the HTTP side of s, registering the monitor's series on
// reg (a fresh registry with the Go and process collectors when nil). It
// fails when opts is out of range or reg already holds them.
func newWeb(s *Service, reg *prometheus.Registry, opts telemetry.Options) (*web, error) {
	if reg == nil {
		reg = telemetry.NewRegistry()
	}
	m, err := telemetry.New(reg, opts, s.telemetrySources())
	if err != nil {
		return nil, fmt.Errorf("registering metrics: %w", err)
	}

	w := &web{
		svc:     s,
		reg:     reg,
		metrics: m,
		mux:     http.NewServeMux(),
		log:     s.log.With().Str("component", "http").Logger(),
	}
	w.handle("GET /healthz", http.HandlerFunc(w.healthz))
	w.handle("GET /readyz", http.HandlerFunc(w.readyz))
	w.handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		Registry:          reg, // counts its own errors
		EnableOpenMetrics: true,
	}))
	return w, nil
}

// handle mounts h on pattern (http.ServeMux syntax), observed in
// monitor_request_duration_seconds under the pattern. It panics, as
// ServeMux does, when pattern clashes with one already mounted.
func (w *web) handle(pattern string, h http.Handler) {
	w.mux.Handle(pattern, w.metrics.InstrumentHandler(pattern, h))
}

// start listens on addr ("off" does nothing; empty means
// DefaultHTTPAddr) and serves until ctx ends or stop is called; stop then
// waits for in-flight requests (up to a grace period) and for the
// serving goroutines to end. It fails when addr cannot be bound.
func (w *web) start(ctx context.Context, addr string) (stop func(), err error) {
	if addr == HTTPOff {
		return func() {}, nil
	}
	if addr == "" {
		addr = DefaultHTTPAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for HTTP on %s: %w", addr, err)
	}
	w.addr = ln.Addr().String()
	srv := &http.Server{
		Handler:           w.mux,
		ReadHeaderTimeout: httpHeaderTimeout,
	}
	w.log.Info().Str("addr", w.addr).Msg("serving /healthz, /readyz and /metrics")

	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()

		select {
		case <-ctx.Done():
		case err := <-served:
			w.log.Error().Err(err).Msg("HTTP server stopped")
			return
		}
		sctx, scancel := context.WithTimeout(context.Background(), httpShutdownGrace)
		defer scancel()
		if err := srv.Shutdown(sctx); err != nil {
			w.log.Warn().Err(err).Msg("HTTP shutdown cut in-flight requests")
			_ = srv.Close()
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			w.log.Error().Err(err).Msg("HTTP server stopped")
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

// healthz says the process is alive: it answers whenever it can answer.
func (w *web) healthz(rw http.ResponseWriter, _ *http.Request) {
	writeJSON(rw, http.StatusOK, map[string]any{
		"status":        "alive",
		"uptimeSeconds": int64(w.svc.Uptime() / time.Second),
	})
}

// readyz answers 200 only when the service can do its work, else 503
// with the reason.
func (w *web) readyz(rw http.ResponseWriter, _ *http.Request) {
	r := w.svc.Readiness()
	code := http.StatusOK
	if !r.Ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(rw, code, r)
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(v)
}

// Readiness is the verdict of /readyz.
type Readiness struct {
	// Ready is true when the service is connected to NATS, its stream and
	// consumers are in place, the state is rebuilt and it is the active
	// instance.
	Ready bool `json:"ready"`
	// Status is the health status: starting, standby, rebuilding, ok or
	// degraded.
	Status string `json:"status"`
	// Reason says why the service is not ready; empty when it is.
	Reason string `json:"reason,omitempty"`
	// Rebuild is the rebuild's progress, once the pipeline exists.
	Rebuild *consumer.Progress `json:"rebuild,omitempty"`
}

// readyState is what the readiness verdict rests on.
type readyState struct {
	running   bool // the pipeline exists (Ready is closed)
	connected bool
	status    string
	rebuild   *consumer.Progress
}

// Readiness returns whether the service is ready, and why not.
func (s *Service) Readiness() Readiness {
	select {
	case <-s.ready:
	default:
		return judgeReadiness(readyState{status: s.Status()})
	}
	p := s.pipeline.Progress()
	return judgeReadiness(readyState{
		running:   true,
		connected: s.nc.IsConnected(),
		status:    s.Status(),
		rebuild:   &p,
	})
}

// judgeReadiness turns the state into the verdict.
func judgeReadiness(st readyState) Readiness {
	r := Readiness{Status: st.status, Rebuild: st.rebuild}
	switch {
	case st.status == StatusStandby:
		r.Reason = "standby: another instance holds the active lease"
	case !st.running:
		r.Reason = "starting: connecting, taking the lease or provisioning the streams"
	case !st.connected:
		r.Reason = "not connected to NATS"
	case st.status == StatusRebuilding:
		r.Reason = "rebuilding the state from the stream"
	case st.status == StatusDegraded:
		r.Reason = "a durable consumer is missing"
	case st.status != StatusOK:
		r.Reason = "status " + st.status
	default:
		r.Ready = true
	}
	return r
}

// telemetrySources lets the metrics read the service once its pipeline
// exists; before that every source yields nothing.
func (s *Service) telemetrySources() telemetry.Sources {
	running := func() bool {
		select {
		case <-s.ready:
			return true
		default:
			return false
		}
	}
	return telemetry.Sources{
		Pipeline: func() *consumer.Pipeline {
			if !running() {
				return nil
			}
			return s.pipeline
		},
		Registry: func() *state.Registry {
			if !running() {
				return nil
			}
			return s.registry
		},
		AuditBuffer: func() (int, int, bool) {
			if !running() || s.auditW == nil {
				return 0, 0, false
			}
			// The service builds its writer with the default buffer.
			return int(s.auditW.Stats().Buffered), audit.DefaultBufferSize, true
		},
		Subscriptions: func() (int, bool) {
			if !running() || s.subs == nil {
				return 0, false
			}
			return s.subs.Stats().Active, true
		},
	}
}
