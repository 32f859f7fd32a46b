package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/consumer"
)

// latencyRate is the steady publish rate of the latency figure.
const latencyRate = 5000

// percentiles summarises latencies in milliseconds.
type percentiles struct {
	Samples int     `json:"samples"`
	Lost    int     `json:"lost"`
	P50     float64 `json:"p50Ms"`
	P99     float64 `json:"p99Ms"`
	Max     float64 `json:"maxMs"`
}

func summarize(ds []time.Duration, lost int) percentiles {
	if len(ds) == 0 {
		return percentiles{Lost: lost}
	}
	slices.Sort(ds)
	at := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.5) - 1
		i = min(max(i, 0), len(ds)-1)
		return float64(ds[i]) / float64(time.Millisecond)
	}
	return percentiles{Samples: len(ds), Lost: lost, P50: at(0.50),
		P99: at(0.99), Max: at(1)}
}

// receipts records, for each latency event, when a receiver got it; got
// says how many arrived.
type receipts struct {
	at  []int64
	got atomic.Int64
}

// idMarker precedes the index of a latency event in its body.
var idMarker = []byte(`"eventId":"L`)

// latencyIndex returns the index of the latency event in body (ids are
// "L<index+1>"), or -1.
func latencyIndex(body []byte) int {
	i := bytes.Index(body, idMarker)
	if i < 0 {
		return -1
	}
	n := 0
	for _, c := range body[i+len(idMarker):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n - 1
}

func (r *receipts) note(body []byte) {
	k := latencyIndex(body)
	if k < 0 || k >= len(r.at) {
		return
	}
	atomic.StoreInt64(&r.at[k], time.Now().UnixNano())
	r.got.Add(1)
}

// latency publishes at a steady latencyRate for the warm-up plus the
// measured seconds, and measures for each event the time from its
// publish until (a) the monitor republished it on monitor.events.> and
// (b) a bare durable pull consumer received it. Both receivers run at
// once, on the same events.
func (b *bench) latency(ctx context.Context) (monitorP, bareP percentiles, err error) {
	warm := latencyRate * 1
	total := warm + latencyRate*int(b.size.LatencySeconds)
	interval := time.Second / latencyRate
	start := time.Now().Add(500 * time.Millisecond)

	g := newGenerator(genConfig{Tenants: b.size.Tenants, IDPrefix: "L",
		OpenShare: 0.3, Seed: 2})
	evs := make([]*nats.Msg, total)
	for k := range evs {
		evs[k] = g.next(start.Add(time.Duration(k) * interval)).msg()
	}
	sent := make([]int64, total)
	mon := &receipts{at: make([]int64, total)}
	bare := &receipts{at: make([]int64, total)}

	mc, _, err := b.env.connect("bench-latency-monitor")
	if err != nil {
		return monitorP, bareP, err
	}
	defer mc.Close()
	sub, err := mc.Subscribe("monitor.events.>", func(m *nats.Msg) { mon.note(m.Data) })
	if err != nil {
		return monitorP, bareP, err
	}
	_ = sub.SetPendingLimits(-1, -1)
	if err := mc.Flush(); err != nil {
		return monitorP, bareP, err
	}

	bc, bjs, err := b.env.connect("bench-latency-bare")
	if err != nil {
		return monitorP, bareP, err
	}
	defer bc.Close()
	c, err := bjs.CreateConsumer(ctx, consumer.DefaultStream, jetstream.ConsumerConfig{
		Durable:       "bench-latency",
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverNewPolicy,
		FilterSubject: ingestPrefix + ".>",
		MaxAckPending: consumer.DefaultMaxAckPending,
	})
	if err != nil {
		return monitorP, bareP, err
	}
	defer func() { _ = bjs.DeleteConsumer(ctx, consumer.DefaultStream, "bench-latency") }()
	cc, err := c.Consume(func(m jetstream.Msg) {
		bare.note(m.Data())
		_ = m.Ack()
	}, jetstream.PullMaxMessages(2*consumer.DefaultBatch))
	if err != nil {
		return monitorP, bareP, err
	}
	defer cc.Stop()

	b.prof.start("latency")
	defer b.prof.stop("latency")
	if err := b.paced(ctx, evs, sent, start, interval); err != nil {
		return monitorP, bareP, err
	}
	_ = waitFor(ctx, 10*time.Second, func() bool {
		return mon.got.Load() >= int64(total) && bare.got.Load() >= int64(total)
	})
	return collect(mon, sent, warm), collect(bare, sent, warm), nil
}

// paced publishes evs at their scheduled times, noting each send time.
func (b *bench) paced(ctx context.Context, evs []*nats.Msg, sent []int64,
	start time.Time, interval time.Duration) error {
	js := b.env.js
	for k, m := range evs {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		atomic.StoreInt64(&sent[k], time.Now().UnixNano())
		if _, err := js.PublishMsgAsync(m, jetstream.WithStallWait(time.Minute)); err != nil {
			return fmt.Errorf("publishing latency event %d: %w", k, err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("latency publishes not acknowledged")
	}
}

// collect turns receipts into latencies, skipping the warm-up events.
func collect(r *receipts, sent []int64, warm int) percentiles {
	var ds []time.Duration
	lost := 0
	for k := warm; k < len(sent); k++ {
		at := atomic.LoadInt64(&r.at[k])
		if at == 0 {
			lost++
			continue
		}
		ds = append(ds, time.Duration(at-atomic.LoadInt64(&sent[k])))
	}
	return summarize(ds, lost)
}
