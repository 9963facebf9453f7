# Two entry points: `make reproduce` (the 1980 reproduction) and `make test`.
# Both create .venv when missing and install the package into it.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= results/fukushima1980

.PHONY: reproduce test lint venv bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

venv: $(VENV)/.installed

reproduce: $(VENV)/.installed
	$(PY) experiments/fukushima1980.py --out $(OUT)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_cells.py
	$(PY) benchmarks/bench_neocognitron.py

clean:
	rm -rf $(VENV) results .pytest_cache
