package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBatch encodes rs as one batch with the given id.
func buildBatch(id string, rs []eventRecord) []byte {
	bb := newBatchBuilder(rs[0].tenant, id, rs[0].time, time.Now())
	for i := range rs {
		bb.add(&rs[i])
	}
	return bb.bytes()
}

func sampleRecords(n int) []eventRecord {
	cats := []string{"task-lifecycle", "alert", "task-lifecycle", "sla"}
	at := base.UnixNano()
	rs := make([]eventRecord, n)
	for i := range rs {
		rs[i] = eventRecord{
			tenant:    "t1",
			category:  cats[i%len(cats)],
			eventID:   "ev-" + string(rune('a'+i%26)),
			time:      at + int64(i)*int64(time.Millisecond) - 5,
			streamSeq: uint64(1000 + i),
		}
	}
	if n > 2 {
		rs[2].id = "given-id"
	}
	return rs
}

func TestBatchRoundTrip(t *testing.T) {
	rs := sampleRecords(9)
	data := buildBatch("B1", rs)
	require.True(t, isBatch(data))

	n, err := batchCount(data)
	require.NoError(t, err)
	assert.Equal(t, len(rs), n)

	tests := []struct {
		name  string
		first int
	}{
		{"whole batch", 0},
		{"from the middle", 4},
		{"last only", 8},
		{"past the end", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBatch(nil, data, "t1", 7, tt.first)
			require.NoError(t, err)
			require.Len(t, got, len(rs)-tt.first)
			for k, e := range got {
				i := tt.first + k
				r := rs[i]
				id := "B1-" + string(rune('0'+i))
				if r.id != "" {
					id = r.id
				}
				assert.Equal(t, Entry{
					ID: id, Seq: 7*EventSeqFactor + uint64(i),
					Type: TypeEventReceived, Time: time.Unix(0, r.time).UTC(),
					TenantID: "t1", Category: r.category, EventID: r.eventID,
					StreamSeq: r.streamSeq,
				}, e)
			}
		})
	}
}

func TestBatchMalformed(t *testing.T) {
	data := buildBatch("B1", sampleRecords(5))
	for n := range len(data) {
		_, err := decodeBatch(nil, data[:n], "t1", 1, 0)
		assert.ErrorIs(t, err, errBadBatch, "cut at %d", n)
	}

	long := append(append([]byte{}, data...), 0)
	_, err := decodeBatch(nil, long, "t1", 1, 0)
	assert.ErrorIs(t, err, errBadBatch, "trailing byte")

	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"json", []byte(`{"type":"event-received"}`)},
		{"zero records", []byte{batchVersion, 0, 0, 0}},
		{"too many records", []byte{batchVersion, 0, 0, 0x91, 0x4e}},
		{"unknown category index",
			[]byte{batchVersion, 0, 0, 1, 0, 1, 5, 0, 0}},
		{"string past the end", []byte{batchVersion, 9, 'a'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := decodeBatch([]Entry{{}}, tt.data, "t1", 1, 0)
			assert.ErrorIs(t, err, errBadBatch)
			assert.Len(t, out, 1, "out unchanged")
		})
	}
}

func TestBatchSeqOverflow(t *testing.T) {
	data := buildBatch("B1", sampleRecords(1))
	_, err := decodeBatch(nil, data, "t1", ^uint64(0)/EventSeqFactor, 0)
	assert.ErrorIs(t, err, errBadBatch)
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(buildBatch("B1", sampleRecords(5)))
	f.Add([]byte{batchVersion, 0, 0, 1, 0, 1, 0, 1, 'x', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeBatch(nil, data, "t1", 3, 0)
		if err != nil {
			require.Empty(t, got)
			return
		}
		n, err := batchCount(data)
		require.NoError(t, err)
		require.Len(t, got, n)
	})
}
