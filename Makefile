# One command runs everything CI runs: `make check`.
PYTHON ?= python3

.PHONY: install check test lint types docs docs-check dist manifest clean bench

install:
	$(PYTHON) -m pip install --quiet -e '.[dev]'

# Tests include the slow ones: the archive build (cached under build/) and the clean pip install.
check: install lint types test

lint:
	$(PYTHON) -m ruff check kubectl_httproute tests benchmarks scripts

types:
	$(PYTHON) -m mypy

test:
	$(PYTHON) -m pytest

# README's command reference, generated from --help (tests/test_docs.py fails when it drifts).
# ... and the pre-rendered --help/--version texts `__main__` serves without click (test_startup.py).
docs:
	$(PYTHON) scripts/gen_docs.py --write
	$(PYTHON) scripts/gen_help.py --write

docs-check:
	$(PYTHON) scripts/gen_docs.py --check
	$(PYTHON) scripts/gen_help.py --check

# Start-up, completion, commands and 1k/5k/10k routes side by side with kubectl (a few minutes).
bench:
	$(PYTHON) benchmarks/bench.py

# The krew archive for this platform and dist/inferroute.yaml; needs only python3 and pip.
dist:
	$(PYTHON) scripts/build_dist.py

# Put this platform's real sha256 into krew-manifest.yaml (others: see the file's header).
manifest:
	$(PYTHON) scripts/gen_manifest.py --update krew-manifest.yaml "$$($(PYTHON) scripts/build_dist.py)"

clean:
	rm -rf build dist
