# ecert — two commands set up everything on a fresh Debian machine:
#   make run    serve on the embedded default (SQLite in data/)
#   make test   the whole suite: SQLite, then again on MySQL when a local
#               MariaDB answers (required under CI=true)

GO      ?= go
BIN     := bin/ecert
PKGS    := ./...
# Packages whose tests touch the database: run a second time on MySQL.
DB_PKGS_RE := /(store|handler|cmd|notify|wechat)(/|$$)

.PHONY: run test deps build bench vet fuzz clean

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/ecert

run: build
	./$(BIN) serve

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet $(PKGS)

test: deps vet
	@scripts/deps.sh --browser
	ECERT_TEST_MYSQL_DSN= $(GO) test -race -count=1 $(PKGS)
	@dsn="$$(scripts/mysql-dsn.sh)" || exit 1; \
	if [ -n "$$dsn" ]; then \
	  echo "== MySQL run ($$dsn)"; \
	  ECERT_TEST_MYSQL_DSN="$$dsn" $(GO) test -race -count=1 $$($(GO) list ./... | grep -E '$(DB_PKGS_RE)'); \
	else \
	  echo "== MySQL run skipped: no MariaDB answers at 127.0.0.1:3306"; \
	fi

# Figures for the README's performance table.
bench: deps
	$(GO) test -run '^$$' -bench BenchmarkRender -benchmem -cpu 1 ./pdf
	$(GO) test -run '^$$' -bench BenchmarkImport100k -benchtime 1x -cpu 1 ./cmd/ecert
	$(GO) test -run '^$$' -bench BenchmarkCallbackSafeModeQuery -benchtime 3s -cpu 1 ./wechat

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidateIDNumber -fuzztime 30s ./model
	$(GO) test -run '^$$' -fuzz FuzzValidateCertNo -fuzztime 30s ./model
	$(GO) test -run '^$$' -fuzz FuzzParseCSV -fuzztime 30s ./roster

clean:
	rm -rf bin
