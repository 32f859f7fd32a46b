package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/client"
)

// tailLine is what tail prints of an event.
type tailLine struct {
	EventID      string `json:"eventId"`
	Category     string `json:"category"`
	EventType    string `json:"eventType"`
	Timestamp    string `json:"timestamp"`
	Severity     string `json:"severity"`
	EntityID     string `json:"entityId"`
	EntityType   string `json:"entityType"`
	OperatorID   string `json:"operatorId"`
	OperatorName string `json:"operatorName"`
	Scope        struct {
		FacilityID string `json:"facilityId"`
	} `json:"scope"`
}

func runTail(ctx context.Context, args []string) error {
	fs := newFlagSet("tail")
	natsURL := fs.String("nats-url", nats.DefaultURL, "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file")
	inbox := fs.String("inbox-prefix", "",
		"this user's private inbox prefix, such as _INBOX_user-001 (replies and events come there)")
	token := fs.String("token", "", "bearer token (see monitor token); needed without --raw")
	tenant := fs.String("tenant", "", "tenant to watch (required)")
	facility := fs.String("facility", "", "only this facility")
	federation := fs.String("federation", "", "only this federation")
	cats := fs.Strings("category", "only this event category")
	types := fs.Strings("type", "only this event type")
	sevs := fs.Strings("severity", "only this severity")
	ops := fs.Strings("operator", "only events of this operator")
	lease := fs.Int("lease", 60, "lease in seconds, renewed in the background")
	raw := fs.Bool("raw", false,
		"read monitor.events.<tenant>.> directly (trusted service users; no visibility filter)")
	asJSON := fs.Bool("json", false, "print each event's JSON instead of a line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("--tenant is required")
	}
	if !*raw && *token == "" {
		return fmt.Errorf("--token is required without --raw "+
			"(mint one with: monitor token --tenant %s --user you)", *tenant)
	}

	opts := []nats.Option{nats.Name("monitor tail")}
	if *creds != "" {
		opts = append(opts, nats.UserCredentials(*creds))
	}
	if *inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(*inbox))
	}
	nc, err := nats.Connect(*natsURL, opts...)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", *natsURL, err)
	}
	defer nc.Close()

	show := func(m *nats.Msg) { printEvent(os.Stdout, m.Data, *asJSON) }
	if *raw {
		f := rawFilter{facility: *facility, cats: *cats, types: *types, sevs: *sevs, ops: *ops}
		return tailRaw(ctx, nc, *tenant, f, show)
	}

	c := client.New(nc, *token)
	req := client.SubscribeRequest{
		Scope:        client.Scope{TenantID: *tenant, FacilityID: *facility, FederationID: *federation},
		Categories:   *cats,
		EventTypes:   *types,
		Severities:   *sevs,
		OperatorIDs:  *ops,
		LeaseSeconds: *lease,
	}
	for {
		err := c.Subscribe(ctx, req, show)
		var end *client.EndError
		if !errors.As(err, &end) || end.Reason != "shutdown" {
			return err
		}
		// The monitor stopped cleanly; subscribe again once it answers.
		fmt.Fprintln(os.Stderr, "monitor tail: the monitor shut down; resubscribing")
		if err := waitForMonitor(ctx, c); err != nil {
			return nil
		}
	}
}

// waitForMonitor polls health every second until the monitor answers or
// ctx ends.
func waitForMonitor(ctx context.Context, c *client.Client) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.Health(hctx)
		cancel()
		if err == nil {
			return nil
		}
	}
}

// rawFilter narrows the republished stream: single values go into the
// subject as tokens, several are checked here.
type rawFilter struct {
	facility               string
	cats, types, sevs, ops []string
}

// subject is monitor.events.<tenant>.<facility>.<category>.<severity>.<type>
// with a wildcard for every dimension that is not one value.
func (f rawFilter) subject(tenant string) string {
	one := func(vals []string) string {
		if len(vals) == 1 {
			return vals[0]
		}
		return "*"
	}
	fac := f.facility
	if fac == "" {
		fac = "*"
	}
	return strings.Join([]string{"monitor.events", tenant, fac,
		one(f.cats), one(f.sevs), one(f.types)}, ".")
}

func (f rawFilter) match(ev tailLine) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	return in(f.cats, ev.Category) && in(f.types, ev.EventType) &&
		in(f.sevs, ev.Severity) && (len(f.ops) == 0 || ev.OperatorID != "" && in(f.ops, ev.OperatorID))
}

// tailRaw reads the republished stream until ctx ends.
func tailRaw(ctx context.Context, nc *nats.Conn, tenant string, f rawFilter, show func(*nats.Msg)) error {
	msgs := make(chan *nats.Msg, 4096) // when full, NATS drops and reports a slow consumer
	sub, err := nc.ChanSubscribe(f.subject(tenant), msgs)
	if err != nil {
		return err
	}
	defer func() { _ = sub.Unsubscribe() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			var ev tailLine
			if json.Unmarshal(m.Data, &ev) == nil && f.match(ev) {
				show(m)
			}
		}
	}
}

// printEvent writes one event: time, severity, category, type, entity
// and operator, or its JSON.
func printEvent(w io.Writer, data []byte, asJSON bool) {
	if asJSON {
		fmt.Fprintf(w, "%s\n", data)
		return
	}
	var ev tailLine
	if err := json.Unmarshal(data, &ev); err != nil {
		fmt.Fprintf(w, "(not an event: %d bytes)\n", len(data))
		return
	}
	op := "-"
	if ev.OperatorID != "" {
		op = ev.OperatorID
		if ev.OperatorName != "" {
			op += " (" + ev.OperatorName + ")"
		}
	}
	entity := ev.EntityID
	if ev.EntityType != "" {
		entity = ev.EntityType + ":" + ev.EntityID
	}
	fmt.Fprintf(w, "%-24s %-8s %-19s %-21s %-28s %s\n",
		ev.Timestamp, ev.Severity, ev.Category, ev.EventType, entity, op)
}
