package main

import (
	"context"
	"fmt"
	"time"

	"github.com/opsmonitor/monitor/pkg/policy"
)

func runToken(_ context.Context, args []string) error {
	fs := newFlagSet("token")
	dataDir := fs.String("data-dir", "./data", "data directory holding the dev key")
	tenant := fs.String("tenant", "", "the token's tenant claim (required)")
	user := fs.String("user", "", "the token's sub claim (required)")
	perms := fs.Strings("perm", "a permission, such as realtime:view-all-operators")
	operator := fs.String("operator", "", "the operator this user is")
	team := fs.Strings("team", "an operator of the user's team")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" || *user == "" {
		return fmt.Errorf("--tenant and --user are required")
	}

	priv, created, err := policy.LoadOrCreateDevKey(*dataDir)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(fs.Output(), "created a dev key in %s; a monitor using this data directory trusts it\n", *dataDir)
	}
	tok, err := policy.Mint(priv, policy.MintOptions{
		Tenant:   *tenant,
		User:     *user,
		Perms:    *perms,
		Operator: *operator,
		Team:     *team,
		TTL:      *ttl,
	})
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
