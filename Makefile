# Slotwise: `make run` serves the app (waitress), `make demo` the app with a seeded local CalDAV server, `make test` checks the import contracts (lint-imports), then runs the whole suite (browser tests included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM := /usr/bin/chromium

.PHONY: run demo test docs bench install install-test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,demo]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/flask --app webapp init-db
	HOST=$(HOST) PORT=$(PORT) SCHEDULER_ENABLED=$${SCHEDULER_ENABLED:-1} $(BIN)/python -m webapp.serve

demo: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m webapp.demo

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install-test chromium
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

# The guide's screenshots (docs/img/*.png), taken from the real pages by the browser test that walks the guide.
docs: install-test chromium
	$(BIN)/python -m pytest -q -p no:randomly tests/docs/test_guide_screenshots.py --docs-screenshots=docs/img

PEER := benchmarks/.venv-vdirsyncer/bin/python

$(PEER):
	$(PYTHON) -m venv benchmarks/.venv-vdirsyncer
	$(PEER) -m pip install --quiet vdirsyncer==0.21.0

bench: install-test $(PEER)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
