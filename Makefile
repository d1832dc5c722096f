# tfcemu — the two commands a fresh machine needs are `make run` and `make test`.
# Go modules come through the module proxy; nothing else is downloaded.

GO        ?= go
BIN       ?= bin/tfcemu
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
IMAGE     ?= tfcemu:local
TARGET    ?= inprocess
RUN_ARGS  ?=

.PHONY: all build run test test-short load openapi-coverage lint bench image vault-image conformance clean fuzz gotfe-suite provider-suite terraform-cli

all: build

## build: the static tfcemu binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/tfcemu

## run: build and serve with the embedded default seed (Ctrl-C stops it)
run: build
	./$(BIN) serve $(RUN_ARGS)

## lint: gofmt and go vet must be clean
lint:
	@fmt_out=$$(gofmt -l .); if [ -n "$$fmt_out" ]; then echo "gofmt needed:"; echo "$$fmt_out"; exit 1; fi
	$(GO) vet ./...

## test: lint, a bounded fuzz run (5 s per target, minimisation 1 s: under 40 s in all), then
## every test and feature with the race detector
## (the Terraform CLI features use scripts/terraform.sh's binary; they skip without one)
test: lint
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5s
	TFCEMU_TERRAFORM_BIN="$$(scripts/terraform.sh || true)" $(GO) test -race -count=1 ./...
	@echo "== the features against the emulator in a container (skips with the reason if there is no Docker engine)"
	TFCEMU_TARGET=container TESTCONTAINERS_RYUK_DISABLED=true $(GO) test -count=1 -run TestFeatures ./steps/

FUZZTIME ?= 30s
# Go spends up to -fuzzminimizetime (default 60 s) shrinking each new input,
# which would eat a short run: bound it.
FUZZMINIMIZETIME ?= 1s
# package:target, each fuzzed for FUZZTIME in turn (go test fuzzes one
# target per package per run).
FUZZ_TARGETS ?= ./emulator/tfc/:FuzzDecodeResource ./fixtures/:FuzzSeed ./emulator/:FuzzSnapshotPut \
	./emulator/admin/:FuzzAdminRequests ./emulator/internal/guard/:FuzzGuard \
	./emulator/vault/:FuzzRequest ./emulator/vault/jwtauth/:FuzzLogin
## terraform-cli: print the Terraform CLI the features use, building v1.6.6 into bin/tools when needed
terraform-cli:
	@scripts/terraform.sh

## fuzz: fuzz each of FUZZ_TARGETS (request decoders, the seed loader, snapshot PUT, the
## admin API's bodies, the host guard, Vault requests, the jwt login) for FUZZTIME
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; \
	done

## openapi-coverage: write the TFC route table's coverage of the OpenAPI document into README.md
openapi-coverage:
	$(GO) test -count=1 -run TestOpenAPICoverage ./emulator/tfc/ -update

## test-short: the quick loop while developing
test-short:
	$(GO) test -short -count=1 ./...

## load: 64 clients for 60 s against an in-process emulator (build tag load, race detector): TFC reads and
## writes, token mints, admin calls, Vault credentials; reports 5xx (must be 0) and the live
## organization tokens after concurrent creations (must be 1)
load:
	$(GO) test -race -tags load -count=1 -timeout 10m -run TestLoad -v ./emulator/

## bench: benchmarks beside their raw limits (e.g. RSA signing vs token minting)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## image: the FROM-scratch image, built from the static binary (nothing is pulled)
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/linux/tfcemu ./cmd/tfcemu
	docker build -t $(IMAGE) .

## vault-image: a real Vault (v1.21.0) built from the Go module proxy into a FROM-scratch
## image hashicorp/vault:1.21.0 (+ :latest) and bin/vault (the real vault CLI), when absent;
## 15-25 minutes the first time on 2 cores
vault-image:
	scripts/vault-image.sh

## conformance: the features against TARGET (inprocess, container, external, vault-container);
## writes conformance/TARGET.{md,json,junit.xml,cucumber.json}, conformance/matrix.html and the
## living spec conformance/spec.html (every feature with its results on each target run so far)
conformance:
	@mkdir -p conformance
	TFCEMU_TARGET=$(TARGET) TESTCONTAINERS_RYUK_DISABLED=true TFCEMU_REPORT_DIR=$(CURDIR)/conformance \
	TFCEMU_FORMAT=pretty,junit:$(CURDIR)/conformance/$(TARGET).junit.xml,cucumber:$(CURDIR)/conformance/$(TARGET).cucumber.json \
	$(GO) test -count=1 -v -run TestFeatures ./steps/

## gotfe-suite: measure go-tfe's own integration tests against tfcemu serve (downloads their deps)
gotfe-suite:
	ENABLE_BETA=1 scripts/gotfe-suite.sh

## provider-suite: terraform apply/plan/destroy with the real hashicorp/tfe and hashicorp/vault
## providers against tfcemu serve --tls (builds them into ~/.cache/tfcemu/providers when absent)
provider-suite:
	scripts/provider-suite.sh $(SUITES)

clean:
	rm -rf bin/
