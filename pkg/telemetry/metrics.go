package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/opsmonitor/monitor/pkg/state"
)

// namespace prefixes every series.
const namespace = "monitor"

// The outcome label values of monitor_events_applied_total.
const (
	OutcomeApplied   = "applied"
	OutcomeDuplicate = "duplicate"
	OutcomeOrphan    = "orphan"
	OutcomeLate      = "late"
)

// requestBuckets span a cached answer (sub-millisecond) to a slow audit
// export page (seconds).
var requestBuckets = []float64{
	.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5,
}

// Metrics is the monitor's set of Prometheus series on one registry.
//
// Metrics is safe for concurrent use.
type Metrics struct {
	opts Options
	src  Sources

	// outcomes are the pre-resolved children of applied, indexed by
	// outcomeIndex, so that Applied allocates nothing.
	outcomes [4]prometheus.Counter
	requests *prometheus.HistogramVec
}

// New registers the monitor's series on reg (usually a
// *prometheus.Registry the caller owns) and returns them. It fails
// when opts is out of range or when reg already holds series of the
// same names (a second New on one registry).
func New(reg prometheus.Registerer, opts Options, src Sources) (*Metrics, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m := &Metrics{opts: opts.withDefaults(), src: src}

	applied := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "events_applied_total",
		Help:      "Live events handled by the tenant actors, by outcome (applied, duplicate, orphan, late).",
	}, []string{"outcome"})
	for i, o := range []string{OutcomeApplied, OutcomeDuplicate, OutcomeOrphan, OutcomeLate} {
		m.outcomes[i] = applied.WithLabelValues(o)
	}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace,
		Name:      "request_duration_seconds",
		Help:      "Time to answer a request, by endpoint and result code.",
		Buckets:   requestBuckets,
	}, []string{"endpoint", "code"})

	cs := []prometheus.Collector{
		applied,
		m.requests,
		&pipelineCollector{src: src},
		&actorCollector{src: src},
		&hookCollector{src: src},
	}
	if m.opts.TenantFigures {
		cs = append(cs, newTenantCollector(src, m.opts))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// NewRegistry returns a fresh registry holding the Go runtime and process
// collectors, the usual base for a service's own series.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Applied counts one live event by its outcome. It is meant for the
// registry's Applied hook, on the actor's goroutine, and costs one atomic
// add.
func (m *Metrics) Applied(out state.Outcome) {
	m.outcomes[outcomeIndex(out)].Inc()
}

func outcomeIndex(out state.Outcome) int {
	switch {
	case out.Duplicate:
		return 1
	case out.Orphan:
		return 2
	case out.Late:
		return 3
	}
	return 0
}

// ObserveRequest records how long a request to endpoint took and how it
// ended. endpoint and code must come from small fixed sets (the API's
// endpoint names, its error codes or HTTP statuses), never from the
// request's content: each pair is a series.
func (m *Metrics) ObserveRequest(endpoint, code string, d time.Duration) {
	m.requests.WithLabelValues(endpoint, code).Observe(d.Seconds())
}

// InstrumentHandler wraps h so that each request is observed under
// endpoint with its HTTP status as the code.
func (m *Metrics) InstrumentHandler(endpoint string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		m.ObserveRequest(endpoint, strconv.Itoa(sw.code), time.Since(start))
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer
// (flushing, deadlines), which the dashboard's streams need.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
