package api

import (
	"context"
	"time"
)

// health answers monitor.health without a token and without tenant data.
func (s *Server) health(_ context.Context, r *request) reply {
	p := s.cfg.Pipeline.Progress()
	h := Health{
		Status:        s.cfg.Status(),
		Version:       s.cfg.Version,
		UptimeSeconds: int64(r.now.Sub(s.cfg.Started) / time.Second),
		Tenants:       s.cfg.Registry.Len(),
		Rebuild:       RebuildProgress{Done: p.Done, Applied: p.Applied, Target: p.Target},
		Consumers:     []ConsumerHealth{},
	}
	for _, c := range s.cfg.Pipeline.Consumers() {
		h.Consumers = append(h.Consumers, ConsumerHealth{
			Category: c.Category, Pending: c.Pending, AckPending: c.AckPending, Redelivered: c.Redelivered,
		})
	}
	return reply{body: h}
}
