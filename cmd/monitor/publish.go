package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishLine is what publish needs of an event to route it.
type publishLine struct {
	EventID   string `json:"eventId"`
	Category  string `json:"category"`
	Timestamp string `json:"timestamp"`
	Scope     struct {
		TenantID   string `json:"tenantId"`
		FacilityID string `json:"facilityId"`
	} `json:"scope"`
}

func runPublish(ctx context.Context, args []string) error {
	fs := newFlagSet("publish")
	natsURL := fs.String("nats-url", nats.DefaultURL, "NATS server URL")
	creds := fs.String("nats-creds", "", "NATS credentials file")
	prefix := fs.String("subject-prefix", "ops.events", "ingest subject prefix")
	retime := fs.Bool("retime", false, "shift every timestamp by one offset so that the newest event is now (keeps the gaps between events)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: monitor publish [flags] FILE|-")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one file, or - for standard input")
	}

	in := io.Reader(os.Stdin)
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	lines, err := readLines(in)
	if err != nil {
		return err
	}
	if *retime {
		if lines, err = retimeLines(lines, time.Now().UTC()); err != nil {
			return err
		}
	}

	nc, err := connect(*natsURL, *creds)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}

	var accepted, duplicate, failed int
	for i, line := range lines {
		var p publishLine
		if err := json.Unmarshal(line, &p); err != nil || p.Category == "" || p.Scope.TenantID == "" || p.EventID == "" {
			failed++
			fmt.Fprintf(os.Stderr, "line %d: not an event with category, scope.tenantId and eventId\n", i+1)
			continue
		}
		facility := p.Scope.FacilityID
		if facility == "" {
			facility = "_"
		}
		m := nats.NewMsg(*prefix + "." + p.Category + "." + p.Scope.TenantID + "." + facility)
		m.Data = line
		m.Header.Set(nats.MsgIdHdr, p.Scope.TenantID+":"+p.EventID)
		ack, err := js.PublishMsg(ctx, m)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(os.Stderr, "line %d: %v\n", i+1, err)
		case ack.Duplicate:
			duplicate++
		default:
			accepted++
		}
	}
	fmt.Printf("published %d events: %d accepted, %d duplicate, %d failed\n", len(lines), accepted, duplicate, failed)
	if failed > 0 {
		return fmt.Errorf("%d events failed", failed)
	}
	return nil
}

// readLines returns the non-empty lines of r.
func readLines(r io.Reader) ([][]byte, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var out [][]byte
	for sc.Scan() {
		if line := sc.Bytes(); len(line) > 0 {
			out = append(out, append([]byte(nil), line...))
		}
	}
	return out, sc.Err()
}

// retimeLines moves every event's timestamp by the same offset so that
// the newest lands on now. Lines without a timestamp stay as they are.
func retimeLines(lines [][]byte, now time.Time) ([][]byte, error) {
	var newest time.Time
	for _, l := range lines {
		var p publishLine
		if json.Unmarshal(l, &p) != nil {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, p.Timestamp); err == nil && t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		return lines, nil
	}
	shift := now.Truncate(time.Second).Sub(newest)
	out := make([][]byte, len(lines))
	for i, l := range lines {
		var doc map[string]json.RawMessage
		var p publishLine
		if json.Unmarshal(l, &doc) != nil || json.Unmarshal(l, &p) != nil {
			out[i] = l
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, p.Timestamp)
		if err != nil {
			out[i] = l
			continue
		}
		ts, _ := json.Marshal(t.Add(shift).UTC().Format(time.RFC3339Nano))
		doc["timestamp"] = ts
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func connect(url, creds string) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("monitor cli")}
	if creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	return nc, nil
}
