package audit

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// A cursor is where the next page starts: a part (the trail stream or the
// events stream) and a stream sequence. On the wire it is opaque:
// base64url (unpadded) of "v1:<part>:<seq>", part "a" or "e".
type cursor struct {
	part int
	seq  uint64
}

// Parts of a query, in the order they are paged through.
const (
	partTrail = iota
	partEvents
	numParts
)

var partNames = [numParts]string{partTrail: "a", partEvents: "e"}

// maxCursorLen bounds an encoded cursor's length.
var maxCursorLen = len(cursor{seq: ^uint64(0)}.String())

// String encodes c.
func (c cursor) String() string {
	raw := "v1:" + partNames[c.part] + ":" +
		strconv.FormatUint(c.seq, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// parseCursor decodes s; any flaw is an error wrapping ErrBadRequest.
func parseCursor(s string) (cursor, error) {
	bad := func(why string) (cursor, error) {
		return cursor{}, fmt.Errorf("%w: cursor: %s", ErrBadRequest, why)
	}
	if len(s) > maxCursorLen {
		return bad("too long")
	}

	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad("not base64url")
	}
	fields := strings.Split(string(raw), ":")
	if len(fields) != 3 || fields[0] != "v1" {
		return bad("unknown format")
	}

	c := cursor{part: -1}
	for i, name := range partNames {
		if fields[1] == name {
			c.part = i
		}
	}
	if c.part < 0 {
		return bad("unknown stream")
	}

	c.seq, err = strconv.ParseUint(fields[2], 10, 64)
	if err != nil || c.seq == 0 || fields[2] != strconv.FormatUint(c.seq, 10) {
		return bad("bad sequence")
	}
	return c, nil
}
