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

.PHONY: run serve install install-dev assets migrate demo test test-pg test-sqlite lint check-migrations system-deps messages bench load clean

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

# Debian packages the tests need, installed only when missing.
system-deps:
	@missing=""; \
	for pkg in chromium fonts-noto-cjk gettext poppler-utils; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy xieguan/*/services.py xieguan/inspections/services/*.py xieguan/*/selectors.py \
	  xieguan/core/scope.py xieguan/core/audit.py xieguan/core/pagination.py xieguan/core/idempotency.py

check-migrations: install-dev
	$(PY) manage.py makemigrations --check --dry-run

test: install-dev assets system-deps lint check-migrations test-pg test-sqlite

test-pg: install-dev assets
	@echo "== pytest on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest

test-sqlite: install-dev assets
	@echo "== pytest on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest

# The registry at province scale (issue 4 item 11): generates the province in
# BENCH_DATABASE_URL when absent, measures, writes docs/bench.md; then the
# load test below on the same province.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xieguan_bench
bench: install-dev assets
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py load_test

# The load alone (issue 19 item 5): gunicorn with 3 workers, Redis, the task
# worker on the generated province, 40 people at 50 requests/s for 3 minutes
# with Locust; every write read back; figures into docs/bench.md. It stops
# all it started; logs in var/load-<time>/. LOAD_PORT (8106), LOAD_REDIS_URL.
load: install-dev assets
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py make_province --if-absent
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py load_test

# Rebuild the zh_Hans catalogues after changing user-facing strings.
messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=node_modules --ignore=var
	$(PY) scripts/compile_messages.py

clean:
	rm -rf var/static var/test.sqlite3 $(VENDOR)
