# Two commands on a fresh machine:  make demo  (set-up, then plan the demo)
#                                   make test  (set-up, then every test)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= models/shared_back_office.toml

.PHONY: setup browser demo test test-fast lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the map tests: Debian's package (Playwright's own download
# does not work here). Installed when we are root and it is missing; otherwise the
# browser tests skip and say why (CI sets ESTATE_REQUIRE_BROWSER=1 to fail instead).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the map tests (about a minute)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium not installed and not root: browser tests will be skipped"; fi

demo: setup
	$(BIN)/estate plan $(DEMO)

test: setup browser
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser"

lint: setup
	$(BIN)/ruff check estate tests benchmarks data

check: lint test

bench: setup
	$(BIN)/python benchmarks/run_stages.py

clean:
	rm -rf results maps/*.html .pytest_cache .ruff_cache
