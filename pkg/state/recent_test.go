package state

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestRecentRing checks the ring against its definition: of every
// sequence inserted, the limit highest, in ascending order, whatever
// the order of arrival.
func TestRecentRing(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		limit := rapid.IntRange(1, 40).Draw(rt, "limit")
		n := rapid.IntRange(0, 200).Draw(rt, "n")
		seqs := make([]uint64, n)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		// Nearly in order, as categories interleave: swap a few
		// neighbours, sometimes far ones.
		for range rapid.IntRange(0, n).Draw(rt, "swaps") {
			i := rapid.IntRange(0, n-1).Draw(rt, "i")
			j := min(n-1, i+rapid.IntRange(0, 50).Draw(rt, "d"))
			seqs[i], seqs[j] = seqs[j], seqs[i]
		}

		var r recentRing
		for k, s := range seqs {
			r.insert(recentRec{seq: s}, limit)

			want := slices.Clone(seqs[:k+1])
			slices.Sort(want)
			want = want[max(0, len(want)-limit):]
			got := make([]uint64, r.n)
			for i := range r.n {
				got[i] = r.at(i).seq
			}
			if !slices.Equal(got, want) {
				rt.Fatalf("after %v: ring %v, want %v", seqs[:k+1], got, want)
			}
			if len(r.buf) > limit {
				rt.Fatalf("ring of %d slots for a limit of %d", len(r.buf), limit)
			}
		}
	})
}
