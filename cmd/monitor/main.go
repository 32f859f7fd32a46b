// Command monitor is the real-time performance monitor: one binary that
// serves (the default), and the client commands that talk to it.
//
//	monitor [serve] [flags]     run the monitor
//	monitor token [flags]       mint a token with the dev key
//	monitor publish FILE|-      publish recorded events
//	monitor query [flags]       ask for metrics
//	monitor tail [flags]        watch events live
//	monitor audit export        page through the audit trail
//
// Every flag also reads an environment variable: --nats-url from
// MONITOR_NATS_URL, --data-dir from MONITOR_DATA_DIR, and so on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name string
	help string
	run  func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the monitor (the default)", runServe},
		{"token", "mint a bearer token with the data directory's dev key", runToken},
		{"query", "ask monitor.query.<tenant> and print the result", runQuery},
		{"publish", "publish recorded events, one JSON event a line (FILE or - for stdin)", runPublish},
		{"tail", "watch events live through a managed subscription (or --raw, the tenant subject)", runTail},
		{"audit", "audit export: page through the audit trail to JSON or CSV", runAudit},
		{"version", "print the version", func(context.Context, []string) error {
			fmt.Println(version)
			return nil
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	args := os.Args[1:]
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			if err := c.run(ctx, args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					os.Exit(0)
				}
				fmt.Fprintf(os.Stderr, "monitor %s: %v\n", name, err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "monitor: unknown command %q\n\ncommands:\n", name)
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.help)
	}
	os.Exit(2)
}
