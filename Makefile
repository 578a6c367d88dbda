# Confide: two commands do everything.
#   make demo   set up, load a synthetic demo agency, serve at http://127.0.0.1:8000
#   make test   set up, then lint, type-check, check migrations and run every test
# CONFIDE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/confide_test adds a PostgreSQL run.

PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup lint typecheck migrations-check pytest pytest-sqlite pytest-postgres browser serve bench lock clean softhsm bench-crypto

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || { command -v $(PY) >/dev/null 2>&1 || PY=python3; $(PY) -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

HTMX_VERSION := 2.0.11
HTMX_SHA256 := d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
HTMX := confide/web/static/vendor/htmx.min.js

# htmx from the npm registry at setup time, checked against its pinned digest. Pages work
# without it (drafts then save with the button instead of automatically).
$(HTMX):
	@mkdir -p $(@D)
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null 2>&1 \
	    && tar xzf htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js) \
	  && echo "$(HTMX_SHA256)  $$tmp/package/dist/htmx.min.js" | sha256sum -c --quiet - \
	  && cp $$tmp/package/dist/htmx.min.js $@; rm -rf $$tmp; \
	fi; test -f $@ || echo "warning: htmx unavailable; drafts save with the button only"

setup: $(STAMP) $(HTMX)

demo: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) ledger_record_config
	$(MANAGE) demo_load
	@echo "Serving Confide at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

serve: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) ledger_record_config
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

# Debian's Chromium for the browser test; Playwright's own browser download cannot work offline.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser test..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: chromium is missing and this is not root; the browser test will be skipped"; fi; }

# Debian's SoftHSM2 for the PKCS#11 key-provider tests, and a token in var/softhsm (idempotent).
softhsm: setup
	@command -v softhsm2-util >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's softhsm2 for the PKCS#11 provider tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null) \
	      || echo "warning: could not install softhsm2; the PKCS#11 provider tests will be skipped"; \
	  else echo "warning: softhsm2 is missing and this is not root; the PKCS#11 provider tests will be skipped"; fi; }
	@$(BIN)/python -m confide.crypto.softhsm var/softhsm

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy confide config tests bench

migrations-check: setup
	DJANGO_SETTINGS_MODULE=config.settings_test $(MANAGE) makemigrations --check --dry-run

pytest-sqlite: setup browser softhsm
	$(BIN)/pytest -q --durations=15

# CONFIDE_TEST_DATABASE_URL is a superuser's: it creates (if missing) an owner role, which
# creates and migrates the test database, and an application role, whose privileges the tests
# run with (confide/ledger/ci_roles.py, the root conftest.py).
pytest-postgres: setup browser softhsm
	@if [ -n "$$CONFIDE_TEST_DATABASE_URL" ]; then \
	  echo "== pytest on PostgreSQL ($$(echo $$CONFIDE_TEST_DATABASE_URL | sed 's#//[^@]*@#//#'))"; \
	  roles=$$($(BIN)/python -m confide.ledger.ci_roles "$$CONFIDE_TEST_DATABASE_URL") || exit 1; \
	  echo "== migrated by the owner role, tests run as the application role"; \
	  CONFIDE_DATABASE_URL=$$(echo "$$roles" | sed -n 1p) \
	  CONFIDE_DATABASE_OWNER_URL=$$(echo "$$roles" | sed -n 2p) $(BIN)/pytest -q --durations=15; \
	else echo "== CONFIDE_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

# Both databases side by side (tests/run_suites.sh): the SQLite run prints its progress, the
# PostgreSQL run's output follows when it ends.
pytest: setup browser softhsm
	@MAKE="$(MAKE)" PYTEST=$(BIN)/pytest tests/run_suites.sh

test: lint typecheck migrations-check pytest

bench: setup
	$(BIN)/python bench/record_open.py

bench-crypto: setup
	$(BIN)/python bench/crypto.py

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^confide' > requirements.lock

clean:
	rm -rf $(VENV) var test-artifacts
