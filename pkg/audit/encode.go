package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// CSVHeader is the header row of WriteCSV: api.md's columns, in order.
var CSVHeader = []string{
	"id", "seq", "type", "time", "tenantId", "userId", "userTenantId",
	"endpoint", "decision", "rule", "reason", "category", "eventId",
	"streamSeq", "metricCategory", "value", "detail",
}

// WriteJSON writes page as {"entries": [...], "nextCursor": "..."} and a
// newline. Entries is written as [] when empty. It returns w's error.
func WriteJSON(w io.Writer, page Page) error {
	var b bytes.Buffer
	b.WriteString(`{"entries":[`)
	for i := range page.Entries {
		if i > 0 {
			b.WriteByte(',')
		}
		data, err := marshalEntry(&page.Entries[i])
		if err != nil {
			return err
		}
		b.Write(data)
	}
	b.WriteString(`],"nextCursor":`)
	c, _ := json.Marshal(page.NextCursor)
	b.Write(c)
	b.WriteString("}\n")

	_, err := w.Write(b.Bytes())
	return err
}

// marshalEntry encodes e as JSON without HTML escaping, as WriteJSON and
// the page size accounting of Reader.Query do.
func marshalEntry(e *Entry) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encoding entry %s: %w", e.ID, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// WriteCSV writes the header row and one row per entry, quoted as RFC
// 4180 says. A text cell that starts with '=', '+', '-' or '@' gets a
// leading "'" so a spreadsheet shows it instead of running it. seq,
// streamSeq and value are number cells, written by the monitor from
// numbers and never prefixed, so a negative value stays a number; an
// absent value and a streamSeq of 0 are empty cells. Records end in LF
// and cell bytes are written unchanged, CR included (readers such as
// encoding/csv fold a CR LF inside a quoted cell into LF). It returns
// w's error.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range entries {
		if err := cw.Write(csvRecord(&entries[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRecord returns e's cells in CSVHeader order.
func csvRecord(e *Entry) []string {
	value := ""
	if e.Value != nil {
		value = formatNumber(*e.Value)
	}
	streamSeq := ""
	if e.StreamSeq != 0 {
		streamSeq = strconv.FormatUint(e.StreamSeq, 10)
	}
	return []string{
		safeText(e.ID),
		strconv.FormatUint(e.Seq, 10),
		safeText(string(e.Type)),
		e.Time.UTC().Format(time.RFC3339Nano),
		safeText(e.TenantID),
		safeText(e.UserID),
		safeText(e.UserTenantID),
		safeText(e.Endpoint),
		safeText(e.Decision),
		safeText(e.Rule),
		safeText(e.Reason),
		safeText(e.Category),
		safeText(e.EventID),
		streamSeq,
		safeText(e.MetricCategory),
		value,
		safeText(e.Detail),
	}
}

// safeText prefixes a cell that a spreadsheet would read as a formula.
func safeText(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@':
			return "'" + s
		}
	}
	return s
}

// formatNumber writes v as encoding/json does: plain decimals, and an
// exponent only for very large or very small magnitudes.
func formatNumber(v float64) string {
	b, err := json.Marshal(v)
	if err != nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return string(b)
}

// csvRowSize returns the bytes WriteCSV spends on e's row.
func csvRowSize(e *Entry) int {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(csvRecord(e))
	cw.Flush()
	return b.Len()
}

// pageOverhead bounds the bytes of a page besides its entries in either
// format: the JSON envelope with the longest cursor, or the CSV header.
var pageOverhead = func() int {
	env := len(`{"entries":[],"nextCursor":""}`+"\n") + maxCursorLen
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(CSVHeader)
	cw.Flush()
	return max(env, b.Len())
}()
