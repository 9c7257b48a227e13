# Slotwise: `make run` serves the app (waitress), `make run-scaled` several web workers and one sync worker on PostgreSQL, `make demo` the app with a seeded local CalDAV server, `make test` checks the import contracts (lint-imports), then runs the whole suite (browser tests included) on SQLite and the database-facing tests again on a throwaway PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM := /usr/bin/chromium
WORKERS ?= 2
# The tests run a second time on PostgreSQL: the models, sync, booking and API (browser tests left out).
PG_TESTS ?= tests/foundation tests/calendar tests/booking tests/event_types tests/sync tests/mail tests/teams tests/jit tests/members tests/feeds tests/rules tests/explain
# Runs its command with TEST_DATABASE_URL set, starting a throwaway cluster when it is not set already.
WITH_POSTGRES := $(BIN)/python tests/postgres/cluster.py

.PHONY: run run-scaled demo test docs bench install install-test install-postgres chromium postgresql clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,demo]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-postgres: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo,postgres]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-postgres: $(VENV)/.installed-postgres

run: install
	$(BIN)/flask --app webapp init-db
	HOST=$(HOST) PORT=$(PORT) SCHEDULER_ENABLED=$${SCHEDULER_ENABLED:-1} $(BIN)/python -m webapp.serve

# WORKERS web workers on PORT, PORT+1, … (SCHEDULER_ENABLED=0) and one sync worker, against DATABASE_URL.
run-scaled: install-postgres
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make run-scaled needs DATABASE_URL=postgresql://…"; exit 2;; esac
	$(BIN)/flask --app webapp init-db
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m webapp.serve --workers $(WORKERS)

demo: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m webapp.demo

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

postgresql:
	@test -n "$$TEST_DATABASE_URL" || command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ echo "Installing Debian's postgresql for the PostgreSQL tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

test: install-test chromium postgresql
	$(BIN)/lint-imports --no-cache
	$(WITH_POSTGRES) sh -c '$(BIN)/python -m pytest && $(BIN)/python -m pytest --postgres -m "not browser" $(PG_TESTS)'

# The guide's screenshots (docs/img/*.png), taken from the real pages by the browser test that walks the guide.
docs: install-test chromium
	$(BIN)/python -m pytest -q -p no:randomly tests/docs/test_guide_screenshots.py --docs-screenshots=docs/img

PEER := benchmarks/.venv-vdirsyncer/bin/python

$(PEER):
	$(PYTHON) -m venv benchmarks/.venv-vdirsyncer
	$(PEER) -m pip install --quiet vdirsyncer==0.21.0

bench: install-test postgresql $(PEER)
	$(WITH_POSTGRES) $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
