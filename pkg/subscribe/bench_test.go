package subscribe

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/internal/natstest"
)

// BenchmarkFanout1000 delivers b.N events to 1,000 subscriptions of one
// tenant through an embedded server; msg/s counts deliveries received.
func BenchmarkFanout1000(b *testing.B) {
	for _, tc := range []struct {
		name    string
		visible bool
	}{{"visible", true}, {"stripped", false}} {
		b.Run(tc.name, func(b *testing.B) {
			s := natstest.Server(b, "")
			pub, _ := natstest.Conn(b, s)
			recv, _ := natstest.Conn(b, s)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			b.ResetTimer()
			res, err := MeasureFanout(ctx, pub, recv, FanoutOptions{Subscriptions: 1000,
				Events: max(b.N, 1), Visible: tc.visible})
			require.NoError(b, err)
			b.StopTimer()
			b.ReportMetric(res.PerSecond, "msg/s")
			b.ReportMetric(float64(res.Offer.Nanoseconds()), "offer-ns/event")
			b.ReportMetric(float64(res.Dropped), "dropped")
			b.Log(res)
		})
	}
}
