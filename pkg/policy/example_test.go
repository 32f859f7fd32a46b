package policy_test

import (
	"fmt"
	"os"
	"time"

	"github.com/opsmonitor/monitor/pkg/policy"
)

// A dev deployment mints a token with its dev key and verifies it.
func ExampleVerifier_Verify() {
	dir, err := os.MkdirTemp("", "policy-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	priv, _, err := policy.LoadOrCreateDevKey(dir)
	if err != nil {
		panic(err)
	}
	keys, err := policy.DevKeySet(priv)
	if err != nil {
		panic(err)
	}
	v, err := policy.NewVerifier(policy.VerifierConfig{Keys: keys})
	if err != nil {
		panic(err)
	}

	tok, err := policy.Mint(priv, policy.MintOptions{
		Tenant: "tenant-alpha", User: "user-001", TTL: time.Minute,
	})
	if err != nil {
		panic(err)
	}
	token, err := policy.BearerToken("Bearer " + tok)
	if err != nil {
		panic(err)
	}
	c, err := v.Verify(token)
	fmt.Println(c.UserID, c.TenantID, err)
	// Output: user-001 tenant-alpha <nil>
}

// A query without the trend permission still runs; trend-signal is
// listed as omitted.
func ExampleEvaluateQuery() {
	c := policy.NewCaller("user-001", "tenant-alpha", nil, "op-001", nil)
	d := policy.EvaluateQuery(c, policy.QueryRequest{
		Scope:      policy.Scope{TenantID: "tenant-alpha"},
		Categories: []string{"live-workload", "trend-signal"},
	})
	fmt.Println(d.Allowed, d.Categories)
	for _, o := range d.Omitted {
		fmt.Println(o.Category, o.Rule)
	}
	// Output:
	// true [live-workload]
	// trend-signal category-permission
}

// An event of an operator the caller may not see keeps everything but
// the operator fields.
func ExampleStripOperatorFields() {
	c := policy.NewCaller("user-001", "tenant-alpha", nil, "op-001", nil)
	v := policy.NewVisibility(c, "tenant-alpha", nil)

	out, err := policy.StripOperatorFields(
		[]byte(`{"id":"e1","operatorId":"op-002","operatorName":"Bob"}`), v)
	fmt.Println(string(out), err)
	// Output: {"id":"e1"} <nil>
}
