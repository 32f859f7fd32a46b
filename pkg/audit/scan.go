package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// scanInactive is how long the server keeps a scanner's ephemeral
// consumer after its last fetch.
const scanInactive = 10 * time.Second

// scanned is one stored message of a scan.
type scanned struct {
	entry  Entry
	stored time.Time
	seq    uint64
	// ok is false for a message that does not decode as an entry.
	ok bool
}

// scanner reads one stream in sequence order through an ordered
// consumer, in fetches that never wait for new messages.
type scanner struct {
	cons jetstream.Consumer
}

// newScanner starts at the sequence start, or at the store time since
// when since is not nil.
func newScanner(ctx context.Context, js jetstream.JetStream, stream string,
	filters []string, start uint64, since *time.Time) (*scanner, error) {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects:    filters,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       start,
		InactiveThreshold: scanInactive,
		MaxResetAttempts:  1,
	}
	if since != nil {
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartSeq = 0
		cfg.OptStartTime = since
	}

	c, err := js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("creating ordered consumer: %w", err)
	}
	return &scanner{cons: c}, nil
}

// fetch returns up to n further messages, and whether the stream held no
// more matching messages when the last of them was read.
func (sc *scanner) fetch(n int) ([]scanned, bool, error) {
	b, err := sc.cons.FetchNoWait(n)
	if err != nil {
		return nil, false, fmt.Errorf("fetching audit entries: %w", err)
	}

	out := make([]scanned, 0, n)
	end := true
	for m := range b.Messages() {
		md, err := m.Metadata()
		if err != nil {
			return nil, false, fmt.Errorf("reading metadata: %w", err)
		}
		s := scanned{stored: md.Timestamp, seq: md.Sequence.Stream}
		s.ok = json.Unmarshal(m.Data(), &s.entry) == nil &&
			s.entry.Type.Valid()
		s.entry.Seq = s.seq
		out = append(out, s)
		end = md.NumPending == 0
	}
	if err := b.Error(); err != nil {
		return nil, false, fmt.Errorf("fetching audit entries: %w", err)
	}
	return out, end, nil
}
