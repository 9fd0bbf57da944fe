# Set-up and everyday commands. Needs only python3: everything else is installed
# into .venv by these rules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test bench install install-desktop uninstall-desktop clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(APP_STAMP)

install: $(APP_STAMP)

# Start Marginalia on the default library (seeded with sample articles on first run).
run: $(APP_STAMP)
	$(BIN)/marginalia

# The whole test suite, headless.
test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The performance benchmark at 100,000 articles (builds its library once, ~20 min,
# cached in bench/.cache/); prints a table and writes bench/results.json.
# `make bench ARTICLES=2000` for a quick run.
ARTICLES ?= 100000
bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench --articles $(ARTICLES) --out bench/results.json

# Add Marginalia to the desktop's application menu (Linux): a menu entry and icons under
# $XDG_DATA_HOME (default ~/.local/share) that start .venv/bin/marginalia-gui.
install-desktop: $(APP_STAMP)
	$(BIN)/marginalia install-desktop

# Remove exactly the files install-desktop wrote.
uninstall-desktop: $(APP_STAMP)
	$(BIN)/marginalia uninstall-desktop

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
