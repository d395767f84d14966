# Two commands: `make run` and `make test`. Both set up what they need first.
# `make run` opens the demo database (its own file, marked 演示数据); real data: `.venv/bin/zhdesk-desk`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint setup sysdeps bench clean

run: setup
	@sh tools/sysdeps.sh gui || echo "(the window may not open until those libraries are installed)"
	$(BIN)/python main.py --demo

test: setup sysdeps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "zhdesk 需要 Python 3.11 或更高版本")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

# Shared libraries Qt needs even offscreen; installed only where missing (CI is root on Debian).
sysdeps:
	@sh tools/sysdeps.sh
	@sh tools/sysdeps.sh office
	@sh tools/sysdeps.sh pdf
	@sh tools/sysdeps.sh pg

bench: setup
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
