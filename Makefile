# One command runs everything CI runs: `make check`.
PYTHON ?= python3

.PHONY: install check test lint types

install:
	$(PYTHON) -m pip install --quiet -e '.[dev]'

check: install lint types test

lint:
	$(PYTHON) -m ruff check kubectl_httproute tests benchmarks

types:
	$(PYTHON) -m mypy

test:
	$(PYTHON) -m pytest
