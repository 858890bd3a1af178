# TraceHub: every target sets up what it needs on a fresh machine (README "The two commands").
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFORMANCE ?= ../shared/conformance
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := src/tracehub/core/static/vendor

.PHONY: install assets messages compilemessages run test test-sqlite test-postgres bench conformance lint format clean

install: $(VENV)/.installed $(VENDOR)/.installed
assets: $(VENDOR)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets from npm at the versions in package-lock.json, copied where whitenoise serves them.
$(VENDOR)/.installed: package.json package-lock.json scripts/install-assets.sh
	bash scripts/install-assets.sh
	touch $@

run: install
	$(BIN)/tracehub migrate --noinput
	$(BIN)/tracehub load_demo --if-empty
	$(BIN)/tracehub collectstatic --noinput -v0
	$(BIN)/tracehub runall --host $(HOST) --port $(PORT)

# SQLite always; PostgreSQL too when TEST_POSTGRES_URL names a server (each run creates and
# drops its own database, so it never touches data that is there).
test: install
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  $(BIN)/python -m tracehub.devtools.pgtest "$$TEST_POSTGRES_URL" -- $(BIN)/python -m pytest -p no:cacheprovider; \
	else \
	  echo "TEST_POSTGRES_URL is not set: ran the suite on SQLite only."; \
	fi

bench: install
	$(BIN)/python -m bench.run

conformance: install
	$(BIN)/python -m tracehub.devtools.conformance $(CONFORMANCE)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Translations (docs/i18n.md): `make messages` gathers new strings into the .po (needs GNU gettext),
# translate them, then `make compilemessages` writes the .mo that is committed beside it.
messages: install
	cd src/tracehub && ../../$(BIN)/django-admin makemessages --settings=tracehub.settings \
	  -l zh_Hans --ignore='static/*' --no-obsolete --add-location=file

compilemessages: install
	cd src/tracehub && ../../$(BIN)/django-admin compilemessages --settings=tracehub.settings -l zh_Hans

clean:
	rm -rf $(VENV) var build *.egg-info node_modules $(VENDOR)
