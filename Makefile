# The few commands a person types. See README.md.
#
#   make run       development server on http://127.0.0.1:8000 with demo data (DEBUG=1, SQLite, no Redis)
#   make test      the whole test suite (DATABASE_URL, REDIS_URL, REQUIRE_SERVICES pass through)
#   make quality   ruff, import contracts, migrations up to date, `check --deploy` on production settings
#   make worker    Celery worker (needs REDIS_URL; without it tasks run inline in the web process)
#   make beat      Celery beat (periodic tasks; needs REDIS_URL)
#   make bench     performance benchmark on a synthetic CFA, rolled back (BENCH_ARGS="--apprentices 20000")
#
# Variables from the environment or the command line (`make test DATABASE_URL=...`) reach every
# command below unchanged.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py
# Python 3.11 when it is there (the project requires it), otherwise whatever python3 is.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)

# Production-like variables for `check --deploy`: nothing here is a real secret. The in-memory
# database keeps `makemigrations --check` from reading any real database's migration history.
DEPLOY_ENV := DEBUG=0 \
	DATABASE_URL=sqlite://:memory: \
	SECRET_KEY=quality-check-Zr7Kp2Wm9Qx4Lt6Vb8Nc1Hd3Fj5Gs0Ya2Ue4Io6Rq8Tw \
	ALLOWED_HOSTS=livret.example.org \
	SITE_URL=https://livret.example.org

.PHONY: help run test quality worker beat bench require-redis

help:
	@echo "make run      development server with demo data on http://127.0.0.1:8000"
	@echo "make test     the whole test suite"
	@echo "make quality  ruff, import contracts, makemigrations --check, check --deploy"
	@echo "make worker   Celery worker (REDIS_URL required)"
	@echo "make beat     Celery beat (REDIS_URL required)"
	@echo "make bench    benchmark on a synthetic CFA, rolled back (BENCH_ARGS=\"--apprentices 20000\")"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Development: DEBUG on unless the shell says otherwise, SQLite file, Celery tasks inline (no REDIS_URL).
# The English catalogue's .mo is committed, so no compilemessages here.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

# Tests run with DEBUG off, as production does; tests/conftest.py sets what the suite needs.
# Two pytest processes, each on TEST_WORKERS pytest-xdist workers (each has its own test database and
# Redis database; an idle worker steals tests from a busy one): the suite, then the browser tests, which
# drive Chromium against a live server of their worker's own. Both always run; either one failing fails
# `make test` with its exit code (5, "no tests collected", is a failure).
TEST_WORKERS ?= 2
test: export DEBUG := 0
test: export SECRET_KEY ?= test-secret-key-not-for-production
test: $(VENV)/.installed-test
	status=0; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --ignore=tests/browser || status=$$?; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal tests/browser || status=$$?; \
	exit $$status

# The performance benchmark (benchmark/, see README.md) on a synthetic CFA written in one transaction
# that is rolled back: it leaves nothing behind. DEBUG off, as production runs; use PostgreSQL
# (DATABASE_URL) for real figures.
BENCH_ARGS ?=
bench: export DEBUG := 0
bench: export SECRET_KEY ?= bench-secret-key-not-for-production
bench: $(VENV)/.installed-test
	$(MANAGE) migrate --noinput
	$(MANAGE) benchmark $(BENCH_ARGS)

quality: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEPLOY_ENV) $(MANAGE) makemigrations --check --dry-run
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

# Conveniences for development (same DEBUG default as `run`); in production run celery directly,
# as docker-compose.yml does.
worker beat: export DEBUG ?= 1
worker beat: $(VENV)/.installed require-redis

worker:
	$(VENV)/bin/celery -A config worker -l info

beat:
	mkdir -p var
	$(VENV)/bin/celery -A config beat -l info --schedule var/celerybeat-schedule

require-redis:
	@if [ -z "$${REDIS_URL:-}" ]; then \
		echo "REDIS_URL is not set: without a broker, tasks already run inline in the web process." >&2; \
		exit 2; \
	fi
