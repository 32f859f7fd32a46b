// Command bench holds the monitor against bare JetStream on the same
// machine, in one process run (issue 9). It starts an embedded JetStream
// server with its own temporary store, measures every figure together
// with its baseline, prints a table and writes the same numbers as JSON.
//
// Usage:
//
//	go run ./cmd/bench -mode short -out bench-results-short.json
//	go run ./cmd/bench -mode full -out bench-results-full.json
//	go run ./cmd/bench -phases ingest -profile-phase ingest -cpuprofile cpu.prof
//
// See docs/benchmarks.md for what each figure measures and the latest
// tables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/audit"
)

// sizes are the amounts of one mode.
type sizes struct {
	// Events is the ingest and replay set.
	Events int `json:"events"`
	// Tenants spread the realistic mix.
	Tenants int `json:"tenants"`
	// LatencySeconds are measured at 5,000 events/s after a second of
	// warm-up.
	LatencySeconds int `json:"latencySeconds"`
	// Queries is how many queries each query path is timed over.
	Queries int `json:"queries"`
	// Entities is how many open entities the memory figure holds.
	Entities int `json:"entities"`
	// FanoutEvents are offered to the 1,000 subscriptions.
	FanoutEvents int `json:"fanoutEvents"`
	// Timeout bounds each wait for the monitor.
	Timeout time.Duration `json:"timeout"`
}

var modes = map[string]sizes{
	"short": {Events: 100_000, Tenants: 120, LatencySeconds: 5, Queries: 500,
		Entities: 100_000, FanoutEvents: 1000, Timeout: 60 * time.Second},
	"full": {Events: 1_000_000, Tenants: 200, LatencySeconds: 30, Queries: 3000,
		Entities: 1_000_000, FanoutEvents: 10_000, Timeout: 10 * time.Minute},
}

var allPhases = []string{"ingest", "replay", "latency", "query", "memory", "fanout"}

// bench is one run.
type bench struct {
	size       sizes
	phases     []string
	env        *env
	res        results
	prof       *profiler
	memProfile string
	profPhase  string
	verbose    bool
}

