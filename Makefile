# Qyzmet: `make run` starts the demo portal; `make test` runs every check. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST_PORT ?= 127.0.0.1:8000
VAR_DIR := $(or $(QYZMET_VAR_DIR),var)
# The installer: uv, pinned, put into the venv by pip; pip itself when uv cannot be had or fails.
UV_VERSION := 0.13.10
UV := $(VENV)/bin/uv
# Each step below runs only when what it makes is older than what it is made from, so that a
# second `make run` goes straight to migrating, loading and serving.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
STATIC_SOURCES := $(shell find qyzmet -path '*/static/*' -type f 2>/dev/null)
STATIC_MANIFEST := $(VAR_DIR)/static/staticfiles.json

.PHONY: run test setup lint typecheck imports pytest pytest-postgres translations messages \
        browser-deps bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# pip's own settings (index, extra indexes, find-links, trusted hosts, constraints, certificate)
# as uv's options, so that uv fetches from wherever pip would: uv reads no pip.conf.
define PIP_SETTINGS_FOR_UV
import shlex
from pip._internal.commands import create_command
o, _ = create_command("install").parse_args([])
args = ["--no-index"] if o.no_index else ["--index-url", o.index_url]
args += [a for url in o.extra_index_urls for a in ("--extra-index-url", url)]
args += [a for link in o.find_links for a in ("--find-links", link)]
args += [a for host in o.trusted_hosts for a in ("--allow-insecure-host", host)]
args += [a for path in o.constraints for a in ("--constraint", path)]
print("uv_args=(" + " ".join(shlex.quote(a) for a in args) + ")")
if o.cert:
    print("export SSL_CERT_FILE=" + shlex.quote(o.cert))
endef
export PIP_SETTINGS_FOR_UV

# uv installs the lock in seconds where pip takes minutes; pip takes over if uv fails. Like pip,
# uv compiles the bytecode at install: no process then compiles the dependencies as it starts
# (nor on every start, where PYTHONDONTWRITEBYTECODE is set).
$(STAMP): requirements.lock | $(PY)
	@$(PY) -m pip install --quiet uv==$(UV_VERSION) \
	  && settings=$$($(PY) -c "$$PIP_SETTINGS_FOR_UV") && eval "$$settings" \
	  && $(UV) pip install --quiet --python $(PY) --compile-bytecode \
	       --index-strategy unsafe-best-match "$${uv_args[@]}" -r requirements.lock \
	  || { echo "uv could not install the dependencies: installing them with pip."; \
	       $(PY) -m pip install --quiet --upgrade pip \
	       && $(PY) -m pip install --quiet -r requirements.lock; }
	@touch $(STAMP)

setup: $(STAMP) translations

# What `manage.py compilemessages` runs, for the catalogues that changed only.
translations: $(MO_FILES)

%.mo: %.po
	@msgfmt --check-format -o $@ $<

# collectstatic copies, hashes and compresses every static file (half a minute): again only when
# a static file, the dependencies or the settings changed. It rewrites the manifest each time.
$(STATIC_MANIFEST): $(STAMP) $(STATIC_SOURCES) config/settings.py
	QYZMET_DEMO=1 $(PY) manage.py collectstatic --noinput -v 0

# Regenerate the .po catalogues from the code (then translate, then commit).
messages: $(STAMP)
	$(PY) manage.py makemessages -l kk -l ru -l en --ignore=.venv --ignore=var --no-obsolete \
	  --settings=config.settings_test

# Links and QR codes of the demo name the address it serves on (set QYZMET_PUBLIC_URL to the
# address a phone on the network reaches, when it differs).
run: export QYZMET_PUBLIC_URL ?= http://$(HOST_PORT)
run: setup $(STATIC_MANIFEST)
	@mkdir -p $(VAR_DIR)
	@QYZMET_DEMO=1 $(PY) manage.py demo_prepare
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
