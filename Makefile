# govarchive: `make demo` archives the bundled demo web; `make test` runs the whole test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install serve eval clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH, or run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/govarchive demo --archive-dir archive

test: $(STAMP)
	$(BIN)/python -m pytest -q

# precision and recall of closure-notice detection and successor extraction on the labelled sets
eval: $(STAMP)
	$(BIN)/python -m govarchive.evaluation tests/eval/closure_cases.toml
	@test ! -f tests/eval/closure_holdout.toml || $(BIN)/python -m govarchive.evaluation tests/eval/closure_holdout.toml

# browse the archive in Datasette (http://127.0.0.1:8001/)
serve: $(STAMP)
	$(BIN)/govarchive serve --archive-dir archive

clean:
	rm -rf archive/warc archive/index.db archive/index.db-wal archive/index.db-shm
