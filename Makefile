# Store Advisor: `make demo` and `make test` do all set-up from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the demo store; an operator's own DATABASE_URL (environment or .env) wins. Otherwise
# `make demo` writes it to .env, so every command pasted at the checkout uses the demo store.
DEMO_URL := sqlite:///$(CURDIR)/data/demo.db

.PHONY: demo demo-env bot-local test lint venv bench clean browser

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

EMULATOR := tests/telegram_emulator
$(EMULATOR)/node_modules/.installed: $(EMULATOR)/package.json $(EMULATOR)/package-lock.json
	cd $(EMULATOR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo-env:
	@if [ -z "$$DATABASE_URL" ] && ! grep -qs '^DATABASE_URL=.' .env; then \
	  { [ -s .env ] && [ -n "$$(tail -c1 .env)" ] && echo; echo "DATABASE_URL=$(DEMO_URL)"; } >> .env; \
	  echo "make demo: .env now names the demo database: DATABASE_URL=$(DEMO_URL)"; \
	fi

demo: $(STAMP) demo-env
	$(BIN)/advisor db upgrade
	$(BIN)/advisor seed --roll-forward --sellers 3 --days 365 --orders-per-day 200
	$(BIN)/advisor demo
	$(BIN)/advisor chat --seller demo

# the whole bot without a token: the local Bot API emulator plus `advisor bot` (README)
bot-local: $(STAMP) $(EMULATOR)/node_modules/.installed demo-env
	$(BIN)/python $(EMULATOR)/local_bot.py

# Debian's chromium for the dashboard's browser tests (skipped without it); needs root
browser:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) $(EMULATOR)/node_modules/.installed lint
	$(BIN)/python -m pytest -q

# every benchmark prints its figures (the alert scan and Telegram load take minutes). -P keeps
# bench/ off sys.path, so bench/analytics.py or bench/storage.py never stands in for the package
BENCHES := storage analytics clv advisor retrieval detectors alert_scan telegram_load cold_start
bench: $(STAMP) $(EMULATOR)/node_modules/.installed
	for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python -P bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) $(EMULATOR)/node_modules