func main() {
	mode := flag.String("mode", "short", "short (under 2 minutes on 2 cores) or full")
	out := flag.String("out", "", "write the results as JSON to this file")
	phases := flag.String("phases", strings.Join(allPhases, ","), "figures to measure, comma-separated")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of -profile-phase to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of -profile-phase to this file (and FILE.base at its start: use go tool pprof -base)")
	blockProfile := flag.String("blockprofile", "", "write a blocking profile (goroutines waiting: channels, selects, locks) of -profile-phase to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a mutex contention profile of -profile-phase to this file")
	profPhase := flag.String("profile-phase", "ingest", "phase the profiles cover: ingest, replay, latency, query, memory or all")
	events := flag.Int("events", 0, "override the ingest/replay set size")
	keep := flag.Bool("keep", false, "keep the temporary store")
	verbose := flag.Bool("v", false, "log the monitor's warnings and the benchmark's progress")

	memChild := flag.Bool("memory-child", false, "internal: run the memory figure and print it as JSON")
	entities := flag.Int("entities", 0, "internal: open entities of the memory figure")
	tenants := flag.Int("tenants", 0, "internal: tenants of the memory figure")
	flag.Parse()

	if *memChild {
		if err := memoryChild(*entities, *tenants, *memProfile); err != nil {
			fmt.Fprintln(os.Stderr, "bench memory:", err)
			os.Exit(1)
		}
		return
	}

	size, ok := modes[*mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: unknown mode %q\n", *mode)
		os.Exit(2)
	}
	if *events > 0 {
		size.Events = *events
	}
	b := &bench{
		size:       size,
		phases:     strings.Split(*phases, ","),
		memProfile: *memProfile,
		profPhase:  *profPhase,
		verbose:    *verbose,
		prof: &profiler{phase: *profPhase, cpuPath: *cpuProfile, memPath: *memProfile,
			blockPath: *blockProfile, mutexPath: *mutexProfile},
	}
	b.res = results{Mode: *mode, StartedAt: time.Now().UTC(), Machine: thisMachine(), Sizes: size}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b.prof.start("all")
	err := b.run(ctx, *keep)
	b.prof.stop("all")
	b.res.Seconds = time.Since(b.res.StartedAt).Seconds()
	b.res.Machine.LoadAfter = loadAvg()

	fmt.Printf("\nmonitor vs bare JetStream, %s mode, %d CPUs (%s), %.0f s, load %s -> %s\n\n",
		*mode, b.res.Machine.CPUs, b.res.Machine.Model, b.res.Seconds,
		b.res.Machine.LoadBefore, b.res.Machine.LoadAfter)
	printTable(os.Stdout, b.res.Rows)
	fmt.Println()
	for _, n := range b.res.Notes {
		fmt.Println("note:", n)
	}
	fmt.Println()
	printMarkdown(os.Stdout, b.res.Rows)
	if *out != "" {
		if werr := writeJSON(*out, &b.res); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func (b *bench) want(phase string) bool { return slices.Contains(b.phases, phase) }

func (b *bench) logf(format string, args ...any) {
	if b.verbose {
		fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	}
}

func (b *bench) note(format string, args ...any) {
	b.res.Notes = append(b.res.Notes, fmt.Sprintf(format, args...))
}

// run measures the chosen figures in order: the ingest set is published
// once and serves ingest and replay; the service left running by the
// replay serves latency and query.
func (b *bench) run(ctx context.Context, keep bool) (err error) {
	dir, err := os.MkdirTemp("", "monitor-bench-*")
	if err != nil {
		return err
	}
	if keep {
		b.note("store kept in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	level := zerolog.Disabled
	if b.verbose {
		level = zerolog.WarnLevel
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(level).With().Timestamp().Logger()
	b.env, err = newEnv(dir, log)
	if err != nil {
		return err
	}
	defer b.env.close()
	if err := b.env.provision(ctx); err != nil {
		return err
	}

	needService := b.want("ingest") || b.want("replay") || b.want("latency") || b.want("query")
	if needService {
		s, err := b.streamPhases(ctx)
		if s != nil {
			err = errors.Join(err, s.stop())
		}
		if err != nil {
			return err
		}
	}

	if b.want("memory") {
		m, err := b.memory(ctx)
		if err != nil {
			return err
		}
		b.res.Memory = &m
		b.res.Rows = append(b.res.Rows,
			memoryRow("memory: RSS per open entity", m.RSSPerEntity),
			memoryRow("memory: Go heap per open entity", m.HeapPerEntity),
			row{Figure: "memory: Go heap per added entity (marginal)", Unit: "B",
				Monitor: f(m.HeapMarginal)})
		b.note("memory: %d open entities over %d tenants (%d events) applied through %s, in a child process; RSS %d -> %d MiB, heap %d -> %d MiB",
			m.OpenEntities, m.Tenants, m.Events, m.Path,
			m.RSSBefore>>20, m.RSSAfter>>20, m.HeapBefore>>20, m.HeapAfter>>20)
	}

	if b.want("fanout") {
		if err := b.fanout(ctx); err != nil {
			return err
		}
	}
	return nil
}

func memoryRow(fig string, perEntity float64) row {
	return row{Figure: fig, Unit: "B", Monitor: f(perEntity),
		Target: "<= 1024 B", Met: t(perEntity <= 1024)}
}

// streamPhases runs the figures that need the stream and a service, and
// returns the service still running.
func (b *bench) streamPhases(ctx context.Context) (*service, error) {
	if err := b.fillStream(ctx); err != nil {
		return nil, err
	}

	var bare []rate
	if b.want("ingest") {
		r, err := b.bareIngest(ctx, "bench-bare-1")
		if err != nil {
			return nil, err
		}
		bare = append(bare, r)
	}
	mon, s, err := b.monitorIngest(ctx)
	if err != nil {
		return s, err
	}
	if b.want("ingest") {
		r, err := b.bareIngest(ctx, "bench-bare-2")
		if err != nil {
			return s, err
		}
		bare = append(bare, r)
		b.res.Ingest = &pair[rate]{Monitor: mon, Baselines: bare}
		b.res.Rows = append(b.res.Rows, rateRow("ingest rate", mon.PerSec, best(bare), 0.7))
	}
	if err := s.stop(); err != nil {
		return nil, err
	}
	s = nil
	b.noteAudit(ctx, b.size.Events)

	if b.want("replay") {
		var bare []rate
		r, err := b.bareReplay(ctx, b.size.Events)
		if err != nil {
			return nil, err
		}
		bare = append(bare, r)
		mon, s, err = b.monitorReplay(ctx)
		if err != nil {
			return s, err
		}
		r, err = b.bareReplay(ctx, b.size.Events)
		if err != nil {
			return s, err
		}
		bare = append(bare, r)
		b.res.Replay = &pair[rate]{Monitor: mon, Baselines: bare}
		b.res.Rows = append(b.res.Rows, rateRow("replay rate", mon.PerSec, best(bare), 0.7))
	} else if b.want("latency") || b.want("query") {
		if s, err = b.env.startService(ctx); err != nil {
			return nil, err
		}
		p := s.svc.Pipeline()
		if err := waitFor(ctx, b.size.Timeout, func() bool { return p.Progress().Done }); err != nil {
			return s, fmt.Errorf("rebuild: %w", err)
		}
	}

	if b.want("latency") {
		mon, bare, err := b.latency(ctx)
		if err != nil {
			return s, err
		}
		b.res.Latency = &pair[percentiles]{Monitor: mon, Baselines: []percentiles{bare}}
		b.res.Rows = append(b.res.Rows,
			latencyRow("publish-to-visible p50 @5k/s", mon.P50, bare.P50, 0, 0),
			latencyRow("publish-to-visible p99 @5k/s", mon.P99, bare.P99, 2, 0))
		b.note("publish-to-visible: publish -> republish received on monitor.events.> (the query API is not used for this figure yet); baseline: publish -> receipt by a bare durable pull consumer, both on the same events at once; lost: monitor %d, bare %d",
			mon.Lost, bare.Lost)
	}

	if b.want("query") {
		q, err := b.query(ctx, s)
		if err != nil {
			return s, err
		}
		b.res.Query = &q
		b.addQueryRows(q)
	}
	return s, nil
}

// addQueryRows adds the query figure: through the API when it answers,
// else through the benchmark's own NATS responder around the same work,
// and in-process for reference.
func (b *bench) addQueryRows(q queryResult) {
	head, label := q.Wrapped, "NATS-wrapped, no policy"
	if q.APIPresent {
		head, label = q.API, "query API"
	} else {
		b.note("query: %s; the headline query rows time the benchmark's own responder doing Actor.Read + the 8 metrics + stream state + summary + JSON, without token checks or policy", q.APINote)
	}
	b.res.Rows = append(b.res.Rows,
		latencyRow("query p50 ("+label+")", head.P50, q.Echo.P50, 3, 0),
		latencyRow("query p99 ("+label+")", head.P99, q.Echo.P99, 0, 5),
		latencyRow("query p50 (in-process)", q.InProcess.P50, 0, 0, 0),
		latencyRow("query p99 (in-process)", q.InProcess.P99, 0, 0, 0))
	b.note("query: tenant with %d open tasks and alerts, reply %d bytes; baseline: a bare NATS responder returning %d bytes",
		q.OpenEntities, q.ReplyBytes, q.ReplyBytes)
}

// noteAudit says whether the ingest ran with the audit trail on: the
// audit writer keeps event-received entries in their own stream. It runs
// once the ingest service stopped and flushed its writer.
func (b *bench) noteAudit(ctx context.Context, events int) {
	s, err := b.env.js.Stream(ctx, audit.DefaultEventsStream)
	if err != nil {
		b.note("ingest ran WITHOUT audit: the audit writer is not wired into the service (no %s stream)", audit.DefaultEventsStream)
		return
	}
	// The stream stores event-received entries in batches: count the
	// entries, not the messages.
	c, err := audit.CountEvents(ctx, b.env.js, audit.Config{})
	if err != nil {
		b.note("ingest ran with audit on, but counting %s failed: %v (%d messages)",
			audit.DefaultEventsStream, err, s.CachedInfo().State.Msgs)
		return
	}
	b.note("ingest ran with audit on: %s holds %d event-received entries for %d events (%d missing: dropped by the writer or not flushed) in %d messages",
		audit.DefaultEventsStream, c.Entries, events, max(int64(events)-int64(c.Entries), 0), c.Messages)
}

// best returns the highest of the baseline rates: the stricter baseline.
func best(rs []rate) float64 {
	var m float64
	for _, r := range rs {
		m = max(m, r.PerSec)
	}
	return m
}

// profiler writes a CPU and an allocation profile around one phase.
type profiler struct {
	phase     string
	cpuPath   string
	memPath   string
	blockPath string
	mutexPath string
	cpu       *os.File
}

func (p *profiler) start(phase string) {
	if phase != p.phase {
		return
	}
	if p.memPath != "" && phase != "memory" {
		_ = writeHeapProfile(p.memPath + ".base")
	}
	if p.blockPath != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	if p.mutexPath != "" {
		runtime.SetMutexProfileFraction(10)
	}
	if p.cpuPath == "" {
		return
	}
	f, err := os.Create(p.cpuPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		f.Close()
		return
	}
	p.cpu = f
}

func (p *profiler) stop(phase string) {
	if phase != p.phase {
		return
	}
	if p.cpu != nil {
		pprof.StopCPUProfile()
		p.cpu.Close()
		p.cpu = nil
	}
	if p.memPath != "" && phase != "memory" {
		_ = writeHeapProfile(p.memPath)
	}
	if p.blockPath != "" {
		_ = writeProfile("block", p.blockPath)
		runtime.SetBlockProfileRate(0)
	}
	if p.mutexPath != "" {
		_ = writeProfile("mutex", p.mutexPath)
		runtime.SetMutexProfileFraction(0)
	}
}

// writeProfile writes the named runtime profile to path.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup(name).WriteTo(f, 0)
}

// writeHeapProfile writes the allocation profile (every allocation since
// the start, with what is still live) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}
