package state

import "sort"

// keyed is an item of a series: its key orders it, usually an event time
// or a stream sequence.
type keyed interface{ key() int64 }

// series keeps items in ascending key order. Appending at the end and
// trimming at the front are cheap, which is how event-time records grow
// and age; an item that arrives slightly out of order is inserted in
// place. Equal keys keep their insertion order.
type series[T keyed] struct {
	items []T
	head  int // items before head are dropped
}

// live returns the kept items, oldest first. The slice is valid until the
// next change to s.
func (s *series[T]) live() []T { return s.items[s.head:] }

// after returns the index in live of the first item whose key is above k.
func (s *series[T]) after(k int64) int {
	live := s.live()
	n := len(live)
	if n == 0 || live[n-1].key() <= k {
		return n
	}
	return sort.Search(n, func(i int) bool { return live[i].key() > k })
}

// between returns the items whose keys are in (lo, hi].
func (s *series[T]) between(lo, hi int64) []T {
	live := s.live()
	return live[s.after(lo):s.after(hi)]
}

// insert adds v after every item with a key at or below its own and
// returns a pointer to it, valid until the next change to s.
func (s *series[T]) insert(v T) *T {
	return s.insertAt(s.after(v.key()), v)
}

// insertAt puts v at index i of live, shifting later items.
func (s *series[T]) insertAt(i int, v T) *T {
	var zero T
	s.items = append(s.items, zero)
	at := s.head + i
	copy(s.items[at+1:], s.items[at:])
	s.items[at] = v
	return &s.items[at]
}

// dropBelow removes the items whose keys are below k.
func (s *series[T]) dropBelow(k int64) {
	live := s.live()
	n := 0
	for n < len(live) && live[n].key() < k {
		n++
	}
	s.dropFront(n)
}

// dropFront removes the n oldest items.
func (s *series[T]) dropFront(n int) {
	if n == 0 {
		return
	}
	clear(s.items[s.head : s.head+n]) // let the collector have them
	s.head += n
	if s.head == len(s.items) {
		s.items, s.head = s.items[:0], 0
		return
	}
	if s.head >= 32 && s.head >= len(s.items)/2 {
		k := copy(s.items, s.items[s.head:])
		clear(s.items[k:])
		s.items, s.head = s.items[:k], 0
	}
}
