# Two commands do all the set-up on a fresh machine with only python3:
#   make demo   -- runs the guided demo (the main job)
#   make test   -- runs the whole test suite
# Both create .venv and install what they need on first use.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench ci clean coverage

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/wsspi-sim demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: $(BIN)/.installed
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy --strict wsspi_sim

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

ci: test lint typecheck

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

coverage: $(BIN)/.installed
	$(BIN)/python -m coverage run --source=wsspi_sim -m pytest -q -p no:cacheprovider
	$(BIN)/python -m coverage report
