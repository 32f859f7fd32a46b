package audit

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"
)

// Event-received entries are stored in batches: one message of the
// events stream, on monitor.audit.events.<tenantId>, holds many compact
// records of that tenant. The body is binary:
//
//	version byte batchVersion
//	batch id            string
//	base time           varint, Unix nanoseconds
//	record count        uvarint, 1 to MaxBatchRecords
//	records, each:
//	  time              varint, nanoseconds after the base time
//	  streamSeq         uvarint
//	  category          uvarint k: 0 = a new string follows and joins
//	                    the batch's table; k > 0 = table entry k-1
//	  eventId           string
//	  id                string, empty when derived
//
// where a string is a uvarint length and its bytes. A record's entry id
// is its own when Record was given one, or else the batch id, "-" and
// its position. Messages whose body starts with '{' are single JSON
// entries, as stored before batching.

// batchVersion is the first byte of a batch body. It can never start a
// JSON document.
const batchVersion = 0xb1

// MaxBatchRecords is the most records one batch message may hold: the
// positions of a batch run from 0 to MaxBatchRecords-1.
const MaxBatchRecords = 10000

// EventSeqFactor composes the seq of an event-received entry: the
// stream sequence of its batch message times EventSeqFactor plus its
// position in the batch. So seq is unique and ascending within the
// events stream, and seq / EventSeqFactor is the message to fetch.
const EventSeqFactor = MaxBatchRecords

// maxRecordString caps a string inside a batch on decoding; Record caps
// every field well below it.
const maxRecordString = 1 << 16

// eventRecord is one event-received entry as the Writer buffers it.
type eventRecord struct {
	tenant    string
	category  string
	eventID   string
	id        string
	time      int64 // Unix nanoseconds
	streamSeq uint64
}

// batchBuilder encodes the records of one tenant's next batch.
type batchBuilder struct {
	tenant string
	id     string
	base   int64
	count  int
	// opened is when the first record arrived, on the real clock.
	opened time.Time
	// cats maps the categories seen to their table index plus one.
	cats map[string]uint64
	body []byte
	// head is the encoded prefix before the count, kept apart so the
	// count can be written last.
	head []byte
}

func newBatchBuilder(tenant, id string, base int64,
	opened time.Time) *batchBuilder {
	b := &batchBuilder{
		tenant: tenant, id: id, base: base, opened: opened,
		cats: make(map[string]uint64, 8),
		body: make([]byte, 0, 4096),
	}
	b.head = append(b.head, batchVersion)
	b.head = appendString(b.head, id)
	b.head = binary.AppendVarint(b.head, base)
	return b
}

// add appends r to the batch.
func (b *batchBuilder) add(r *eventRecord) {
	b.body = binary.AppendVarint(b.body, r.time-b.base)
	b.body = binary.AppendUvarint(b.body, r.streamSeq)
	if k, ok := b.cats[r.category]; ok {
		b.body = binary.AppendUvarint(b.body, k)
	} else {
		b.cats[r.category] = uint64(len(b.cats) + 1)
		b.body = binary.AppendUvarint(b.body, 0)
		b.body = appendString(b.body, r.category)
	}
	b.body = appendString(b.body, r.eventID)
	b.body = appendString(b.body, r.id)
	b.count++
}

// size is the encoded size of the batch so far.
func (b *batchBuilder) size() int {
	return len(b.head) + binary.MaxVarintLen64 + len(b.body)
}

// bytes returns the finished batch body.
func (b *batchBuilder) bytes() []byte {
	out := make([]byte, 0, b.size())
	out = append(out, b.head...)
	out = binary.AppendUvarint(out, uint64(b.count))
	return append(out, b.body...)
}

// recordSize bounds the bytes r adds to a batch.
func recordSize(r *eventRecord) int {
	return 4*binary.MaxVarintLen64 + len(r.category) + len(r.eventID) +
		len(r.id)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// errBadBatch marks a batch body that does not decode.
var errBadBatch = errors.New("malformed event batch")

// isBatch reports whether data is a batch body rather than a JSON entry.
func isBatch(data []byte) bool {
	return len(data) > 0 && data[0] == batchVersion
}

// decodeBatch expands a batch body stored at stream sequence msgSeq
// under tenant into its entries, from position first on, appending
// them to out. It fails with errBadBatch and returns out unchanged.
func decodeBatch(out []Entry, data []byte, tenant string, msgSeq uint64,
	first int) ([]Entry, error) {
	d := batchDecoder{data: data}
	if d.byte() != batchVersion {
		return out, errBadBatch
	}
	id := d.string()
	base := d.varint()
	count := d.uvarint()
	if d.err != nil || count == 0 || count > MaxBatchRecords ||
		msgSeq > (^uint64(0)-MaxBatchRecords)/EventSeqFactor {
		return out, errBadBatch
	}

	start := len(out)
	var cats []string
	for i := range int(count) {
		t := d.varint()
		streamSeq := d.uvarint()
		cat := ""
		switch k := d.uvarint(); {
		case k == 0:
			cat = d.string()
			cats = append(cats, cat)
		case k <= uint64(len(cats)):
			cat = cats[k-1]
		default:
			d.fail()
		}
		eventID := d.string()
		entryID := d.string()
		if d.err != nil {
			return out[:start], errBadBatch
		}
		if i < first {
			continue
		}

		if entryID == "" {
			entryID = id + "-" + strconv.Itoa(i)
		}
		out = append(out, Entry{
			ID:        entryID,
			Seq:       msgSeq*EventSeqFactor + uint64(i),
			Type:      TypeEventReceived,
			Time:      time.Unix(0, base+t).UTC(),
			TenantID:  tenant,
			Category:  cat,
			EventID:   eventID,
			StreamSeq: streamSeq,
		})
	}
	if len(d.data) != 0 {
		return out[:start], errBadBatch
	}
	return out, nil
}

// batchCount returns the record count of a batch body without decoding
// its records.
func batchCount(data []byte) (int, error) {
	d := batchDecoder{data: data}
	if d.byte() != batchVersion {
		return 0, errBadBatch
	}
	d.string()
	d.varint()
	count := d.uvarint()
	if d.err != nil || count == 0 || count > MaxBatchRecords {
		return 0, errBadBatch
	}
	return int(count), nil
}

// batchDecoder reads a batch body; the first flaw sticks in err and
// every later read returns zero.
type batchDecoder struct {
	data []byte
	err  error
}

func (d *batchDecoder) fail() {
	d.err = errBadBatch
	d.data = nil
}

func (d *batchDecoder) byte() byte {
	if len(d.data) == 0 {
		d.fail()
		return 0
	}
	c := d.data[0]
	d.data = d.data[1:]
	return c
}

func (d *batchDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *batchDecoder) varint() int64 {
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *batchDecoder) string() string {
	n := d.uvarint()
	if n > maxRecordString || n > uint64(len(d.data)) {
		d.fail()
		return ""
	}
	s := string(d.data[:n])
	d.data = d.data[n:]
	return s
}
