# Two entry points for people: `make run` and `make test`. Both create .venv when needed and are
# idempotent: a second run only re-installs when pyproject.toml changed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
# Tests run in one worker process per core (at most 4), a test file per worker (pytest-xdist): every test has
# its own temporary folder, free port and database, so files do not share state. PYTEST_WORKERS= runs serially.
PYTEST_WORKERS ?= -n auto --maxprocesses 4 --dist loadfile

.PHONY: run test test-fast lint typecheck typecheck-baseline bench sample clean chromium postgres

$(PY):
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv venv --quiet --python python3 $(VENV)

$(STAMP): pyproject.toml | $(PY)
	uv pip install --quiet --python $(PY) --compile-bytecode -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/workbench app --port $(PORT)

chromium:
	@if [ ! -x $(CHROMIUM) ] || ! command -v pdftotext >/dev/null 2>&1; then \
	  echo "Installing Debian's Chromium (browser tests, PDF reports) and poppler-utils (pdftotext)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null \
	    || { echo "Could not install chromium; browser tests will be skipped outside CI"; [ "$$CI" != "true" ]; }; \
	fi

postgres:
	@# The store's tests run on SQLite and on PostgreSQL. Start the machine's PostgreSQL if it is installed
	@# but stopped; without one, those tests skip on a user's machine and fail under CI.
	@if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then \
	    echo "Starting PostgreSQL for the store tests..."; \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	  fi; \
	fi

# mypy over workbench/ (settings in pyproject.toml). Errors listed in mypy-baseline.txt are known and do not
# fail; a new one does, and so does a listed one that is gone (run `make typecheck-baseline` to drop it).
# mypy exits 1 when it finds errors and 2 when it could not check at all: the latter fails here at once.
typecheck: $(STAMP)
	@$(VENV)/bin/mypy > $(VENV)/mypy.out; rc=$$?; \
	  if [ $$rc -gt 1 ]; then cat $(VENV)/mypy.out; echo "mypy could not run (exit $$rc)"; exit $$rc; fi; \
	  $(VENV)/bin/mypy-baseline filter < $(VENV)/mypy.out

typecheck-baseline: $(STAMP)
	-$(VENV)/bin/mypy > $(VENV)/mypy.out
	$(VENV)/bin/mypy-baseline sync < $(VENV)/mypy.out

test: $(STAMP) chromium postgres
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest $(PYTEST_WORKERS)

test-fast: $(STAMP)
	$(PY) -m pytest $(PYTEST_WORKERS) -m "not browser"

bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/sim.py
	$(PY) benchmarks/dashboard.py
	$(PY) benchmarks/app_mapping.py
	$(PY) benchmarks/suggest.py
	$(PY) benchmarks/classify.py
	$(PY) benchmarks/eventlog.py
	$(PY) benchmarks/parallel.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/sessions.py
	$(PY) benchmarks/store_scale.py
	$(PY) benchmarks/views.py

sample: $(STAMP)
	$(PY) sample_data/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
