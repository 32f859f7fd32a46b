package audit

import "time"

// ringSeconds is the length of a Minutes ring: the last minute and the
// one before.
const ringSeconds = 120

// Minutes counts things per second over the last two minutes, for the
// this-minute-versus-last figures of the statistics. The zero value is
// ready. It is not safe for concurrent use: its owner locks around it.
type Minutes struct {
	// count[s%ringSeconds] counts the unix second s, valid while
	// stamp holds the same s.
	count [ringSeconds]uint32
	stamp [ringSeconds]int64
}

// Add counts one thing at t. A time older than the slot's second is
// already out of the ring and is not counted.
func (m *Minutes) Add(t time.Time) {
	sec := t.Unix()
	i := int(((sec % ringSeconds) + ringSeconds) % ringSeconds)
	switch {
	case sec < m.stamp[i]:
		return
	case sec > m.stamp[i]:
		m.stamp[i], m.count[i] = sec, 0
	}
	m.count[i]++
}

// PerMinute returns the count of the 60 s up to now (current) and of the
// 60 s before (previous), at one-second resolution.
func (m *Minutes) PerMinute(now time.Time) (current, previous int) {
	end := now.Unix()
	for i := range m.stamp {
		age := end - m.stamp[i]
		switch {
		case m.count[i] == 0, age < 0:
		case age < 60:
			current += int(m.count[i])
		case age < ringSeconds:
			previous += int(m.count[i])
		}
	}
	return current, previous
}
