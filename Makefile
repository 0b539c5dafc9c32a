# The two Quick start commands are `make demo` and `make test`; everything else is a step of those.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: setup system-deps python-deps assets translations messages demo lint test test-fast screenshots clean

setup: system-deps python-deps assets translations

# Debian packages: Chromium for browser tests, PostgreSQL's client library, Node for the assets.
system-deps:
	@bash scripts/install_system_deps.sh

python-deps: $(BIN)/.installed
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

assets: node_modules/.installed surveyapp/static/dist/app.css surveyapp/static/dist/plotly.min.js
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
surveyapp/static/dist/app.css surveyapp/static/dist/plotly.min.js: assets/app.scss node_modules/.installed
	bash scripts/build_assets.sh

# The interface's catalogues (docs/translating.md): compile the committed .po files into .mo (not committed)
translations: python-deps
	$(BIN)/pybabel compile -d surveyapp/translations -D messages --statistics

# After changing interface text: extract messages.pot, then merge it into each language's .po to translate
messages: python-deps
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k N_ -k Message --no-location --sort-output \
		--omit-header -o surveyapp/translations/messages.pot .
	$(BIN)/pybabel update -i surveyapp/translations/messages.pot -d surveyapp/translations -D messages \
		--no-wrap --ignore-obsolete

# Quick start 1: set up, write a development .env if there is none, load the demo into an SQLite file and
# serve it on http://127.0.0.1:$(PORT) with the mail worker beside it (scripts/demo.sh)
PORT ?= 5000
demo: python-deps assets translations
	PORT=$(PORT) bash scripts/demo.sh

# Style and layers: ruff (lint and format) and the import-linter contracts in pyproject.toml (docs/ARCHITECTURE.md)
lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Quick start 2: set up everything, lint, and run the whole test suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)
test: setup lint
	bash scripts/run_tests.sh $(PYTEST_ARGS)

test-fast: python-deps assets translations
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

# PNGs of the key pages for the README, from the demo data in a temporary SQLite file (real Chromium)
screenshots: python-deps assets translations
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules surveyapp/static/dist instance
