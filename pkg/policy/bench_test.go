package policy

import (
	"strconv"
	"testing"
)

// BenchmarkFilterOperatorMap measures filtering a copied byOperator
// breakdown of 50 operators down to what a team lead of 20 may see, as
// a query does for each operator-keyed metric. (StripOperatorFields and
// CanSee have their benchmarks next to their tests.)
func BenchmarkFilterOperatorMap(b *testing.B) {
	team := make([]string, 20)
	for i := range team {
		team[i] = "op-" + strconv.Itoa(100+i)
	}
	c := NewCaller("user-1", "tenant-alpha",
		[]string{PermViewTeamOperators}, "op-001", team)
	v := NewVisibility(c, "tenant-alpha", nil)
	src := make(map[string]float64, 50)
	for i := range 50 {
		src["op-"+strconv.Itoa(100+i)] = float64(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := make(map[string]float64, len(src))
		for k, x := range src {
			m[k] = x
		}
		FilterOperatorMap(m, v)
	}
}

// BenchmarkVerify measures checking one dev-key token, which every
// request but health pays.
func BenchmarkVerify(b *testing.B) {
	priv, _, err := LoadOrCreateDevKey(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	keys, err := DevKeySet(priv)
	if err != nil {
		b.Fatal(err)
	}
	v, err := NewVerifier(VerifierConfig{Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := Mint(priv, MintOptions{Tenant: "t", User: "u", Perms: []string{PermViewAllOperators}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
