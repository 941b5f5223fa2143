# Nervetjek: `make run` starts the service, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --disable-pip-version-check -q -c requirements/constraints.txt

.PHONY: run test check install install-test lint format bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(PIP) -e .

install-test: $(BIN)/python
	$(PIP) -e '.[test]'
	scripts/install-system-deps.sh

run: install
	$(BIN)/nervetjek serve

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/vulture src bench scripts/vulture_whitelist.py

format:
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: install-test lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	$(BIN)/nervetjek safety gate

# The quick suite for the edit-test loop: no browser, no PostgreSQL.
check: lint
	$(BIN)/python -m pytest -q -n 2 -m "not browser and not postgres" -p no:randomly

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/nervetjek bench vignettes

clean:
	rm -rf $(VENV) build node_modules
