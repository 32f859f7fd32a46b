package main

import (
	"context"
	"fmt"

	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// fanout measures the managed subscriptions' delivery rate with 1,000
// subscriptions on one tenant, each matching every event, through the
// subscription engine (pkg/subscribe.MeasureFanout) publishing on its own
// connection to the benchmark's server: once with the operator visible
// to every subscriber, once with every delivery stripped by the
// visibility filter.
func (b *bench) fanout(ctx context.Context) error {
	pub, _, err := b.env.connect("bench-fanout-pub")
	if err != nil {
		return err
	}
	defer pub.Close()
	recv, _, err := b.env.connect("bench-fanout-recv")
	if err != nil {
		return err
	}
	defer recv.Close()

	for _, visible := range []bool{true, false} {
		r, err := subscribe.MeasureFanout(ctx, pub, recv, subscribe.FanoutOptions{
			Subscriptions: 1000, Events: b.size.FanoutEvents, Visible: visible})
		if err != nil {
			return fmt.Errorf("fan-out: %w", err)
		}
		label := "operator visible"
		if !visible {
			label = "operator stripped"
		}
		b.res.Fanout = append(b.res.Fanout, r)
		b.res.Rows = append(b.res.Rows, row{
			Figure: "fan-out: 1,000 subscriptions, one tenant (" + label + ")",
			Unit:   "deliveries/s", Monitor: f(r.PerSecond)})
		b.note("fan-out (%s): %s", label, r)
	}
	b.note("fan-out: engine level (subscribe.MeasureFanout publishing to a server subscriber), not through monitor.subscribe requests; no baseline")
	return nil
}
