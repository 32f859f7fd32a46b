package audit

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// A cursor is where the next page starts: a part (the trail stream or the
// events stream) and the seq of the next entry there. For the events
// stream that seq names a batch message and a position in it (see
// EventSeqFactor), so a page may end, and the next begin, inside a
// batch. On the wire it is opaque: base64url (unpadded) of
// "v2:<part>:<seq>", part "a" or "e". A "v1" cursor, written before
// event-received entries were batched, holds a plain stream sequence
// and is still read: for the events stream it means the first position
// of that message.
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
	raw := "v2:" + partNames[c.part] + ":" +
		strconv.FormatUint(c.seq, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// message returns the stream sequence of the message c starts in and
// the position in it.
func (c cursor) message() (seq uint64, first int) {
	if c.part != partEvents {
		return c.seq, 0
	}
	return c.seq / EventSeqFactor, int(c.seq % EventSeqFactor)
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
	if len(fields) != 3 || (fields[0] != "v1" && fields[0] != "v2") {
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
	if fields[0] == "v1" && c.part == partEvents {
		if c.seq > ^uint64(0)/EventSeqFactor {
			return bad("bad sequence")
		}
		c.seq *= EventSeqFactor
	}
	if c.part == partEvents && c.seq < EventSeqFactor {
		return bad("bad sequence")
	}
	return c, nil
}
