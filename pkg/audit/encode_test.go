package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteCSVHostileValues(t *testing.T) {
	hostile := []string{
		"=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
		"a,b,c", `say "hi"`, "line1\nline2\r\nline3", "plain",
		"'already quoted", " =spaced", "",
	}
	var entries []Entry
	for i, h := range hostile {
		entries = append(entries, Entry{
			ID: h, Seq: uint64(i + 1), Type: TypeError,
			Time:     time.Date(2026, 1, 21, 10, 0, i, 5, time.UTC),
			TenantID: "t1", UserID: h, UserTenantID: h, Endpoint: h,
			Decision: h, Rule: h, Reason: h, Category: h, EventID: h,
			StreamSeq: uint64(i), MetricCategory: h,
			Value: ptr(-float64(i) - 0.5), Detail: h,
		})
	}

	var b bytes.Buffer
	require.NoError(t, WriteCSV(&b, entries))
	assert.Contains(t, b.String(), "line2\r\nline3", "bytes kept")

	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(entries)+1)
	assert.Equal(t, CSVHeader, rows[0])
	assert.Equal(t, "id,seq,type,time,tenantId,userId,userTenantId,"+
		"endpoint,decision,rule,reason,category,eventId,streamSeq,"+
		"metricCategory,value,detail", strings.Join(rows[0], ","))

	textCols := []int{0, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16}
	for i, row := range rows[1:] {
		h := hostile[i]
		// encoding/csv's reader drops a CR before LF, even in a
		// quoted field; WriteCSV wrote the bytes unchanged.
		want := strings.ReplaceAll(h, "\r\n", "\n")
		if h != "" && strings.ContainsRune("=+-@", rune(h[0])) {
			want = "'" + h
		}
		for _, c := range textCols {
			assert.Equal(t, want, row[c], "row %d column %s", i,
				CSVHeader[c])
		}

		assert.Equal(t, strconv.Itoa(i+1), row[1])
		assert.Equal(t, "error", row[2])
		assert.Equal(t, "t1", row[4])
		parsed, err := time.Parse(time.RFC3339Nano, row[3])
		require.NoError(t, err)
		assert.True(t, parsed.Equal(entries[i].Time))

		v, err := strconv.ParseFloat(row[15], 64)
		require.NoError(t, err, "value stays a number")
		assert.Equal(t, *entries[i].Value, v)
		assert.Equal(t, byte('-'), row[15][0], "no prefix on numbers")
		if i == 0 {
			assert.Empty(t, row[13], "streamSeq 0 is empty")
		} else {
			assert.Equal(t, strconv.Itoa(i), row[13])
		}
	}
}

func TestWriteCSVAbsentValue(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteCSV(&b, []Entry{{Type: TypeError}}))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	assert.Empty(t, rows[1][15])
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name string
		page Page
		want string
	}{
		{"empty", Page{}, `{"entries":[],"nextCursor":""}`},
		{"one", Page{
			Entries: []Entry{{ID: "a", Seq: 3, Type: TypePolicyDecision,
				Time:     time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC),
				TenantID: "t1", Detail: "<&>"}},
			NextCursor: "c",
		}, `{"entries":[{"id":"a","seq":3,"type":"policy-decision",` +
			`"time":"2026-01-21T10:00:00Z","tenantId":"t1","userId":"",` +
			`"userTenantId":"","endpoint":"","decision":"","rule":"",` +
			`"reason":"","category":"","eventId":"","streamSeq":0,` +
			`"metricCategory":"","value":null,"detail":"<&>"}],` +
			`"nextCursor":"c"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteJSON(&b, tt.page))
			assert.Equal(t, tt.want+"\n", b.String())

			var back Page
			require.NoError(t, json.Unmarshal(b.Bytes(), &back))
			assert.Equal(t, len(tt.page.Entries), len(back.Entries))
		})
	}
}

func TestRejectionEntry(t *testing.T) {
	body := append(bytes.Repeat([]byte("x"), MaxBodyBytes+100), 0xff)
	e := RejectionEntry("t1", "too-large", "body over 64 KiB", body, 9)

	assert.Equal(t, TypeError, e.Type)
	assert.Equal(t, "too-large", e.Reason)
	assert.Equal(t, uint64(9), e.StreamSeq)
	assert.Contains(t, e.Detail, "sha256=")
	assert.Contains(t, e.Detail, "bodyBytes=4197 keptBytes=4096")
	assert.Equal(t, MaxBodyBytes,
		len(e.Detail)-strings.Index(e.Detail, "body=x")-len("body="))

	e.normalize()
	assert.LessOrEqual(t, len(e.Detail), MaxDetailBytes)
}

func TestNormalizeCapsFields(t *testing.T) {
	e := Entry{Type: TypeError, TenantID: "t",
		Reason: strings.Repeat("é", MaxFieldBytes),
		Detail: strings.Repeat("x", 2*MaxDetailBytes) + "\xff"}
	e.normalize()

	assert.LessOrEqual(t, len(e.Reason), MaxFieldBytes)
	assert.True(t, strings.HasSuffix(e.Reason, "…"))
	assert.LessOrEqual(t, len(e.Detail), MaxDetailBytes)
}
