# govarchive: `make demo` archives the bundled demo web; `make test` runs the whole test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYWB := .venv-pywb/bin/wayback

.PHONY: demo test lint soak install serve eval clean browser chromium redis screenshots metadata bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH, or run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo's Douyin, Toutiao and script-built pages are archived through Debian's Chromium (installed here when
# missing); if it cannot be installed, the demo archives them without a browser and says so in one line.
demo: $(STAMP)
	@$(MAKE) --no-print-directory chromium 2>/dev/null || echo "make demo: Chromium could not be installed (apt-get): the Douyin, Toutiao and script-built pages are archived without a browser (their posts are not)"
	$(BIN)/govarchive demo --archive-dir archive

test: lint $(STAMP) browser redis $(PYWB)
	GOVARCHIVE_E2E=require GOVARCHIVE_PYWB=$(PYWB) $(BIN)/python -m pytest -q

# the gates run first by `make test`: ruff's rules (pyproject.toml [tool.ruff]) on every Python file, and
# mypy's types on govarchive/, spiders/ and pipelines/ (pyproject.toml [tool.mypy])
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# the long fault trials left out of `make test`: 20 more crawls killed at random points (tests/test_kill.py)
soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak

# pywb replays our WARCs and WACZs in the tests. It lives in its own environment: it pins the
# Redis client at 2.10, which scrapy-redis (distributed runs) cannot use.
$(PYWB):
	$(PYTHON) -m venv .venv-pywb
	.venv-pywb/bin/python -m pip install --quiet --upgrade pip
	.venv-pywb/bin/python -m pip install --quiet 'pywb>=2.8'

# Debian's Redis server for the distributed-run tests (each test starts its own on a free loopback port)
redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends redis-server; \
	fi

# Debian's Chromium and ChromeDriver for the end-to-end browser test (never a downloaded browser),
# and CJK fonts so screenshots show Chinese
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends \
	    chromium chromium-driver fonts-noto-cjk fonts-liberation; \
	fi

# Debian's Chromium (and CJK fonts for its screenshots) for browser capture (govarchive/crawl/browser.py)
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; \
	fi

# the screenshots in docs/img, taken by the end-to-end browser test
screenshots: $(STAMP) browser
	GOVARCHIVE_E2E=require GOVARCHIVE_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q tests/test_browser.py

# Datasette's column descriptions, parsed from docs/schema.md (a test fails when they drift apart)
metadata: $(STAMP)
	$(BIN)/python -c 'from pathlib import Path; from govarchive.browse.metadata import write_schema_docs; write_schema_docs(Path("docs/schema.md"))'

# precision and recall of closure-notice detection, successor extraction and reports' named accounts on the labelled
# sets: ours, the real texts (skipped when absent) and the blind held-out set (docs/closure.md)
eval: $(STAMP)
	$(BIN)/python -m govarchive.closure.evaluation tests/eval/closure_cases.toml ../shared/closure_real/cases.toml \
		tests/eval/closure_holdout.toml

# the benchmark (docs/benchmarks.md; not part of `make test`): bare Scrapy, govarchive and Debian's wget
# crawling a loopback web with 20 ms latency, reindex against warcio index, search on 1,000,000 posts
# (that index is built once into bench/.cache). About 25 minutes; BENCH_RSS_PAGES=100000 (the issue's
# 5k → 100k peak-RSS check) adds about 60, 0 skips the large crawl. GNU time measures peak RSS.
BENCH_PAGES ?= 5000
BENCH_RSS_PAGES ?= 20000
bench: $(STAMP)
	@if ! command -v wget >/dev/null 2>&1 || [ ! -x /usr/bin/time ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends wget time; \
	fi
	$(BIN)/python -m bench --pages $(BENCH_PAGES) --rss-pages $(BENCH_RSS_PAGES)

# browse the archive in Datasette (http://127.0.0.1:8001/)
serve: $(STAMP)
	$(BIN)/govarchive serve --archive-dir archive

clean:
	rm -rf archive/warc archive/index.db archive/index.db-wal archive/index.db-shm
