package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/event"
)

// scanInactive is how long the server keeps a scanner's ephemeral
// consumer after its last fetch.
const scanInactive = 10 * time.Second

// scanned is one stored message of a scan, not yet decoded.
type scanned struct {
	data    []byte
	subject string
	stored  time.Time
	seq     uint64
}

// entries decodes m's entries from position first on and appends them
// to out. A message of the events stream (events true) is a batch, or a
// single JSON entry as stored before batching; its entries' seq is
// composed with EventSeqFactor. A message of the trail holds one JSON
// entry whose seq is the message's. A message that does not decode as
// entries of a known type adds none, and ok is false.
func (m *scanned) entries(out []Entry, events bool,
	first int) (_ []Entry, ok bool) {
	if events && isBatch(m.data) {
		tenant, found := strings.CutPrefix(m.subject, EventsSubjectPrefix)
		if !found || !event.ValidName(tenant) {
			return out, false
		}
		var err error
		out, err = decodeBatch(out, m.data, tenant, m.seq, first)
		return out, err == nil
	}

	var e Entry
	if json.Unmarshal(m.data, &e) != nil || !e.Type.Valid() {
		return out, false
	}
	e.Seq = m.seq
	if events {
		if m.seq > ^uint64(0)/EventSeqFactor {
			return out, false
		}
		e.Seq *= EventSeqFactor
	}
	if first > 0 {
		return out, true
	}
	return append(out, e), true
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
		out = append(out, scanned{
			data:    m.Data(),
			subject: m.Subject(),
			stored:  md.Timestamp,
			seq:     md.Sequence.Stream,
		})
		end = md.NumPending == 0
	}
	if err := b.Error(); err != nil {
		return nil, false, fmt.Errorf("fetching audit entries: %w", err)
	}
	return out, end, nil
}
