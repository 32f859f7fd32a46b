package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// row is one line of the table: a figure, the monitor's value, the
// baseline's, their ratio and the target.
type row struct {
	Figure   string   `json:"figure"`
	Unit     string   `json:"unit"`
	Monitor  *float64 `json:"monitor"`
	Baseline *float64 `json:"baseline"`
	Ratio    *float64 `json:"ratio"`
	Target   string   `json:"target"`
	// Met is nil when the figure has no target or was not measured.
	Met  *bool  `json:"met"`
	Note string `json:"note,omitempty"`
}

// results is everything one run measured; the JSON file holds it.
type results struct {
	Mode        string                   `json:"mode"`
	StartedAt   time.Time                `json:"startedAt"`
	Seconds     float64                  `json:"seconds"`
	Machine     machine                  `json:"machine"`
	Sizes       sizes                    `json:"sizes"`
	PublishRate float64                  `json:"publishRatePerSec"`
	Rows        []row                    `json:"rows"`
	Ingest      *pair[rate]              `json:"ingest,omitempty"`
	Replay      *pair[rate]              `json:"replay,omitempty"`
	Latency     *pair[percentiles]       `json:"latency,omitempty"`
	Query       *queryResult             `json:"query,omitempty"`
	Memory      *memoryResult            `json:"memory,omitempty"`
	Fanout      []subscribe.FanoutResult `json:"fanout,omitempty"`
	Notes       []string                 `json:"notes"`
}

// pair is a monitor figure with its baseline runs.
type pair[T any] struct {
	Monitor   T   `json:"monitor"`
	Baselines []T `json:"baselines"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	Model     string `json:"model"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	// LoadBefore and LoadAfter are /proc/loadavg at the start and the
	// end: other work on the machine shows there.
	LoadBefore string `json:"loadBefore"`
	LoadAfter  string `json:"loadAfter"`
}

func thisMachine() machine {
	return machine{CPUs: runtime.NumCPU(), Model: cpuModel(),
		GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		LoadBefore: loadAvg()}
}

// loadAvg returns the three load averages of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return "unknown"
	}
	return strings.Join(fs[:3], " ")
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func f(v float64) *float64 { return &v }
func t(v bool) *bool       { return &v }

// rateRow compares two rates; the target is a least ratio.
func rateRow(fig string, mon, base float64, least float64) row {
	r := mon / base
	return row{Figure: fig, Unit: "events/s", Monitor: f(mon), Baseline: f(base),
		Ratio: f(r), Target: fmt.Sprintf(">= %.1fx", least), Met: t(r >= least)}
}

// latencyRow compares two latencies; most is the largest ratio allowed
// (0: none) and below an absolute bound in ms (0: none).
func latencyRow(fig string, mon, base, most, below float64) row {
	r := row{Figure: fig, Unit: "ms", Monitor: f(mon)}
	if base > 0 {
		r.Baseline = f(base)
		r.Ratio = f(mon / base)
	}
	var targets []string
	met := true
	if most > 0 {
		targets = append(targets, fmt.Sprintf("<= %gx", most))
		met = met && r.Ratio != nil && *r.Ratio <= most
	}
	if below > 0 {
		targets = append(targets, fmt.Sprintf("< %g ms", below))
		met = met && mon < below
	}
	if len(targets) > 0 {
		r.Target = strings.Join(targets, ", ")
		r.Met = t(met)
	}
	return r
}

// printTable writes the rows as an aligned table.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmonitor\tbaseline\tratio\ttarget\tmet?")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Figure,
			num(r.Monitor, r.Unit), num(r.Baseline, r.Unit), ratio(r.Ratio),
			dash(r.Target), met(r))
	}
	tw.Flush()
}

// printMarkdown writes the rows as a Markdown table.
func printMarkdown(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| figure | monitor | baseline | ratio | target | met? |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- | --- |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Figure,
			num(r.Monitor, r.Unit), num(r.Baseline, r.Unit), ratio(r.Ratio),
			dash(r.Target), met(r))
	}
}

func num(v *float64, unit string) string {
	switch {
	case v == nil:
		return "—"
	case unit == "ms":
		return fmt.Sprintf("%.3f ms", *v)
	case unit == "B":
		return fmt.Sprintf("%.0f B", *v)
	case unit == "deliveries/s":
		return fmt.Sprintf("%.0f deliveries/s", *v)
	default:
		return fmt.Sprintf("%.0f/s", *v)
	}
}

func ratio(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.2fx", *v)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func met(r row) string {
	switch {
	case r.Met == nil && r.Note != "":
		return r.Note
	case r.Met == nil:
		return "—"
	case *r.Met:
		return "yes"
	default:
		return "NO"
	}
}

// writeJSON writes res to path.
func writeJSON(path string, res *results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
