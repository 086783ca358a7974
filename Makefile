# One command runs everything CI runs: `make check`.
# Everything runs in this checkout's own virtual environment, .venv/ (`make install` creates it);
# PYTHON is only the interpreter that creates it. Nothing is installed into PYTHON itself.
PYTHON ?= python3
VENV := .venv
VPYTHON := $(VENV)/bin/python

.PHONY: install check tools test lint format-check types docs docs-check dist manifest clean bench \
	demo demo-stop

# The venv, pip, and the project (editable, with its dev tools) at the newest versions
# pyproject.toml's bounds allow; run again to upgrade them.
define install-venv
	[ -x $(VPYTHON) ] || $(PYTHON) -m venv $(VENV)
	$(VPYTHON) -m pip install --quiet --upgrade pip
	$(VPYTHON) -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
endef

install:
	$(install-venv)

# The targets below only need the venv to exist: they install it when it does not.
$(VPYTHON):
	$(install-venv)

# Tests include the slow ones: the archive build (cached under build/) and the clean pip install.
check: install tools lint format-check types docs-check test

# Graphviz's dot, which tests/test_graph.py has parse `status -o dot` (a Debian package, no PyPI
# wheel bundles it): installed when missing and apt-get can (as root); else that test skips.
# Mermaid's own parser for tests/test_mermaid_parse.py: the npm package (GitHub and GitLab draw
# with it) and jsdom (its label sanitiser needs a DOM; no browser), under build/mermaid, once;
# the tests then run offline. Majors pinned: mermaid 12 and jsdom 27+ need a newer Node than 20.
MERMAID_DIR := build/mermaid
MERMAID_PACKAGES := mermaid@11 jsdom@26
tools:
	@command -v dot >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; }; }; } || \
	  echo "Graphviz could not be installed: the DOT parse test will skip"
	@{ [ -f $(MERMAID_DIR)/node_modules/mermaid/package.json ] && \
	   [ -f $(MERMAID_DIR)/node_modules/jsdom/package.json ]; } || \
	  { command -v npm >/dev/null && mkdir -p $(MERMAID_DIR) && \
	    npm install --silent --no-audit --no-fund --prefix $(MERMAID_DIR) $(MERMAID_PACKAGES); } || \
	  echo "Mermaid could not be installed (needs Node.js and npm): the Mermaid parse tests will skip"

lint: | $(VPYTHON)
	$(VPYTHON) -m ruff check kubectl_httproute tests benchmarks scripts

format-check: | $(VPYTHON)
	$(VPYTHON) -m ruff format --check kubectl_httproute tests benchmarks scripts

types: | $(VPYTHON)
	$(VPYTHON) -m mypy

test: | $(VPYTHON)
	$(VPYTHON) -m pytest

# README's command reference, generated from --help (tests/test_docs.py fails when it drifts).
# ... and the pre-rendered --help/--version texts `__main__` serves without click (test_startup.py).
docs: | $(VPYTHON)
	$(VPYTHON) scripts/gen_docs.py --write
	$(VPYTHON) scripts/gen_help.py --write

docs-check: | $(VPYTHON)
	$(VPYTHON) scripts/gen_docs.py --check
	$(VPYTHON) scripts/gen_help.py --check

# Start-up, completion, commands and 1k/5k/10k routes side by side with kubectl (a few minutes).
bench: | $(VPYTHON)
	$(VPYTHON) benchmarks/bench.py

# A fake cluster to try the plugin on (the test API server, its controller simulator, a Gateway
# and two InferencePools); prints the `export KUBECONFIG=...` line and serves until Ctrl-C.
DEMO_DIR ?= build/demo
demo: | $(VPYTHON)
	@$(VPYTHON) scripts/demo.py --dir $(DEMO_DIR)

# Stops a demo started with `make demo` from another terminal.
demo-stop:
	@$(PYTHON) scripts/demo.py --dir $(DEMO_DIR) --stop

# The krew archive for this platform and dist/inferroute.yaml; needs only python3 and pip
# (its own build venv, build/venv), not .venv/.
dist:
	$(PYTHON) scripts/build_dist.py

# Put this platform's real sha256 into krew-manifest.yaml (others: see the file's header).
manifest:
	$(PYTHON) scripts/gen_manifest.py --update krew-manifest.yaml "$$($(PYTHON) scripts/build_dist.py)"

clean:
	rm -rf build dist
