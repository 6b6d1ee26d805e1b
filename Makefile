# MetroCoop: two commands.
#   make run   set everything up from a fresh clone, then start the demo on http://127.0.0.1:8000
#   make test  set everything up for the tests (PostgreSQL, chromium), then run them on SQLite and PostgreSQL
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/metrocoop
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
VENDOR := src/metrocoop/web/static/vendor/echarts/echarts.min.js

.PHONY: run test install install-test assets messages lint check pytest-sqlite pytest-postgres bench load clean

run: install assets messages
	$(BIN)/metrocoop demo

test: install-test assets messages lint check
	bash scripts/ensure_browser.sh
	$(MAKE) pytest-sqlite
	bash scripts/ensure_postgres.sh
	$(MAKE) pytest-postgres

$(BIN)/python:
	$(PY) -m venv $(VENV)

# the whole dependency tree from the lock files (scripts/lock.sh writes them from pyproject.toml), then the platform
$(STAMP_RUN): pyproject.toml requirements/run.lock | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -q -r requirements/run.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	touch $@

$(STAMP_TEST): pyproject.toml requirements/test.lock | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -q -r requirements/test.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-test: $(STAMP_TEST)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(VENDOR): node_modules/.package-lock.json scripts/build_assets.mjs
	node scripts/build_assets.mjs

assets: $(VENDOR)

messages: | $(BIN)/python
	for d in $$(find src/metrocoop -type d -name locale); do $(BIN)/pybabel -q compile -d $$d -D django || exit 1; done

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install-test
	$(BIN)/metrocoop check --fail-level WARNING
	$(BIN)/metrocoop makemigrations --check --dry-run
	$(BIN)/metrocoop spectacular --validate --fail-on-warn --file /dev/null

pytest-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -q

pytest-postgres:
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

bench: install-test assets messages
	bash scripts/ensure_postgres.sh
	for b in $$(ls benchmarks/*.py | grep -v -e /load.py -e /bare_wsgi.py); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules var src/metrocoop/web/static/vendor

# The read tier under load: demo on a private PostgreSQL, gunicorn (2 workers) beside a bare Django view, 60 s per
# target (LOAD_SECONDS=10 to shorten); `make load FAULT=1` restarts PostgreSQL mid-run instead.
load: install assets messages
	$(BIN)/python benchmarks/load.py $(if $(FAULT),--fault,)
