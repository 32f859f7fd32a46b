package metrics

import (
	"github.com/opsmonitor/monitor/pkg/event"
)

// rateMinutes is how many minutes before now the event-rate metrics
// read: trend-signal's five.
const rateMinutes = 5

// perMinute returns the events in scope per category in the minute
// ending k minutes before now, (now-(k+1)m, now-k m], for k below
// rateMinutes. The minutes are counted once per evaluation.
func perMinute(in input, k int) [event.NumCategories]uint64 {
	if in.memo.minutes == nil {
		in.memo.minutes = new([rateMinutes][event.NumCategories]uint64)
		in.t.EventCountsByMinute(in.f, in.now, in.memo.minutes[:])
	}
	return in.memo.minutes[k]
}

// sum adds up per-category counts.
func sum(c [event.NumCategories]uint64) float64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return float64(n)
}

// eventsPerMinute is cross-engine-performance's value: the accepted
// events in scope in (now-60s, now].
func eventsPerMinute(in input) float64 { return sum(perMinute(in, 0)) }

// crossEngine is metrics.md §6: the last minute's events per engine,
// against the minute before.
func crossEngine(in input, m *Metric) {
	cur := perMinute(in, 0)
	curN, prevN := sum(cur), sum(perMinute(in, 1))
	byEngine := make(map[string]float64, event.NumCategories)
	for _, c := range event.Categories {
		byEngine[c.Engine()] = float64(cur[c])
	}

	m.Value = curN
	m.Breakdown["byEngine"] = byEngine
	m.Trend = newTrend(changeRate(curN, prevN))
	m.WindowMinutes = intPtr(1)
	m.Metadata.SampleSize = int(curN + prevN)
}

// trendSignal is metrics.md §8: the least-squares slope over the last
// five one-minute buckets.
func trendSignal(in input, m *Metric) {
	var b [5]float64 // b[0] is b1, the oldest minute
	var byCat [event.NumCategories]float64
	for i := range b {
		c := perMinute(in, 4-i)
		b[i] = sum(c)
		for k, v := range c {
			byCat[k] += float64(v)
		}
	}
	total := b[0] + b[1] + b[2] + b[3] + b[4]
	value := total / 5
	slope := 0.0
	for i, bi := range b {
		slope += float64(i+1-3) * (bi - value)
	}
	slope /= 10
	rate := 0.0
	if value != 0 {
		rate = slope / value * 100
	}
	cats := make(map[string]float64, event.NumCategories)
	for _, c := range event.Categories {
		cats[c.String()] = byCat[c]
	}

	m.Value = value
	m.Breakdown["perMinute"] = b[:]
	m.Breakdown["byCategory"] = cats
	m.Trend = newTrend(rate)
	m.WindowMinutes = intPtr(5)
	m.Metadata.SampleSize = int(total)
}
