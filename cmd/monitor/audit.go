package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/client"
)

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return fmt.Errorf("usage: monitor audit export [flags]")
	}
	fs := newFlagSet("audit export")
	natsURL := fs.String("nats-url", nats.DefaultURL, "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file")
	token := fs.String("token", "", "bearer token with realtime:audit-read")
	tenant := fs.String("tenant", "", "tenant whose trail to export (required)")
	format := fs.String("format", "json", "json or csv")
	since := fs.String("since", "", "start: RFC 3339 time, or a duration back from now (1h, 30m)")
	until := fs.String("until", "", "end (exclusive): RFC 3339 time or a duration back from now")
	types := fs.Strings("type", "an entry type (event-received, metric-computed, policy-decision, stream-state-update, error)")
	user := fs.String("user-id", "", "only entries of this user")
	limit := fs.Int("limit", 1000, "entries per page (at most 10,000)")
	out := fs.String("o", "-", "output file; - for standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *tenant == "" || *token == "" {
		return fmt.Errorf("--tenant and --token are required")
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("--format must be json or csv")
	}
	req := client.AuditRequest{
		Scope:  client.Scope{TenantID: *tenant},
		Types:  *types,
		UserID: *user,
		Limit:  *limit,
		Format: *format,
	}
	now := time.Now()
	var err error
	if req.Since, err = timeFlag("--since", *since, now); err != nil {
		return err
	}
	if req.Until, err = timeFlag("--until", *until, now); err != nil {
		return err
	}

	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	nc, err := connect(*natsURL, *creds)
	if err != nil {
		return err
	}
	defer nc.Close()

	progress := func(string) {}
	if *out != "-" && isTerminal(os.Stderr) {
		progress = func(s string) { fmt.Fprintf(os.Stderr, "\r%s", s) }
		defer fmt.Fprintln(os.Stderr)
	}
	n, err := exportAudit(ctx, client.New(nc, *token), req, w, progress)
	if err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(os.Stderr, "\rexported %d entries to %s\n", n, *out)
	}
	return nil
}

// exportAudit follows the cursor to the end and writes every entry: one
// JSON array, or CSV with a single header row. It returns the number of
// entries written.
func exportAudit(ctx context.Context, c *client.Client, req client.AuditRequest, w io.Writer, progress func(string)) (int, error) {
	n, pages := 0, 0
	if req.Format == "json" {
		if _, err := io.WriteString(w, "[\n"); err != nil {
			return 0, err
		}
	}
	for {
		page, err := c.Audit(ctx, req)
		if err != nil {
			return n, err
		}
		pages++
		if req.Format == "csv" {
			body := page.Body
			if pages > 1 { // every page repeats the header row
				if i := bytes.IndexByte(body, '\n'); i >= 0 {
					body = body[i+1:]
				}
			}
			n += bytes.Count(body, []byte("\n"))
			if pages == 1 {
				n-- // the header
			}
			if _, err := w.Write(body); err != nil {
				return n, err
			}
		} else {
			var doc struct {
				Entries []json.RawMessage `json:"entries"`
			}
			if err := json.Unmarshal(page.Body, &doc); err != nil {
				return n, fmt.Errorf("decoding audit page: %w", err)
			}
			for _, e := range doc.Entries {
				sep := ",\n"
				if n == 0 {
					sep = ""
				}
				if _, err := fmt.Fprintf(w, "%s%s", sep, e); err != nil {
					return n, err
				}
				n++
			}
		}
		progress(fmt.Sprintf("%d entries, %d pages", n, pages))
		if page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	if req.Format == "json" {
		if _, err := io.WriteString(w, "\n]\n"); err != nil {
			return n, err
		}
	}
	return n, nil
}

// timeFlag reads an RFC 3339 time or a duration back from now.
func timeFlag(name, v string, now time.Time) (*time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		t := now.Add(-d).UTC()
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("%s: want an RFC 3339 time or a duration such as 1h", name)
	}
	return &t, nil
}
