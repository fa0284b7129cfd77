# tobacco-crm: the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= python3
# bash with pipefail: a benchmark that fails must fail its `| tail -1` pipeline too.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export DJANGO_SETTINGS_MODULE ?= tobacco_crm.settings.dev
HOST ?= 127.0.0.1:8000
DEMO_ARGS ?= --retailers 2000 --managers 8 --seed 1

.PHONY: run test install install-test gate lint typecheck test-sqlite test-postgres bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

## make run: set up, migrate the SQLite database under var/, load the demo county when empty, serve.
run: install
	mkdir -p var
	$(BIN)/tobacco-crm migrate --noinput
	$(BIN)/tobacco-crm demo $(DEMO_ARGS) --if-empty
	@echo "Open http://$(HOST)/"
	$(BIN)/tobacco-crm runserver $(HOST)

## make test: the whole gate, then the suite on SQLite, and again on PostgreSQL when DATABASE_URL is set.
test: install-test gate test-sqlite test-postgres bench-quick

gate: lint typecheck
	DJANGO_SETTINGS_MODULE=tobacco_crm.settings.test DATABASE_URL= $(BIN)/tobacco-crm check
	DJANGO_SETTINGS_MODULE=tobacco_crm.settings.test DATABASE_URL= $(BIN)/tobacco-crm makemigrations --check --dry-run
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=tobacco_crm.settings.test DATABASE_URL= $(BIN)/tobacco-crm spectacular --validate --fail-on-warn --file var/openapi.yml

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

test-sqlite:
	DATABASE_URL= DJANGO_SETTINGS_MODULE=tobacco_crm.settings.test $(BIN)/pytest -q

test-postgres:
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== tests on PostgreSQL: $$DATABASE_URL"; \
	  DJANGO_SETTINGS_MODULE=tobacco_crm.settings.test $(BIN)/pytest -q; \
	else echo "== DATABASE_URL not set: PostgreSQL run skipped (see README)"; fi

bench-quick:
	@for script in benchmarks/[!_]*.py; do \
	  echo "== $$script --quick"; \
	  DATABASE_URL= $(BIN)/python $$script --quick | tail -1 || exit 1; \
	done

clean:
	rm -rf $(VENV) var build src/*.egg-info
