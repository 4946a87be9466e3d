# Two commands on a fresh machine:  make demo  (set-up, then plan the demo)
#                                   make test  (set-up, then every test)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= models/shared_back_office.toml
PROGRAMME ?= models/programme.toml

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

# The demo's plan and its board pack beside the map, then the same plan dated from 2027
# and scheduled under yearly budgets.
demo: setup
	$(BIN)/estate plan $(DEMO)
	$(BIN)/estate report "results/Shared back office" --out "maps/Shared back office board.pdf"
	$(BIN)/estate plan $(PROGRAMME)
	@echo
	@echo "The demo wrote:"
	@echo "  results/Shared back office/        the plan's tables, and plan.gpkg for QGIS"
	@echo "  maps/Shared back office.html       its map (open it in a browser)"
	@echo "  maps/Shared back office board.pdf  its board pack (and .html beside it)"
	@echo "  results/Programme/                 the dated programme: programme.csv, cashflow.csv"
	@echo "  results/Programme/programme.html   its Gantt chart; maps/Programme.html its map by year"

# Two test processes, a file to each at a time (a file's fixtures are made once), in the
# order tests/conftest.py gives (the README's session first, as it is the longest;
# xdist would otherwise put files of many tests first); the slowest tests are listed at
# the end, so CI's log says where its time goes.
test: setup browser
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=15

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser"

# ruff for style and likely bugs, then mypy over the package (settings in pyproject.toml)
lint: setup
	$(BIN)/ruff check estate tests benchmarks data
	$(BIN)/mypy

check: lint test

bench: setup
	$(BIN)/python -m benchmarks.run_stages

clean:
	rm -rf results maps/*.html maps/*.pdf .pytest_cache .ruff_cache .mypy_cache
