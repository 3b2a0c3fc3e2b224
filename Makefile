# partnering: two commands do everything.
#   make run   set up, migrate SQLite, load demo data, serve on http://127.0.0.1:8000
#   make test  set up (dev tools, Chromium) and run every test, browser tests included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STATIC := src/partnering/core/static/partnering

.PHONY: run test install install-dev static chromium migrate demo lint format ci migrations-check bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed static

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(STATIC)/app.css: node_modules/.package-lock.json frontend/app.scss frontend/app.js frontend/build.sh
	bash frontend/build.sh

static: $(STATIC)/app.css

# WeasyPrint wants HarfBuzz's subsetter for PDF fonts; browser tests need Debian's Chromium;
# the report tests read PDFs back with poppler's pdftotext.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 || ! ldconfig -p | grep -q libharfbuzz-subset; then \
	  echo "Installing Debian packages: chromium libharfbuzz-subset0 poppler-utils"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libharfbuzz-subset0 poppler-utils >/dev/null; \
	fi

migrate: install
	@mkdir -p var
	$(BIN)/partnering migrate --noinput

demo: migrate
	$(BIN)/partnering demo

run: demo
	@echo ""
	@echo "Partnering is running at http://$(HOST):$(PORT)/  (stop it with Ctrl+C)"
	@echo "Sign in with any demo login above; the password is partnering-demo."
	$(BIN)/partnering runserver $(HOST):$(PORT)

test: install system-packages
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(BIN)/partnering makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var $(STATIC)/app.css $(STATIC)/vendor $(STATIC)/govuk-assets

# Issue 7's benchmarks (see BENCHMARKS.md). `make bench` generates the department-scale portfolio
# on SQLite and PostgreSQL, then measures every key page with gunicorn + wrk on each;
# `make bench SCALE=small` is a quick run. `make bench-data` only generates. Then a soak run
# (partnering.bench.soak): SOAK seconds of mixed load on PostgreSQL, watching worker memory.
SCALE ?= department
SEED ?= 7
# Seconds of the soak run after the measurements (mixed load, worker memory); 0 skips it.
SOAK ?= 600
BENCH_SQLITE ?= sqlite:///$(CURDIR)/var/bench.sqlite3
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/partnering_bench
.PHONY: bench-data

bench-data: install
	@mkdir -p var
	DATABASE_URL=$(BENCH_SQLITE) $(BIN)/partnering bench_data --scale $(SCALE) --seed $(SEED) --reset
	DATABASE_URL=$(BENCH_POSTGRES) $(BIN)/partnering bench_data --scale $(SCALE) --seed $(SEED) --reset

bench: bench-data
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m partnering.bench.run --command "make bench SCALE=$(SCALE)" \
	  SQLite=$(BENCH_SQLITE) PostgreSQL=$(BENCH_POSTGRES)
	$(BIN)/python -m partnering.bench.soak --seconds $(SOAK) --command "make bench SCALE=$(SCALE) SOAK=$(SOAK)" \
	  PostgreSQL=$(BENCH_POSTGRES)
