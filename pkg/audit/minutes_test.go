package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMinutes(t *testing.T) {
	now := time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)
	var m Minutes
	m.Add(now)                        // current
	m.Add(now.Add(-59 * time.Second)) // current
	m.Add(now.Add(-60 * time.Second)) // previous
	m.Add(now.Add(-119 * time.Second))
	m.Add(now.Add(-120 * time.Second)) // shares now's slot, older: dropped

	cur, prev := m.PerMinute(now)
	assert.Equal(t, 2, cur)
	assert.Equal(t, 2, prev)

	// Two minutes later everything has aged out.
	cur, prev = m.PerMinute(now.Add(3 * time.Minute))
	assert.Zero(t, cur)
	assert.Zero(t, prev)
}
