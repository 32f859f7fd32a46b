# Real-time performance monitor. `make run` and `make test` need nothing
# but Go; the browser tests install Chromium through .ci/run.

GO       ?= go
BIN      := bin/monitor
PKGS     := ./...
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: build run test test-short fuzz lint bench bench-short clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/monitor

# Runs the monitor with an embedded NATS server (127.0.0.1:4222), its
# store and dev key under ./data, and the dashboard on 127.0.0.1:8080.
run: build
	./$(BIN) serve --data-dir ./data

# The whole suite with the race detector, plus a short run of every
# fuzz target over its seed corpus (go test runs seeds as tests).
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

test-short:
	$(GO) test -count=1 -short $(PKGS)

# Longer fuzzing of the hostile-input decoders, one target at a time.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./pkg/consumer
	$(GO) test -run '^$$' -fuzz '^FuzzStripOperatorFields$$' -fuzztime $(FUZZTIME) ./pkg/policy
	$(GO) test -run '^$$' -fuzz '^FuzzQueryDecode$$' -fuzztime $(FUZZTIME) ./pkg/api

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# Benchmarks against bare JetStream on the same machine, in one run
# (docs/benchmarks.md). bench-short finishes in under two minutes on two
# cores; bench is the full mode (1,000,000 events) and takes longer.
bench:
	$(GO) run ./cmd/bench -mode full -out bench-results-full.json

bench-short:
	$(GO) run ./cmd/bench -mode short -out bench-results-short.json

clean:
	rm -rf bin data
