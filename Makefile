# Qyzmet: `make run` starts the demo portal; `make test` runs every check. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST_PORT ?= 127.0.0.1:8000

.PHONY: run test setup lint typecheck imports pytest pytest-postgres translations messages \
        browser-deps bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0 --settings=config.settings_test

# Regenerate the .po catalogues from the code (then translate, then commit).
messages: $(STAMP)
	$(PY) manage.py makemessages -l kk -l ru -l en --ignore=.venv --ignore=var --no-obsolete \
	  --settings=config.settings_test

# Links and QR codes of the demo name the address it serves on (set QYZMET_PUBLIC_URL to the
# address a phone on the network reaches, when it differs).
run: export QYZMET_PUBLIC_URL ?= http://$(HOST_PORT)
run: setup
	@mkdir -p var
	QYZMET_DEMO=1 $(PY) manage.py migrate --noinput -v 0
	QYZMET_DEMO=1 $(PY) manage.py demo_load
	QYZMET_DEMO=1 $(PY) manage.py collectstatic --noinput -v 0
	@echo
	@echo "  Qyzmet (demo mode) is starting:"
	@echo "    portal       http://$(HOST_PORT)/"
	@echo "    API docs     http://$(HOST_PORT)/api/v1/docs"
	@echo "    OpenAPI      http://$(HOST_PORT)/api/v1/openapi.json"
	@echo "    health       http://$(HOST_PORT)/healthz"
	@echo "    demo outbox  http://$(HOST_PORT)/dev/outbox"
	@QYZMET_DEMO=1 $(PY) manage.py demo_accounts
	@echo "  Press Ctrl-C to stop."
	@echo
	QYZMET_DEMO=1 exec $(PY) manage.py serve --bind $(HOST_PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy qyzmet config

imports: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: setup
	$(VENV)/bin/pytest

# The same suite against PostgreSQL (DATABASE_URL must point at a server that lets us create
# the test database).
pytest-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(VENV)/bin/pytest

test: setup lint typecheck imports pytest

# Browser tests drive Debian's Chromium; install it when it is missing (needs root).
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
