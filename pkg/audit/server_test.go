package audit

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func startServer(t testing.TB, dir string) (*server.Server, *nats.Conn,
	jetstream.JetStream) {
	t.Helper()

	opts := &server.Options{
		Host:      "127.0.0.1",
		Port:      -1,
		JetStream: true,
		StoreDir:  dir,
		NoLog:     true,
		NoSigs:    true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}

	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return srv, nc, js
}

func stopServer(srv *server.Server, nc *nats.Conn) {
	nc.Close()
	srv.Shutdown()
	srv.WaitForShutdown()
}

// newJetStream starts a server with provisioned audit streams and stops
// it when the test ends.
func newJetStream(t testing.TB, cfg Config) jetstream.JetStream {
	t.Helper()

	srv, nc, js := startServer(t, t.TempDir())
	t.Cleanup(func() { stopServer(srv, nc) })

	if err := Provision(testCtx(t), js, cfg); err != nil {
		t.Fatalf("provision: %v", err)
	}
	return js
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startWriter starts a writer that is closed when the test ends.
func startWriter(t testing.TB, js jetstream.JetStream,
	cfg WriterConfig) *Writer {
	t.Helper()

	w, err := NewWriter(js, cfg)
	if err != nil {
		t.Fatalf("new writer: %v", err)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	return w
}

// readAll pages through req until the end and returns every entry and
// the number of pages.
func readAll(t testing.TB, r *Reader, req Request) ([]Entry, int) {
	t.Helper()

	var all []Entry
	for pages := 1; ; pages++ {
		page, err := r.Query(testCtx(t), req)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		all = append(all, page.Entries...)
		if page.NextCursor == "" {
			return all, pages
		}
		if pages > 100000 {
			t.Fatal("no end of paging")
		}
		req.Cursor = page.NextCursor
	}
}
