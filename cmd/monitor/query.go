package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/metrics"
)

func runQuery(ctx context.Context, args []string) error {
	fs := newFlagSet("query")
	natsURL := fs.String("nats-url", nats.DefaultURL, "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file")
	token := fs.String("token", "", "bearer token (see monitor token)")
	tenant := fs.String("tenant", "", "tenant to ask about (required)")
	facility := fs.String("facility", "", "narrow to one facility")
	federation := fs.String("federation", "", "narrow to one federation")
	cats := fs.Strings("category", "a metric category (default: all visible)")
	ops := fs.Strings("operator", "narrow operator data to this operator")
	window := fs.Int("window", 0, "window in minutes for response-latency and remediation-timeline")
	recent := fs.Int("recent", -1, "recent events to include (default 20)")
	timers := fs.Int("sla-timers", -1, "SLA timers to include (default 100)")
	table := fs.Bool("table", false, "print readable tables instead of JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	if *token == "" {
		return fmt.Errorf("--token is required (mint one with: monitor token --tenant %s --user you)", *tenant)
	}

	nc, err := connect(*natsURL, *creds)
	if err != nil {
		return err
	}
	defer nc.Close()

	q := client.Query{
		Scope:       client.Scope{TenantID: *tenant, FacilityID: *facility, FederationID: *federation},
		Categories:  *cats,
		OperatorIDs: *ops,
	}
	if *window > 0 {
		q.WindowMinutes = client.Int(*window)
	}
	if *recent >= 0 {
		q.RecentEvents = client.Int(*recent)
	}
	if *timers >= 0 {
		q.SLATimers = client.Int(*timers)
	}
	res, err := client.New(nc, *token).Query(ctx, q)
	if err != nil {
		return err
	}
	if *table {
		printTables(os.Stdout, res)
		return nil
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// printTables writes a result as a few readable tables.
func printTables(w io.Writer, res *client.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Tenant %s at %s\n\n", res.Query.Scope.TenantID, res.ComputedAt.Format("2006-01-02 15:04:05Z"))
	fmt.Fprintln(tw, "METRIC\tVALUE\tUNIT\tTREND\tCONFIDENCE\tBREAKDOWN")
	for _, m := range res.Metrics {
		trend := "-"
		if m.Trend != nil {
			trend = fmt.Sprintf("%s %+.1f%%", m.Trend.Direction, m.Trend.ChangeRate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (n=%d)\t%s\n", m.Name, num(m.Value), m.Unit, trend,
			m.Metadata.ConfidenceLevel, m.Metadata.SampleSize, breakdown(m))
	}
	for _, o := range res.Omitted {
		fmt.Fprintf(tw, "%s\t(omitted: %s)\t\t\t\t\n", o.Category, o.Rule)
	}

	if ss := res.StreamState; ss != nil {
		if len(ss.WorkloadState) > 0 {
			fmt.Fprintln(tw, "\nOPERATOR\tNAME\tACTIVE\tCRITICAL\tHIGH\tMEDIUM\tLOW")
			for _, o := range ss.WorkloadState {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", o.OperatorID, o.OperatorName, o.ActiveTasks,
					o.BySeverity["critical"], o.BySeverity["high"], o.BySeverity["medium"], o.BySeverity["low"])
			}
		}
		if len(ss.SLACountdowns) > 0 {
			fmt.Fprintln(tw, "\nSLA TIMER\tTYPE\tSEVERITY\tSTATUS\tREMAINING (h)\tTHRESHOLD (h)")
			for _, t := range ss.SLACountdowns {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%s\n", t.EntityID, t.EntityType, t.Severity,
					strings.ToUpper(t.Status), t.TimeRemainingHours, num(t.SLAThresholdHours))
			}
		}
		h := ss.StreamHealth
		fmt.Fprintf(tw, "\nStream: active=%t lag=%dms missed=%d duplicates=%d orphans=%d late=%d pending=%d\n",
			h.IsActive, h.EventLag, h.MissedEvents, h.Duplicates, h.Orphans, h.LateTransitions, h.Pending)
	}
	s := res.Summary
	fmt.Fprintf(tw, "Summary: %d events, %d active tasks, %d SLA timers (%d breached, %d warning)",
		s.EventsProcessed, s.ActiveTasks, s.ActiveSLATimers, s.SLABreaches, s.SLAWarnings)
	if b := s.BusiestOperator; b != nil {
		fmt.Fprintf(tw, ", busiest %s (%d)", b.OperatorID, b.ActiveTasks)
	}
	fmt.Fprintln(tw)
	_ = tw.Flush()
}

// breakdown renders a metric's breakdown on one line, keys sorted.
func breakdown(m metrics.Metric) string {
	keys := make([]string, 0, len(m.Breakdown))
	for k := range m.Breakdown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		switch v := m.Breakdown[k].(type) {
		case map[string]float64:
			inner := make([]string, 0, len(v))
			for ik, f := range v {
				if f != 0 {
					inner = append(inner, ik+"="+num(f))
				}
			}
			sort.Strings(inner)
			parts = append(parts, k+"{"+strings.Join(inner, " ")+"}")
		case float64:
			parts = append(parts, k+"="+num(v))
		case []float64:
			vals := make([]string, len(v))
			for i, f := range v {
				vals[i] = num(f)
			}
			parts = append(parts, k+"["+strings.Join(vals, " ")+"]")
		}
	}
	return strings.Join(parts, " ")
}

func num(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.2f", f)
}
