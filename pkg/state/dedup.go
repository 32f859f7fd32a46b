package state

// dedup remembers the hashes of the last accepted event ids of one
// tenant and category: a ring in acceptance order, so the oldest is
// forgotten first, and a set for the look-up. The ring grows to its
// window only as events come, so a quiet tenant stays small.
type dedup struct {
	ring []uint64
	next int // oldest slot once the ring is full
	seen map[uint64]struct{}
}

// has reports whether h is among the remembered hashes.
func (d *dedup) has(h uint64) bool {
	_, ok := d.seen[h]
	return ok
}

// add remembers h, forgetting the oldest hash when window are held.
func (d *dedup) add(h uint64, window int) {
	if d.seen == nil {
		d.seen = make(map[uint64]struct{})
	}
	if len(d.ring) < window {
		d.ring = append(d.ring, h)
	} else {
		delete(d.seen, d.ring[d.next])
		d.ring[d.next] = h
		d.next = (d.next + 1) % window
	}
	d.seen[h] = struct{}{}
}

// hashID is the 64-bit FNV-1a hash of an event id. It is fixed, so a
// monitor rebuilt from the stream recognises the same duplicates.
func hashID(id string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return h
}
