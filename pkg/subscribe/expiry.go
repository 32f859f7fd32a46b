package subscribe

import (
	"container/heap"
	"time"
)

// expiryHeap orders live subscriptions by lease end, earliest first. It
// is guarded by Engine.mu.
type expiryHeap []*sub

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}

// Push and Pop are for container/heap; use push, fix and remove.
func (h *expiryHeap) Push(x any) {
	s := x.(*sub)
	s.heapIdx = len(*h)
	*h = append(*h, s)
}

func (h *expiryHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	s.heapIdx = -1
	return s
}

func (h *expiryHeap) push(s *sub) { heap.Push(h, s) }
func (h *expiryHeap) fix(s *sub)  { heap.Fix(h, s.heapIdx) }

func (h *expiryHeap) remove(s *sub) {
	if s.heapIdx >= 0 && s.heapIdx < len(*h) && (*h)[s.heapIdx] == s {
		heap.Remove(h, s.heapIdx)
	}
}

// idleWait is how long the expiry loop sleeps with no subscriptions; a
// new one wakes it sooner.
const idleWait = time.Hour

// expireLoop is the one goroutine that ends subscriptions whose lease
// ran out: it sleeps until the earliest lease end (or a change to it),
// removes every expired subscription and queues its end signal.
func (e *Engine) expireLoop() {
	defer e.wg.Done()
	timer := time.NewTimer(idleWait)
	defer timer.Stop()
	for {
		expired, wait := e.popExpired()
		for _, s := range expired {
			e.sendEnd(s, EndExpired)
		}
		if len(expired) > 0 {
			e.log.Debug().Int("subscriptions", len(expired)).Msg("leases expired")
		}

		timer.Reset(wait)
		select {
		case <-e.stop:
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

// popExpired removes the subscriptions whose lease has ended and returns
// them, with how long to wait for the next lease end.
func (e *Engine) popExpired() ([]*sub, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, idleWait
	}
	now := e.cfg.Now()
	var out []*sub
	for len(e.expiry) > 0 && !e.expiry[0].expires.After(now) {
		s := e.expiry[0]
		e.removeLocked(s)
		out = append(out, s)
	}
	e.ends.Add(len(out))
	if len(e.expiry) == 0 {
		return out, idleWait
	}
	return out, max(e.expiry[0].expires.Sub(now), time.Millisecond)
}
