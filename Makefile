# GTMP Market Insights: every target creates what it needs, and a second run
# with nothing changed skips the slow steps (stamp files below).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Development defaults only; production sets its own (see README.md). `make serve`
# never serves with this key (gtmp_site/local_site.py, DEVELOPMENT_SECRET_KEY).
export DJANGO_SECRET_KEY ?= dev-only-secret-key-not-for-production
run: export DJANGO_DEBUG ?= 1

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
STATIC_STAMP := var/static/staticfiles.json
STATIC_SOURCES := $(shell find market/static companies/static faq/static static -type f 2>/dev/null)

.PHONY: help install run serve test lint format fuzz backup restore observatory bench audit clean lock check-tools

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

check-tools:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		|| { echo "error: Python 3.11 or newer is needed as '$(PYTHON)': install it (e.g. apt-get install python3)"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is needed for Chart.js: install Node.js and npm (e.g. apt-get install npm)"; exit 1; }
	@# WeasyPrint (the report's PDF) draws text with Pango, a Debian package.
	@ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || { [ "$$(id -u)" = 0 ] \
		&& { echo "installing Debian's Pango and DejaVu fonts for the PDF (WeasyPrint)"; apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; } \
		|| { echo "error: Pango is needed for the PDF: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; exit 1; }; }

$(VENV_STAMP): requirements/dev.txt | check-tools
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

$(NODE_STAMP): package-lock.json | check-tools
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC_STAMP): $(VENV_STAMP) $(NODE_STAMP) $(STATIC_SOURCES)
	$(MANAGE) collectstatic --noinput --verbosity 0

install: $(VENV_STAMP) $(NODE_STAMP) $(STATIC_STAMP)  ## virtualenv, npm packages, database, content, static files
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) load_report_content

run: install  ## serve the site on http://127.0.0.1:8000/ (SQLite, debug on)
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install  ## gunicorn (production-like) with Varnish in front on http://127.0.0.1:8080/
	@command -v varnishd >/dev/null || { echo "error: Varnish is needed: apt-get install varnish varnish-modules"; exit 1; }
	PORT=$(or $(SERVE_PORT),8080) $(BIN)/python -m gtmp_site.local_site

lint: $(VENV_STAMP)  ## ruff lint and format check, import layering (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV_STAMP)  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint  ## lint, Django checks, migrations check, the whole pytest suite
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist worksteal $(PYTEST_ARGS)

fuzz: install  ## long schemathesis run against the API, every bad value in every admin field (the suite runs short ones)
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-200} ADMIN_FUZZ_ALL=1 $(BIN)/pytest -n 2 \
		tests/test_api_schema.py tests/test_admin_fuzz.py -p no:cacheprovider

backup: $(VENV_STAMP)  ## back up the database, content and history, to var/backups (or BACKUP_DIR)
	$(MANAGE) dbbackup --noinput

restore: $(VENV_STAMP)  ## restore the newest backup (or BACKUP=file) into the configured database
	$(MANAGE) dbrestore --noinput $(if $(BACKUP),--input-filename $(BACKUP))

observatory: install  ## Mozilla HTTP Observatory grade over HTTPS on 127.0.0.1 (root: ports 80, 443)
	bash bench/observatory.sh

bench: install  ## latency and memory of pages and API against targets (bench/bench.py)
	@for tool in wrk taskset varnishd; do command -v $$tool >/dev/null \
		|| { echo "error: make bench needs $$tool: apt-get install wrk util-linux varnish varnish-modules"; exit 1; }; done
	$(BIN)/python bench/bench.py

audit: install  ## Lighthouse, axe and the W3C Nu validator on every kind of public page (bench/audit.py)
	@for tool in java varnishd chromium; do command -v $$tool >/dev/null \
		|| { echo "error: make audit needs $$tool: apt-get install default-jre-headless varnish varnish-modules chromium"; exit 1; }; done
	$(BIN)/python bench/audit.py

lock:  ## re-pin requirements/*.txt from pyproject.toml
	$(PYTHON) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet pip-tools
	var/lockenv/bin/pip-compile --quiet --no-strip-extras --generate-hashes -o requirements/base.txt pyproject.toml
	var/lockenv/bin/pip-compile --quiet --no-strip-extras --generate-hashes --extra dev -o requirements/dev.txt pyproject.toml

clean:  ## remove the virtualenv, npm packages, database and collected files
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
