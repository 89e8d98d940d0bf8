# Store Advisor: `make demo` and `make test` do all set-up from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the demo store; an operator's own DATABASE_URL (environment or .env) wins
DEMO_ENV := DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/data/demo.db}

.PHONY: demo test lint venv bench clean

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

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/advisor db upgrade
	$(DEMO_ENV) $(BIN)/advisor seller list | grep -qw demo || $(DEMO_ENV) $(BIN)/advisor seed --sellers 3 --days 365 --orders-per-day 200
	$(DEMO_ENV) $(BIN)/advisor demo
	$(DEMO_ENV) $(BIN)/advisor chat --seller demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) $(EMULATOR)/node_modules/.installed lint
	$(BIN)/python -m pytest -q

# every benchmark prints its figures (the alert scan and Telegram load take minutes)
BENCHES := storage analytics clv advisor retrieval detectors alert_scan telegram_load
bench: $(STAMP) $(EMULATOR)/node_modules/.installed
	for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) $(EMULATOR)/node_modules
