package audit_test

import (
	"context"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/audit"
)

// Example shows the life of the audit trail: provision, record through
// a writer, and read a page back. It needs a NATS server with JetStream,
// so it is compiled but not run.
func Example() {
	ctx := context.Background()
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		panic(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		panic(err)
	}

	if err := audit.Provision(ctx, js, audit.Config{}); err != nil {
		panic(err)
	}

	w, err := audit.NewWriter(js, audit.WriterConfig{})
	if err != nil {
		panic(err)
	}
	_ = w.Start()
	w.Record(audit.Entry{
		Type: audit.TypePolicyDecision, TenantID: "tenant-alpha",
		UserID: "user-001", UserTenantID: "tenant-alpha",
		Endpoint: "query", Decision: audit.DecisionAllowed,
	})
	closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = w.Close(closeCtx)

	r, err := audit.NewReader(js, audit.Config{})
	if err != nil {
		panic(err)
	}
	page, err := r.Query(ctx, audit.Request{
		TenantID: "tenant-alpha", Types: []string{"policy-decision"},
		MaxBytes: 1 << 20,
	})
	if err != nil {
		panic(err)
	}
	_ = audit.WriteCSV(os.Stdout, page.Entries)
}
